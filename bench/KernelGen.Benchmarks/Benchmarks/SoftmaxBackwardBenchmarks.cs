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

    /// <summary>Creates the logits, the output dx, y and dy.</summary>
    public override void Setup()
    {
        base.Setup();
        (float[] y, float[] dy) = Operands(this.RowShape);
        this.Probabilities = AlignedArray.CopyOf(y);
        this.OutputGradient = AlignedArray.CopyOf(dy);
    }

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
