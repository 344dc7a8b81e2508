using System;
using KernelGen;

namespace QuickStart;

/// <summary>The kernels this sample declares: KernelGen writes their bodies at build time.</summary>
public static partial class Kernels
{
    /// <summary>Softmax over many rows; Auto picks the algorithm per row length.</summary>
    [Softmax]
    public static partial void Softmax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>Log-softmax with the two-pass (mantissa, exponent) algorithm and a temperature.</summary>
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void LogSoftmax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>Rows of exactly 64 (attention over 64 keys): kept in registers, no loop.</summary>
    [Softmax(Width = 64)]
    public static partial void Softmax64(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>A double-precision softmax with the online normalizer.</summary>
    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxDouble(ReadOnlySpan<double> input, Span<double> output);
}
