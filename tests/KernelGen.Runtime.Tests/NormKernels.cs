// The normalization kernels the runtime tests exercise: each kind × element type × shape × option
// that changes the emitted code or the signature.
using System;

namespace KernelGen.Tests;

/// <summary>Normalization kernels under test; <see cref="NormCatalog"/> finds them by reflection.</summary>
public static partial class NormKernels
{
    [LayerNorm]
    public static partial void LayerNormF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

    [LayerNorm]
    public static partial void LayerNormFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [LayerNorm]
    public static partial void LayerNormD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [LayerNorm(Epsilon = 1e-6, Unroll = 3)]
    public static partial void LayerNormDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [LayerNorm(Affine = false)]
    public static partial void LayerNormPlainF(ReadOnlySpan<float> input, Span<float> output);

    [LayerNorm(Affine = false, Epsilon = 0)]
    public static partial void LayerNormPlainDEps0Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LayerNorm(Bias = false, Unroll = 1)]
    public static partial void LayerNormNoBiasFU1Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [LayerNorm(Width = 1)]
    public static partial void LayerNormFW1Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [LayerNorm(Width = 7)]
    public static partial void LayerNormFW7Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [LayerNorm(Width = 64)]
    public static partial void LayerNormFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [LayerNorm(Width = 100)]
    public static partial void LayerNormDW100(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [LayerNorm(Width = 1000, Affine = false)]
    public static partial void LayerNormPlainFW1000Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [RmsNorm]
    public static partial void RmsNormF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);

    [RmsNorm]
    public static partial void RmsNormFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [RmsNorm(Epsilon = 1e-5)]
    public static partial void RmsNormDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output, int rowLength);

    [RmsNorm(WeightOffset = 1, Unroll = 2)]
    public static partial void RmsNormGemmaFU2Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [RmsNorm(Affine = false)]
    public static partial void RmsNormPlainD(ReadOnlySpan<double> input, Span<double> output);

    [RmsNorm(Affine = false, Epsilon = 0)]
    public static partial void RmsNormPlainFEps0Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [RmsNorm(Width = 5, WeightOffset = 1)]
    public static partial void RmsNormGemmaDW5Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output, int rowLength);

    // CRMSNorm: the first n elements of a zero-mean vector of n + 1.
    [RmsNorm(Compressed = true)]
    public static partial void RmsNormCompressedFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [RmsNorm(Compressed = true, Affine = false, Epsilon = 0)]
    public static partial void RmsNormCompressedPlainDEps0(ReadOnlySpan<double> input, Span<double> output);

    [RmsNorm(Compressed = true, Width = 63, WeightOffset = 1)]
    public static partial void RmsNormCompressedGemmaFW63Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [RmsNorm(Width = 64)]
    public static partial void RmsNormFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [RmsNorm(Width = 4096)]
    public static partial void RmsNormFW4096(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);

    // Fixed widths past the rows kept in registers and within the chained rows' limit (8 KiB): {Path}RowChain with a constant n.
    [RmsNorm(Width = 1000, WeightOffset = 1)]
    public static partial void RmsNormGemmaFW1000Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    [L2Normalize(Width = 300, Unroll = 3)]
    public static partial void L2NormalizeDW300U3Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LayerNorm(Residual = true)]
    public static partial void LayerNormResidualFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> sum, int rowLength);

    [LayerNorm(Residual = true, Affine = false)]
    public static partial void LayerNormResidualPlainD(ReadOnlySpan<double> input, ReadOnlySpan<double> residual, Span<double> output, Span<double> sum);

    [LayerNorm(Residual = true, Width = 100)]
    public static partial void LayerNormResidualFW100Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> sum, int rowLength);

    [RmsNorm(Residual = true)]
    public static partial void RmsNormResidualF(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, Span<float> sum);

    [RmsNorm(Residual = true, WeightOffset = 1, Unroll = 2)]
    public static partial void RmsNormResidualGemmaDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> residual, ReadOnlySpan<double> weight, Span<double> output, Span<double> sum, int rowLength);

    [RmsNorm(Residual = true, Width = 64)]
    public static partial void RmsNormResidualFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, Span<float> sum, int rowLength);

    [L2Normalize]
    public static partial void L2NormalizeF(ReadOnlySpan<float> input, Span<float> output);

    [L2Normalize(Epsilon = 1e-6)]
    public static partial void L2NormalizeDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [L2Normalize(Epsilon = 0, Unroll = 2)]
    public static partial void L2NormalizeFEps0U2Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [L2Normalize(Width = 64)]
    public static partial void L2NormalizeFW64Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);
}
