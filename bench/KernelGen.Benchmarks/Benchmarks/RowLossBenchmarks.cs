using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The losses of row statistics at 1024 × 1000 (and the cross-entropy shapes): the spherical Z-loss with its gradient,
/// and PyTorch's multi_margin_loss forward and with its gradient, mean over the rows that count (every 16th row
/// ignored), against the best TensorPrimitives compositions (PyTorch has no fused kernel for these; ONNX Runtime has
/// no operator). Every method returns the mean loss; the gradient methods also write <see cref="RowBenchmark.Output"/>.
/// </summary>
[MemoryDiagnoser]
public class RowLossBenchmarks : LossBenchmark
{
    private ArraySegment<float> scratch = ArraySegment<float>.Empty;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => ["1024x1000", .. BenchShapes.CrossEntropy];

    /// <summary>Creates the logits, the gradient buffer, the targets and a scratch row.</summary>
    public override void Setup()
    {
        base.Setup();
        this.scratch = AlignedArray.Create(this.RowLength);
    }

    /// <summary>The Z-loss and its gradient in one call: three reads of the logits, one write (16 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SphericalZLossGradient)]
    public float Dispatched_ZLossGradient() => BenchKernels.SphericalZLossMeanGradient(this.Input, this.Targets, this.Output);

    /// <summary>
    /// The Z-loss by TensorPrimitives, row by row: Sum (μ), Subtract o − μ into a scratch row, SumOfSquares (σ²: two-pass,
    /// as sound as the kernel's), then the gradient as Multiply and Add of the centered row (no span-scalar-scalar MultiplyAdd) and the target's element by hand.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.SphericalZLossGradient, bytesPerElement: 32)]
    public float TensorPrimitives_ZLossGradient()
    {
        const double A = 0.1, B = 10;
        int n = this.RowLength;
        ReadOnlySpan<float> logits = this.Input;
        Span<float> gradient = this.Output;
        Span<float> centered = this.scratch;
        int counted = CrossEntropyTargets.Counted(this.Targets.AsSpan());
        double scale = 1.0 / counted, total = 0;
        for (int row = 0; row < this.Targets.Count; row++)
        {
            ReadOnlySpan<float> o = logits.Slice(row * n, n);
            Span<float> g = gradient.Slice(row * n, n);
            int target = this.Targets[row];
            if (target == CrossEntropyTargets.IgnoreIndex)
            {
                g.Clear();
                continue;
            }

            float mean = TensorPrimitives.Sum(o) / n;
            TensorPrimitives.Subtract(o, mean, centered);
            double deviation = Math.Sqrt(TensorPrimitives.SumOfSquares<float>(centered) / n);
            double z = centered[target] / deviation;
            double t = A * (B - z);
            total += (Math.Max(t, 0) + Math.Log(1 + Math.Exp(-Math.Abs(t)))) / A;
            double s = scale / (1 + Math.Exp(-t));
            double common = s / (n * deviation);
            TensorPrimitives.Multiply(centered, (float)(common * z / deviation), g);
            TensorPrimitives.Add(g, (float)common, g);
            g[target] = (float)((common * (1 + (z * z))) - (s / deviation));
        }

        return (float)(total / counted);
    }

    /// <summary>The multi-margin loss forward: one read of the logits (4 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.MultiMarginLoss)]
    public float Dispatched_MultiMargin() => BenchKernels.MultiMarginLossMean(this.Input, this.Targets);

    /// <summary>The multi-margin loss and its subgradient in one call: two reads, one write (12 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.MultiMarginLossGradient)]
    public float Dispatched_MultiMarginGradient() => BenchKernels.MultiMarginLossMeanGradient(this.Input, this.Targets, this.Output);

    /// <summary>
    /// The multi-margin loss by TensorPrimitives, row by row: Add (z − z_y + m into a scratch row), Max with 0, Sum, less
    /// the target's own hinge max(0, m).
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.MultiMarginLoss, bytesPerElement: 12)]
    public float TensorPrimitives_MultiMargin()
    {
        const float Margin = 1;
        int n = this.RowLength;
        ReadOnlySpan<float> logits = this.Input;
        Span<float> hinges = this.scratch;
        int counted = CrossEntropyTargets.Counted(this.Targets.AsSpan());
        double total = 0;
        for (int row = 0; row < this.Targets.Count; row++)
        {
            int target = this.Targets[row];
            if (target == CrossEntropyTargets.IgnoreIndex)
            {
                continue;
            }

            ReadOnlySpan<float> z = logits.Slice(row * n, n);
            TensorPrimitives.Add(z, Margin - z[target], hinges);
            TensorPrimitives.Max(hinges, 0f, hinges);
            total += ((double)TensorPrimitives.Sum<float>(hinges) - Margin) / n;
        }

        return (float)(total / counted);
    }
}
