// Kernels declared with Parallel = true, each beside the same declaration without it: ParallelTests checks that each
// path of the parallel kernel gives, bit for bit, what the same path of the serial one gives.
using System;

namespace KernelGen.Tests;

/// <summary>Parallel-rows kernels and their one-thread twins (the twin's name ends in "Serial").</summary>
public static partial class ParallelKernels
{
    [Softmax(Parallel = true)]
    public static partial void SoftmaxF(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax]
    public static partial void SoftmaxFSerial(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Parallel = true, Width = 64, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxFW64(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 64, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxFW64Serial(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Parallel = true, Scale = 0.5)]
    public static partial void LogSoftmaxD(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Scale = 0.5)]
    public static partial void LogSoftmaxDSerial(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LayerNorm(Parallel = true, StatisticsOutput = true)]
    public static partial void LayerNormF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev, int rowLength);

    [LayerNorm(StatisticsOutput = true)]
    public static partial void LayerNormFSerial(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev, int rowLength);

    [RmsNorm(Parallel = true, Residual = true)]
    public static partial void RmsNormResidualF(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, Span<float> sum, int rowLength);

    [RmsNorm(Residual = true)]
    public static partial void RmsNormResidualFSerial(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, Span<float> sum, int rowLength);

    [L2Normalize(Parallel = true)]
    public static partial void L2NormalizeD(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [L2Normalize]
    public static partial void L2NormalizeDSerial(ReadOnlySpan<double> input, Span<double> output, int rowLength);
}
