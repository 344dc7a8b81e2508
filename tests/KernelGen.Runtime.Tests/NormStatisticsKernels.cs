// The normalization kernels with StatisticsOutput = true (per-row μ and 1/σ, or RmsNorm's 1/RMS): each kind ×
// element type × shape × option that changes where the statistics are written (looped rows, rows kept in
// registers, the scalar row, a fused residual, CRMSNorm).
using System;

namespace KernelGen.Tests;

/// <summary>Normalizations that write their statistics; <see cref="NormStatisticsTests"/> finds them by reflection.</summary>
public static partial class NormStatisticsKernels
{
    [LayerNorm(StatisticsOutput = true)]
    public static partial void LayerNormStatsF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev);

    [LayerNorm(StatisticsOutput = true)]
    public static partial void LayerNormStatsFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev, int rowLength);

    [LayerNorm(StatisticsOutput = true)]
    public static partial void LayerNormStatsD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, Span<double> mean, Span<double> inverseStdDev);

    [LayerNorm(StatisticsOutput = true, Epsilon = 1e-6, Unroll = 3)]
    public static partial void LayerNormStatsDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, Span<double> mean, Span<double> inverseStdDev, int rowLength);

    [LayerNorm(StatisticsOutput = true, Affine = false)]
    public static partial void LayerNormPlainStatsDRows(ReadOnlySpan<double> input, Span<double> output, Span<double> mean, Span<double> inverseStdDev, int rowLength);

    [LayerNorm(StatisticsOutput = true, Width = 7)]
    public static partial void LayerNormStatsFW7Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev, int rowLength);

    [LayerNorm(StatisticsOutput = true, Width = 64)]
    public static partial void LayerNormStatsDW64Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, Span<double> mean, Span<double> inverseStdDev, int rowLength);

    [LayerNorm(StatisticsOutput = true, Residual = true)]
    public static partial void LayerNormResidualStatsFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> sum, Span<float> mean, Span<float> inverseStdDev, int rowLength);

    [RmsNorm(StatisticsOutput = true)]
    public static partial void RmsNormStatsF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, Span<float> inverseStdDev);

    [RmsNorm(StatisticsOutput = true, Epsilon = 1e-5)]
    public static partial void RmsNormStatsDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output, Span<double> inverseStdDev, int rowLength);

    [RmsNorm(StatisticsOutput = true, WeightOffset = 1, Width = 64)]
    public static partial void RmsNormGemmaStatsFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, Span<float> inverseStdDev, int rowLength);

    [RmsNorm(StatisticsOutput = true, Compressed = true)]
    public static partial void RmsNormCompressedStatsFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, Span<float> inverseStdDev, int rowLength);

    [RmsNorm(StatisticsOutput = true, Affine = false)]
    public static partial void RmsNormPlainStatsD(ReadOnlySpan<double> input, Span<double> output, Span<double> inverseStdDev);

    [RmsNorm(StatisticsOutput = true, Residual = true)]
    public static partial void RmsNormResidualStatsDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> residual, ReadOnlySpan<double> weight, Span<double> output, Span<double> sum, Span<double> inverseStdDev, int rowLength);
}
