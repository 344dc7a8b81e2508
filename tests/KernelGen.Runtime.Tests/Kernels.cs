using System;
using KernelGen;

namespace KernelGen.Tests;

public static partial class SmokeKernels
{
    [Softmax]
    public static partial void SoftmaxAuto(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void SoftmaxTwoPassT(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogOnline(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Width = 64)]
    public static partial void Softmax64(ReadOnlySpan<float> input, Span<float> output, int rowLength);
}
