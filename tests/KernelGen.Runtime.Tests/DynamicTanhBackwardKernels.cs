// The DyT backward kernels (Backward = true) the runtime tests exercise: each element type × shape × option that
// changes the emitted code or the signature.
using System;

namespace KernelGen.Tests;

/// <summary>DyT backward kernels under test; <see cref="DynamicTanhBackwardTests"/> finds them by reflection.</summary>
public static partial class DynamicTanhBackwardKernels
{
    [DynamicTanh(Backward = true)]
    public static partial void DyTBackwardF(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> alphaGradient, Span<float> weightGradient, Span<float> biasGradient);

    [DynamicTanh(Backward = true)]
    public static partial void DyTBackwardFRows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> alphaGradient, Span<float> weightGradient, Span<float> biasGradient, int rowLength);

    [DynamicTanh(Backward = true)]
    public static partial void DyTBackwardD(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> alphaGradient, Span<double> weightGradient, Span<double> biasGradient);

    [DynamicTanh(Backward = true, Unroll = 3)]
    public static partial void DyTBackwardDU3Rows(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> alphaGradient, Span<double> weightGradient, Span<double> biasGradient, int rowLength);

    [DynamicTanh(Backward = true, Bias = false, Unroll = 1)]
    public static partial void DyTNoBiasBackwardFU1Rows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> alphaGradient, Span<float> weightGradient, int rowLength);

    [DynamicTanh(Backward = true, Affine = false)]
    public static partial void DyTPlainBackwardDRows(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> alphaGradient, int rowLength);

    [DynamicTanh(Backward = true, Affine = false)]
    public static partial void DyTPlainBackwardF(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> alphaGradient);

    [DynamicTanh(Backward = true, Width = 7)]
    public static partial void DyTBackwardFW7Rows(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> alphaGradient, Span<float> weightGradient, Span<float> biasGradient, int rowLength);

    [DynamicTanh(Backward = true, Width = 64)]
    public static partial void DyTBackwardDW64Rows(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> alphaGradient, Span<double> weightGradient, Span<double> biasGradient, int rowLength);
}
