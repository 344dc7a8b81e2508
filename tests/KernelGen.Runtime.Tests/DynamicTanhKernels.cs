// The [DynamicTanh] kernels the runtime tests exercise: each element type × shape × option that changes
// the emitted code or the signature (Affine, Bias, Width in registers and in a loop, Unroll).
using System;

namespace KernelGen.Tests;

/// <summary>DyT kernels under test; <see cref="DynamicTanhCatalog"/> finds them by reflection.</summary>
public static partial class DynamicTanhKernels
{
    [DynamicTanh]
    public static partial void DyTF(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

    [DynamicTanh]
    public static partial void DyTFRows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [DynamicTanh]
    public static partial void DyTD(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [DynamicTanh(Unroll = 3)]
    public static partial void DyTDU3Rows(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [DynamicTanh(Affine = false)]
    public static partial void DyTPlainF(ReadOnlySpan<float> input, float alpha, Span<float> output);

    [DynamicTanh(Affine = false, Unroll = 1)]
    public static partial void DyTPlainDU1Rows(ReadOnlySpan<double> input, double alpha, Span<double> output, int rowLength);

    [DynamicTanh(Bias = false, Unroll = 2)]
    public static partial void DyTNoBiasFU2Rows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [DynamicTanh(Width = 1)]
    public static partial void DyTFW1Rows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [DynamicTanh(Width = 7)]
    public static partial void DyTDW7Rows(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [DynamicTanh(Width = 64)]
    public static partial void DyTFW64Rows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [DynamicTanh(Width = 1000, Bias = false)]
    public static partial void DyTNoBiasFW1000(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, Span<float> output);
}
