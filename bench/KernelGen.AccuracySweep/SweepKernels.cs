using System;
using KernelGen;

namespace KernelGen.Accuracy;

/// <summary>One kernel per algorithm, kind and element type, for the tolerance table of docs/accuracy.md.</summary>
public static partial class SweepKernels
{
    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)] public static partial void SoftmaxThreePassReloadF(ReadOnlySpan<float> input, Span<float> output);
    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)] public static partial void SoftmaxThreePassRecomputeF(ReadOnlySpan<float> input, Span<float> output);
    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)] public static partial void SoftmaxTwoPassF(ReadOnlySpan<float> input, Span<float> output);
    [Softmax(Algorithm = SoftmaxAlgorithm.Online)] public static partial void SoftmaxOnlineF(ReadOnlySpan<float> input, Span<float> output);
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)] public static partial void LogSoftmaxThreePassReloadF(ReadOnlySpan<float> input, Span<float> output);
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)] public static partial void LogSoftmaxTwoPassF(ReadOnlySpan<float> input, Span<float> output);
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)] public static partial void LogSoftmaxOnlineF(ReadOnlySpan<float> input, Span<float> output);
    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)] public static partial void SoftmaxThreePassReloadD(ReadOnlySpan<double> input, Span<double> output);
    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)] public static partial void SoftmaxTwoPassD(ReadOnlySpan<double> input, Span<double> output);
    [Softmax(Algorithm = SoftmaxAlgorithm.Online)] public static partial void SoftmaxOnlineD(ReadOnlySpan<double> input, Span<double> output);
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)] public static partial void LogSoftmaxThreePassReloadD(ReadOnlySpan<double> input, Span<double> output);
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)] public static partial void LogSoftmaxTwoPassD(ReadOnlySpan<double> input, Span<double> output);
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)] public static partial void LogSoftmaxOnlineD(ReadOnlySpan<double> input, Span<double> output);
}
