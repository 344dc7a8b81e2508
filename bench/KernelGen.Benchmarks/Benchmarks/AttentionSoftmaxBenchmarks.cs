using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks;

/// <summary>
/// Attention's softmax, softmax(0.125·x + mask) with one mask row broadcast over the rows (<see cref="MaskRow"/>):
/// the generated <c>[Softmax(Mask = true, Scale = 0.125)]</c>, which applies the scale and the mask inside its
/// passes, against the same computation as separate steps — TensorPrimitives (Multiply, Add, SoftMax per row) and
/// ONNX Runtime's Mul + Add + Softmax graph.
/// </summary>
[MemoryDiagnoser]
public class AttentionSoftmaxBenchmarks : RowBenchmark
{
    private OnnxNormalization? onnx;

    /// <summary>The mask row (64-byte aligned, read-only).</summary>
    public ArraySegment<float> Mask { get; private set; } = ArraySegment<float>.Empty;

    /// <inheritdoc/>
    public override ArraySegment<float> SecondInput => this.Mask;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => ["1024x1024", "64x4096"];

    /// <summary>
    /// The mask of a row of <paramref name="rowLength"/> keys, as <c>--check</c>'s ONNX agreement uses it: −∞ for every
    /// fourth key (masked out), a position bias −j/256 for every other fourth, 0 elsewhere.
    /// </summary>
    public static float[] MaskRow(int rowLength) =>
        Enumerable.Range(0, rowLength).Select(static j => j % 4 == 3 ? float.NegativeInfinity : j % 4 == 2 ? -j / 256f : 0f).ToArray();

    /// <summary>Creates the input, the output and the mask row.</summary>
    public override void Setup()
    {
        base.Setup();
        this.Mask = AlignedArray.CopyOf(MaskRow(this.RowLength));
    }

    /// <summary>Creates what <see cref="Setup"/> does, and the ONNX Runtime session bound to these arrays.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime_MulAddSoftmax))]
    public void SetupOnnx()
    {
        this.Setup();
        ArraySegment<float> scale = AlignedArray.CopyOf(Enumerable.Repeat(BenchKernels.AttentionScale, this.RowLength).ToArray());
        this.onnx = new OnnxNormalization(OnnxOperator.ScaledMaskedSoftmax, this.Input, scale, this.Mask, this.Output, this.RowShape.Rows, this.RowLength, 0);
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    [GlobalCleanup(Target = nameof(OnnxRuntime_MulAddSoftmax))]
    public void CleanupOnnx()
    {
        this.onnx?.Dispose();
        this.onnx = null;
        this.Cleanup();
    }

    /// <summary>The generated kernel (Auto): the scale and the mask fused into the softmax's passes.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.MaskedSoftmax)]
    public void MaskedSoftmax_Dispatched() => BenchKernels.MaskedSoftmax(this.Input, this.Mask, this.Output, this.RowLength);

    /// <summary>TensorPrimitives, row by row: Multiply (0.125·x → y), Add (y + mask, in place), SoftMax (in place).</summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.MaskedSoftmax, bytesPerElement: 28)]
    public void TensorPrimitives_Composition()
    {
        ReadOnlySpan<float> input = this.Input;
        Span<float> output = this.Output;
        ReadOnlySpan<float> mask = this.Mask;
        int n = this.RowLength;
        for (int start = 0; start < input.Length; start += n)
        {
            Span<float> y = output.Slice(start, n);
            TensorPrimitives.Multiply(input.Slice(start, n), BenchKernels.AttentionScale, y);
            TensorPrimitives.Add(y, mask, y);
            TensorPrimitives.SoftMax(y, y);
        }
    }

    /// <summary>
    /// ONNX Runtime 1.31.1, one thread: a Mul (by a Scale row of 0.125), Add (the mask row, broadcast) and Softmax
    /// (opset 13, axis −1) graph over the batch; the two intermediate tensors are ONNX Runtime's own.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.MaskedSoftmax, bytesPerElement: 36)]
    public void OnnxRuntime_MulAddSoftmax() => this.onnx!.Run();
}
