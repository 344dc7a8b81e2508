using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// Softmax's backward kernel, dx = y ⊙ (dy − ⟨dy, y⟩), at 1024×1024 floats: the generated
/// <c>[Softmax(Backward = true)]</c> against the TensorPrimitives composition. y is the softmax of the class's logits
/// (<see cref="Probabilities"/>), dy the N(0,1) rows of <see cref="InputCache.Residuals"/>; the output is dx.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxBackwardBenchmarks : RowBenchmark
{
    /// <summary>The forward's output y = softmax(logits) (64-byte aligned, read-only).</summary>
    public ArraySegment<float> Probabilities { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>The incoming gradient dy (64-byte aligned, read-only).</summary>
    public ArraySegment<float> OutputGradient { get; private set; } = ArraySegment<float>.Empty;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => ["1024x1024"];

    /// <summary>The forward's output y and the incoming gradient dy of a shape, as the class and the accuracy check make them.</summary>
    public static (float[] Y, float[] Dy) Operands(RowShape shape)
    {
        float[] y = new float[shape.Elements];
        BenchKernels.SoftmaxAuto(InputCache.Logits(shape), y, shape.RowLength);
        return (y, InputCache.Residuals(shape));
    }

    /// <summary>The log-softmax, StableMax, sparsemax and 1.5-entmax backward kernels' first spans (created by <see cref="SetupOthers"/>).</summary>
    public ArraySegment<float> LogProbabilities { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>Sparsemax's output of the logits.</summary>
    public ArraySegment<float> SparseProbabilities { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>1.5-entmax's output of the logits.</summary>
    public ArraySegment<float> EntmaxProbabilities { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>
    /// The first span of a backward kernel over a shape's logits: log-softmax's, sparsemax's or 1.5-entmax's output (the
    /// backward of these takes the forward's output), or the logits themselves (StableMax's backward takes its input).
    /// </summary>
    public static float[] FirstSpan(Operation operation, RowShape shape)
    {
        float[] logits = InputCache.Logits(shape);
        float[] result = new float[logits.Length];
        switch (operation)
        {
            case Operation.LogSoftmaxBackward: BenchKernels.LogSoftmaxAuto(logits, result, shape.RowLength); break;
            case Operation.SparsemaxBackward: BenchSparseMapKernels.Sparsemax(logits, result, shape.RowLength); break;
            case Operation.Entmax15Backward: BenchSparseMapKernels.Entmax15(logits, result, shape.RowLength); break;
            default: logits.CopyTo(result, 0); break;
        }

        return result;
    }

    /// <summary>Creates the logits, the output dx, y and dy.</summary>
    public override void Setup()
    {
        base.Setup();
        (float[] y, float[] dy) = Operands(this.RowShape);
        this.Probabilities = AlignedArray.CopyOf(y);
        this.OutputGradient = AlignedArray.CopyOf(dy);
    }

    /// <summary>Creates what <see cref="Setup"/> does, and the other backward kernels' first spans.</summary>
    [GlobalSetup(Targets = new[] { nameof(LogSoftmaxBackward_Dispatched), nameof(SparsemaxBackward_Dispatched), nameof(Entmax15Backward_Dispatched) })]
    public void SetupOthers()
    {
        this.Setup();
        this.LogProbabilities = AlignedArray.CopyOf(FirstSpan(Operation.LogSoftmaxBackward, this.RowShape));
        this.SparseProbabilities = AlignedArray.CopyOf(FirstSpan(Operation.SparsemaxBackward, this.RowShape));
        this.EntmaxProbabilities = AlignedArray.CopyOf(FirstSpan(Operation.Entmax15Backward, this.RowShape));
    }

    /// <summary>Log-softmax's backward from its output: Σdy, then dx = dy − exp(y)·Σdy.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmaxBackward)]
    public void LogSoftmaxBackward_Dispatched() => BenchKernels.LogSoftmaxBackward(this.LogProbabilities, this.OutputGradient, this.Output, this.RowLength);

    /// <summary>StableMax's backward from the logits.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.StableMaxBackward)]
    public void StableMaxBackward_Dispatched() => BenchKernels.StableMaxBackward(this.Input, this.OutputGradient, this.Output, this.RowLength);

    /// <summary>Sparsemax's backward from its output: dx = s ⊙ (dy − mean of dy over the support).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SparsemaxBackward)]
    public void SparsemaxBackward_Dispatched() => BenchKernels.SparsemaxBackward(this.SparseProbabilities, this.OutputGradient, this.Output, this.RowLength);

    /// <summary>1.5-entmax's backward from its output.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.Entmax15Backward)]
    public void Entmax15Backward_Dispatched() => BenchKernels.Entmax15Backward(this.EntmaxProbabilities, this.OutputGradient, this.Output, this.RowLength);

    /// <summary>The generated backward kernel: pass 1 ⟨dy, y⟩ (2 reads), pass 2 dx (2 reads, 1 write).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SoftmaxBackward)]
    public void SoftmaxBackward_Dispatched() => BenchKernels.SoftmaxBackward(this.Probabilities, this.OutputGradient, this.Output, this.RowLength);

    /// <summary>TensorPrimitives, row by row: Dot (⟨dy, y⟩), Subtract (dy − s → dx), Multiply (dx·y, in place).</summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.SoftmaxBackward, bytesPerElement: 28)]
    public void TensorPrimitives_Composition()
    {
        ReadOnlySpan<float> y = this.Probabilities;
        ReadOnlySpan<float> dy = this.OutputGradient;
        Span<float> dx = this.Output;
        int n = this.RowLength;
        for (int start = 0; start < y.Length; start += n)
        {
            ReadOnlySpan<float> yRow = y.Slice(start, n);
            Span<float> dxRow = dx.Slice(start, n);
            float s = TensorPrimitives.Dot(yRow, dy.Slice(start, n));
            TensorPrimitives.Subtract(dy.Slice(start, n), s, dxRow);
            TensorPrimitives.Multiply(dxRow, yRow, dxRow);
        }
    }
}
