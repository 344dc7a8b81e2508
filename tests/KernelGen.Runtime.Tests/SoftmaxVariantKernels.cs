// The softmax-variant kernels the runtime tests exercise ([StableMax] and its log form, [SoftplusNormalize],
// [SigmoidNormalize], [TaylorSoftmax], [SphericalSoftmax]; forward and Backward = true): each element type, both
// shapes, and each option that changes the emitted code (Scale, TrainingLength, Bias, Order, Epsilon, Width, Unroll).
using System;

namespace KernelGen.Tests;

/// <summary>Softmax-variant kernels under test; <see cref="SoftmaxVariantTests"/> finds them by reflection.</summary>
public static partial class SoftmaxVariantKernels
{
    [StableMax]
    public static partial void StableMaxF(ReadOnlySpan<float> input, Span<float> output);

    [StableMax]
    public static partial void StableMaxFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [StableMax]
    public static partial void StableMaxD(ReadOnlySpan<double> input, Span<double> output);

    [StableMax(Unroll = 3)]
    public static partial void StableMaxDU3Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [StableMax(Width = 7)]
    public static partial void StableMaxFW7Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [StableMax(Log = true)]
    public static partial void LogStableMaxF(ReadOnlySpan<float> input, Span<float> output);

    [StableMax(Log = true, Unroll = 1)]
    public static partial void LogStableMaxDU1Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [SoftplusNormalize]
    public static partial void SoftplusF(ReadOnlySpan<float> input, Span<float> output);

    [SoftplusNormalize(Scale = 0.5)]
    public static partial void SoftplusHalfDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [SoftplusNormalize(TrainingLength = 64)]
    public static partial void SoftplusLengthFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [SigmoidNormalize]
    public static partial void SigmoidF(ReadOnlySpan<float> input, Span<float> output);

    [SigmoidNormalize]
    public static partial void SigmoidDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [SigmoidNormalize(Bias = -2, Width = 33)]
    public static partial void SigmoidBiasFW33Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [TaylorSoftmax]
    public static partial void TaylorF(ReadOnlySpan<float> input, Span<float> output);

    [TaylorSoftmax]
    public static partial void TaylorDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [TaylorSoftmax(Order = 4, Unroll = 2)]
    public static partial void Taylor4FU2Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [TaylorSoftmax(Order = 6)]
    public static partial void Taylor6D(ReadOnlySpan<double> input, Span<double> output);

    [SphericalSoftmax]
    public static partial void SphericalF(ReadOnlySpan<float> input, Span<float> output);

    [SphericalSoftmax(Epsilon = 0.01)]
    public static partial void SphericalDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [SphericalSoftmax(Epsilon = 0)]
    public static partial void SphericalZeroEpsilonF(ReadOnlySpan<float> input, Span<float> output);

    [StableMax(Backward = true)]
    public static partial void StableMaxBackwardF(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    [StableMax(Backward = true)]
    public static partial void StableMaxBackwardDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [StableMax(Backward = true, Log = true)]
    public static partial void LogStableMaxBackwardF(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    [StableMax(Backward = true, Log = true, Width = 20)]
    public static partial void LogStableMaxBackwardDW20Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [SoftplusNormalize(Backward = true, Scale = 0.5)]
    public static partial void SoftplusBackwardFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [SigmoidNormalize(Backward = true)]
    public static partial void SigmoidBackwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);

    [TaylorSoftmax(Backward = true, Order = 4)]
    public static partial void Taylor4BackwardFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [SphericalSoftmax(Backward = true)]
    public static partial void SphericalBackwardD(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);
}
