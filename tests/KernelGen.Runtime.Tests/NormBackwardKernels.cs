// The backward normalization kernels the runtime tests exercise (Backward = true), each kind × element
// type × shape × option that changes the emitted code or the signature; and, for the double ones that
// the finite-difference test checks, a forward kernel of the same options named ...Forward... .
using System;

namespace KernelGen.Tests;

/// <summary>Backward normalization kernels under test; <see cref="NormBackwardCatalog"/> finds them by reflection.</summary>
public static partial class NormBackwardKernels
{
    [LayerNorm(Backward = true)]
    public static partial void LayerNormBackwardF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient);

    [LayerNorm(Backward = true)]
    public static partial void LayerNormBackwardFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient, int rowLength);

    [LayerNorm(Backward = true)]
    public static partial void LayerNormBackwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> weightGradient, Span<double> biasGradient);

    [LayerNorm]
    public static partial void LayerNormForwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [LayerNorm(Backward = true, Epsilon = 1e-6, Unroll = 3)]
    public static partial void LayerNormBackwardDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> weightGradient, Span<double> biasGradient, int rowLength);

    [LayerNorm(Epsilon = 1e-6, Unroll = 3)]
    public static partial void LayerNormForwardDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [LayerNorm(Backward = true, Bias = false, Unroll = 1)]
    public static partial void LayerNormNoBiasBackwardFU1Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, int rowLength);

    [LayerNorm(Backward = true, Bias = false)]
    public static partial void LayerNormNoBiasBackwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> weightGradient);

    [LayerNorm(Bias = false)]
    public static partial void LayerNormNoBiasForwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output);

    [LayerNorm(Backward = true, Affine = false)]
    public static partial void LayerNormPlainBackwardFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [LayerNorm(Backward = true, Affine = false, Epsilon = 0)]
    public static partial void LayerNormPlainBackwardDEps0Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [LayerNorm(Affine = false, Epsilon = 0)]
    public static partial void LayerNormPlainForwardDEps0Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LayerNorm(Backward = true, Width = 7)]
    public static partial void LayerNormBackwardFW7Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient, int rowLength);

    [LayerNorm(Backward = true, Width = 64)]
    public static partial void LayerNormBackwardFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient, int rowLength);

    [RmsNorm(Backward = true)]
    public static partial void RmsNormBackwardF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient);

    [RmsNorm(Backward = true)]
    public static partial void RmsNormBackwardFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, int rowLength);

    [RmsNorm(Backward = true, Epsilon = 1e-5)]
    public static partial void RmsNormBackwardDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> weightGradient, int rowLength);

    [RmsNorm(Epsilon = 1e-5)]
    public static partial void RmsNormForwardDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output, int rowLength);

    [RmsNorm(Backward = true, WeightOffset = 1, Unroll = 2)]
    public static partial void RmsNormGemmaBackwardFU2Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, int rowLength);

    [RmsNorm(Backward = true, WeightOffset = 1)]
    public static partial void RmsNormGemmaBackwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> weightGradient);

    [RmsNorm(WeightOffset = 1)]
    public static partial void RmsNormGemmaForwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output);

    [RmsNorm(Backward = true, Affine = false)]
    public static partial void RmsNormPlainBackwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);

    [RmsNorm(Affine = false)]
    public static partial void RmsNormPlainForwardD(ReadOnlySpan<double> input, Span<double> output);

    [RmsNorm(Backward = true, Affine = false, Epsilon = 0)]
    public static partial void RmsNormPlainBackwardFEps0Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [RmsNorm(Backward = true, Width = 64)]
    public static partial void RmsNormBackwardFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, int rowLength);

    [L2Normalize(Backward = true)]
    public static partial void L2NormalizeBackwardF(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    [L2Normalize(Backward = true, Epsilon = 1e-6)]
    public static partial void L2NormalizeBackwardDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [L2Normalize(Epsilon = 1e-6)]
    public static partial void L2NormalizeForwardDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);
}
