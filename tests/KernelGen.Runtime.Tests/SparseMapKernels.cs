// The [Sparsemax] and [Entmax15] kernels the runtime tests exercise: each element type × shape × option that
// changes the emitted code (Width, Unroll, Targets).
using System;

namespace KernelGen.Tests;

/// <summary>Sparse-map kernels under test; <see cref="SparseMapCatalog"/> finds them by reflection.</summary>
public static partial class SparseMapKernels
{
    [Sparsemax]
    public static partial void SparsemaxF(ReadOnlySpan<float> input, Span<float> output);

    [Sparsemax]
    public static partial void SparsemaxFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Sparsemax]
    public static partial void SparsemaxD(ReadOnlySpan<double> input, Span<double> output);

    [Sparsemax(Unroll = 3)]
    public static partial void SparsemaxDU3Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Sparsemax(Unroll = 1, Targets = KernelTargets.Avx2 | KernelTargets.Vector128)]
    public static partial void SparsemaxFU1(ReadOnlySpan<float> input, Span<float> output);

    [Sparsemax(Width = 1)]
    public static partial void SparsemaxFW1Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Sparsemax(Width = 100, Unroll = 2)]
    public static partial void SparsemaxFW100Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Entmax15]
    public static partial void Entmax15F(ReadOnlySpan<float> input, Span<float> output);

    [Entmax15]
    public static partial void Entmax15FRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Entmax15]
    public static partial void Entmax15D(ReadOnlySpan<double> input, Span<double> output);

    [Entmax15(Unroll = 2)]
    public static partial void Entmax15DU2Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Entmax15(Width = 33)]
    public static partial void Entmax15FW33Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Entmax15(Width = 7, Targets = KernelTargets.Scalar)]
    public static partial void Entmax15DW7ScalarOnly(ReadOnlySpan<double> input, Span<double> output);
}

/// <summary>The backward sparse-map kernels under test (they take the forward's output y, dy, and write dx).</summary>
public static partial class SparseMapBackwardKernels
{
    [Sparsemax(Backward = true)]
    public static partial void SparsemaxBackwardF(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    [Sparsemax(Backward = true, Unroll = 3)]
    public static partial void SparsemaxBackwardDU3Rows(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [Entmax15(Backward = true)]
    public static partial void Entmax15BackwardFRows(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [Entmax15(Backward = true)]
    public static partial void Entmax15BackwardD(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);

    [Entmax15(Backward = true, Width = 33)]
    public static partial void Entmax15BackwardFW33Rows(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);
}
