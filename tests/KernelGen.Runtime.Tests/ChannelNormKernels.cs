// The [BatchNorm] and [PowerNorm] kernels the runtime tests exercise: each element type × shape × option that
// changes the emitted code or the signature (Affine, Epsilon = 0, Width below and above the fold's chunk, Unroll).
using System;

namespace KernelGen.Tests;

/// <summary>Inference-time per-channel normalization kernels under test; <see cref="ChannelNormCatalog"/> finds them by reflection.</summary>
public static partial class ChannelNormKernels
{
    [BatchNorm]
    public static partial void BatchNormF(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

    [BatchNorm]
    public static partial void BatchNormFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [BatchNorm]
    public static partial void BatchNormD(ReadOnlySpan<double> input, ReadOnlySpan<double> runningMean, ReadOnlySpan<double> runningVariance, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [BatchNorm(Unroll = 3, Epsilon = 1e-3)]
    public static partial void BatchNormDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> runningMean, ReadOnlySpan<double> runningVariance, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [BatchNorm(Affine = false, Unroll = 1)]
    public static partial void BatchNormPlainFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, Span<float> output, int rowLength);

    [BatchNorm(Affine = false)]
    public static partial void BatchNormPlainD(ReadOnlySpan<double> input, ReadOnlySpan<double> runningMean, ReadOnlySpan<double> runningVariance, Span<double> output);

    [BatchNorm(Width = 1)]
    public static partial void BatchNormFW1Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [BatchNorm(Width = 7)]
    public static partial void BatchNormDW7Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> runningMean, ReadOnlySpan<double> runningVariance, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [BatchNorm(Width = 64)]
    public static partial void BatchNormFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [BatchNorm(Width = 1500, Unroll = 2)]
    public static partial void BatchNormFW1500Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [BatchNorm(Epsilon = 0)]
    public static partial void BatchNormEps0FRows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [PowerNorm]
    public static partial void PowerNormF(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

    [PowerNorm]
    public static partial void PowerNormDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> runningQuadraticMean, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [PowerNorm(Unroll = 2)]
    public static partial void PowerNormDU2(ReadOnlySpan<double> input, ReadOnlySpan<double> runningQuadraticMean, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [PowerNorm(Affine = false, Unroll = 1)]
    public static partial void PowerNormPlainFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, Span<float> output, int rowLength);

    [PowerNorm(Width = 64)]
    public static partial void PowerNormFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [PowerNorm(Epsilon = 0, Width = 5)]
    public static partial void PowerNormEps0DW5Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> runningQuadraticMean, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);
}

/// <summary>[PowerNorm(Training = true)] kernels: ψ² is a Span the call updates. <see cref="PowerNormTrainingTests"/> runs them.</summary>
public static partial class PowerNormTrainingKernels
{
    [PowerNorm(Training = true)]
    public static partial void TrainF(ReadOnlySpan<float> input, Span<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

    [PowerNorm(Training = true, Momentum = 0.25)]
    public static partial void TrainFRows(ReadOnlySpan<float> input, Span<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [PowerNorm(Training = true, Unroll = 3)]
    public static partial void TrainDU3Rows(ReadOnlySpan<double> input, Span<double> runningQuadraticMean, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [PowerNorm(Training = true, Affine = false, Momentum = 1)]
    public static partial void TrainPlainFRows(ReadOnlySpan<float> input, Span<float> runningQuadraticMean, Span<float> output, int rowLength);

    [PowerNorm(Training = true, Affine = false, Momentum = 0)]
    public static partial void TrainPlainD(ReadOnlySpan<double> input, Span<double> runningQuadraticMean, Span<double> output);

    [PowerNorm(Training = true, Width = 64)]
    public static partial void TrainFW64Rows(ReadOnlySpan<float> input, Span<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [PowerNorm(Training = true, Width = 1500, Unroll = 2)]
    public static partial void TrainDW1500Rows(ReadOnlySpan<double> input, Span<double> runningQuadraticMean, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);
}
