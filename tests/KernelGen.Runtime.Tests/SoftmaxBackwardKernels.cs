// The [Softmax(Backward = true)] and [LogSoftmax(Backward = true)] kernels the runtime tests exercise: float and
// double, one row and many rows, a scale and temperature, a Width, an Unroll.
using System;

namespace KernelGen.Tests;

/// <summary>Softmax backward kernels under test; <see cref="SoftmaxBackwardTests"/> finds them by reflection.</summary>
public static partial class SoftmaxBackwardKernels
{
    [Softmax(Backward = true)]
    public static partial void SoftmaxBackwardF(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    [Softmax(Backward = true)]
    public static partial void SoftmaxBackwardFRows(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [Softmax(Backward = true)]
    public static partial void SoftmaxBackwardDRows(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [Softmax(Backward = true, Scale = 0.125, Temperature = 0.5, Unroll = 3)]
    public static partial void SoftmaxBackwardScaledD(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);

    [Softmax(Backward = true, Width = 64)]
    public static partial void SoftmaxBackwardFW64Rows(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [LogSoftmax(Backward = true)]
    public static partial void LogSoftmaxBackwardF(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    [LogSoftmax(Backward = true)]
    public static partial void LogSoftmaxBackwardDRows(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);

    [LogSoftmax(Backward = true, Temperature = 2)]
    public static partial void LogSoftmaxBackwardTemperatureFRows(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [LogSoftmax(Backward = true, Width = 7, Unroll = 2)]
    public static partial void LogSoftmaxBackwardDW7Rows(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, int rowLength);
}
