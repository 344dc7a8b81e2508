// The [SeeDNorm] kernels the runtime tests exercise: each element type × shape, Width in registers and in a
// loop, Unroll, and ε = 0.
using System;

namespace KernelGen.Tests;

/// <summary>SeeDNorm kernels under test; <see cref="SeeDNormCatalog"/> finds them by reflection.</summary>
public static partial class SeeDNormKernels
{
    [SeeDNorm]
    public static partial void SeeDF(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output);

    [SeeDNorm]
    public static partial void SeeDFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);

    [SeeDNorm]
    public static partial void SeeDD(ReadOnlySpan<double> input, ReadOnlySpan<double> beta, ReadOnlySpan<double> alpha, ReadOnlySpan<double> gamma, Span<double> output);

    [SeeDNorm(Unroll = 3)]
    public static partial void SeeDDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> beta, ReadOnlySpan<double> alpha, ReadOnlySpan<double> gamma, Span<double> output, int rowLength);

    [SeeDNorm(Unroll = 1, Epsilon = 1e-3)]
    public static partial void SeeDFU1Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);

    [SeeDNorm(Width = 1)]
    public static partial void SeeDFW1Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);

    [SeeDNorm(Width = 7)]
    public static partial void SeeDDW7Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> beta, ReadOnlySpan<double> alpha, ReadOnlySpan<double> gamma, Span<double> output, int rowLength);

    [SeeDNorm(Width = 64)]
    public static partial void SeeDFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);

    [SeeDNorm(Width = 1000)]
    public static partial void SeeDFW1000(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output);

    [SeeDNorm(Epsilon = 0)]
    public static partial void SeeDEps0FRows(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);

    [SeeDNorm(Epsilon = 0)]
    public static partial void SeeDEps0D(ReadOnlySpan<double> input, ReadOnlySpan<double> beta, ReadOnlySpan<double> alpha, ReadOnlySpan<double> gamma, Span<double> output);
}
