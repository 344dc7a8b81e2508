using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The elementwise binary losses on multi-label logits at the cross-entropy shapes (rows of classes, every logit its own
/// binary problem): PyTorch's BCEWithLogitsLoss, mean over every element, forward only and with the gradient (σ(z) − y)/N
/// in the same pass, and torchvision's sigmoid focal loss (γ = 2, α = 0.25) with its gradient; against the best
/// TensorPrimitives composition of the same stable form (PyTorch's: max(z, 0) − z·y + log(1 + e^(−|z|))). The logits are
/// the class's input (N(0,1)·4), the targets its second input (<see cref="InputCache.BinaryTargets"/>: 1 for one logit in
/// 16). Every method returns the mean loss; the gradient methods write the gradient into <see cref="RowBenchmark.Output"/>.
/// Accuracy: against the kernels' generated Reference (double).
/// </summary>
[MemoryDiagnoser]
public class BinaryCrossEntropyBenchmarks : RowBenchmark
{
    private ArraySegment<float> targets = ArraySegment<float>.Empty;
    private ArraySegment<float> scratch = ArraySegment<float>.Empty;

    /// <summary>The multi-label targets, one per logit.</summary>
    public override ArraySegment<float> SecondInput => this.targets;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => BenchShapes.CrossEntropy;

    /// <summary>Creates the logits, the targets, the gradient buffer and the composition's scratch row.</summary>
    public override void Setup()
    {
        base.Setup();
        this.targets = AlignedArray.CopyOf(InputCache.BinaryTargets(this.RowShape));
        this.scratch = AlignedArray.Create(this.RowLength);
    }

    /// <summary>The forward kernel: one pass reading the logits and the targets (8 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.BinaryCrossEntropy)]
    public float Dispatched_Forward() => BenchKernels.BinaryCrossEntropyMean(this.Input, this.targets);

    /// <summary>The forward and gradient kernel: the same pass, the gradient written (12 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.BinaryCrossEntropyGradient)]
    public float Dispatched_ForwardGradient() => BenchKernels.BinaryCrossEntropyMeanGradient(this.Input, this.targets, this.Output);

    /// <summary>The sigmoid focal loss with its gradient, one pass (12 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SigmoidFocalLossGradient)]
    public float Dispatched_SigmoidFocalGradient() => BenchKernels.SigmoidFocalLossMeanGradient(this.Input, this.targets, this.Output);

    /// <summary>
    /// The TensorPrimitives composition of the loss, row by row: Σ max(z, 0) as (SumOfMagnitudes(z) + Sum(z))/2 (4 + 4 B);
    /// Dot(z, y) (8); log(1 + e^(−|z|)) as Abs into a scratch row, then Negate, Exp and LogP1 in place (8 each) and its Sum (4).
    /// 52 B/elem. (TensorPrimitives has no softplus; the scratch row stays in L2, but every pass is counted.)
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.BinaryCrossEntropy, bytesPerElement: 52)]
    public float TensorPrimitives_Forward() => this.Composition(null);

    /// <summary>
    /// The composition with the gradient: as <see cref="TensorPrimitives_Forward"/>, then per row Sigmoid(z) into the gradient
    /// row (8), Subtract y (12) and Multiply by 1/N (8), in place. 80 B/elem.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.BinaryCrossEntropyGradient, bytesPerElement: 80)]
    public float TensorPrimitives_ForwardGradient() => this.Composition(this.Output);

    private float Composition(Span<float> gradient)
    {
        ReadOnlySpan<float> logits = this.Input, labels = this.targets;
        Span<float> softplus = this.scratch;
        int n = this.RowLength, rows = this.RowShape.Rows;
        float inverseCount = (float)(1.0 / ((double)n * rows));
        double total = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> z = logits.Slice(row * n, n), y = labels.Slice(row * n, n);
            double positive = (TensorPrimitives.SumOfMagnitudes(z) + (double)TensorPrimitives.Sum(z)) / 2;
            double dot = TensorPrimitives.Dot(z, y);
            TensorPrimitives.Abs(z, softplus);
            TensorPrimitives.Negate(softplus, softplus);
            TensorPrimitives.Exp(softplus, softplus);
            TensorPrimitives.LogP1(softplus, softplus);
            total += positive - dot + TensorPrimitives.Sum<float>(softplus);
            if (!gradient.IsEmpty)
            {
                Span<float> g = gradient.Slice(row * n, n);
                TensorPrimitives.Sigmoid(z, g);
                TensorPrimitives.Subtract(g, y, g);
                TensorPrimitives.Multiply(g, inverseCount, g);
            }
        }

        return (float)(total / ((double)n * rows));
    }
}
