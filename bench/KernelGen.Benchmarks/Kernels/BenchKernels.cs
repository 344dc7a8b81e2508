using System;

namespace KernelGen.Benchmarks.Kernels;

/// <summary>
/// The generated kernels under test. Every kernel takes row-major rows
/// (<c>input.Length / rowLength</c> rows), so one call covers a whole batch, as ONNX Runtime's does.
/// </summary>
public static partial class BenchKernels
{
    // One kernel per algorithm, with the generator's default unroll.
    [Softmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void SoftmaxAuto(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary><see cref="SoftmaxAuto"/> with its rows split over threads (ParallelSoftmaxBenchmarks).</summary>
    [Softmax(Algorithm = SoftmaxAlgorithm.Auto, Parallel = true)]
    public static partial void SoftmaxParallel(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>The scale of <see cref="MaskedSoftmax"/> (1/√64: scores of 64-dimensional heads).</summary>
    public const float AttentionScale = 0.125f;

    /// <summary>Attention's softmax: softmax(0.125·x + mask), the mask one row broadcast over the rows (or one per row).</summary>
    [Softmax(Mask = true, Scale = AttentionScale)]
    public static partial void MaskedSoftmax(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void SoftmaxThreePassReload(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void SoftmaxThreePassRecompute(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPass(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxOnline(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    // Unroll factors (vectors per loop iteration, each with its own accumulator).
    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 1)]
    public static partial void SoftmaxTwoPassU1(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 2)]
    public static partial void SoftmaxTwoPassU2(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 4)]
    public static partial void SoftmaxTwoPassU4(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 8)]
    public static partial void SoftmaxTwoPassU8(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 1)]
    public static partial void SoftmaxThreePassReloadU1(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 2)]
    public static partial void SoftmaxThreePassReloadU2(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 4)]
    public static partial void SoftmaxThreePassReloadU4(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 8)]
    public static partial void SoftmaxThreePassReloadU8(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    // Fixed row lengths: 64 floats fit in registers on every path; 1024 floats do not.
    [Softmax(Width = 64)]
    public static partial void SoftmaxWidth64(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 1024)]
    public static partial void SoftmaxWidth1024(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    // Log-softmax, one kernel per algorithm.
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void LogSoftmaxAuto(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void LogSoftmaxThreePassReload(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void LogSoftmaxThreePassRecompute(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPass(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogSoftmaxOnline(ReadOnlySpan<float> input, Span<float> output, int rowLength);
}
