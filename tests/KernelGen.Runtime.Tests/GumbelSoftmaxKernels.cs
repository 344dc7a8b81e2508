// The [GumbelSoftmax] kernels the runtime tests exercise: noise from the caller and seeded, each element type, both
// shapes, Hard, and the options that change the emitted code (Temperature, Width, Unroll, Targets).
using System;

namespace KernelGen.Tests;

/// <summary>[GumbelSoftmax] kernels under test; <see cref="GumbelSoftmaxTests"/> finds them by reflection.</summary>
public static partial class GumbelSoftmaxKernels
{
    [GumbelSoftmax]
    public static partial void NoiseF(ReadOnlySpan<float> logits, ReadOnlySpan<float> uniform, Span<float> output);

    [GumbelSoftmax]
    public static partial void NoiseFRows(ReadOnlySpan<float> logits, ReadOnlySpan<float> uniform, Span<float> output, int rowLength);

    [GumbelSoftmax(Temperature = 0.5)]
    public static partial void NoiseHalfD(ReadOnlySpan<double> logits, ReadOnlySpan<double> uniform, Span<double> output);

    [GumbelSoftmax(Unroll = 3)]
    public static partial void NoiseDU3Rows(ReadOnlySpan<double> logits, ReadOnlySpan<double> uniform, Span<double> output, int rowLength);

    [GumbelSoftmax]
    public static partial void SeededF(ReadOnlySpan<float> logits, Span<float> output, ulong seed);

    [GumbelSoftmax(Temperature = 0.1)]
    public static partial void SeededTenthFRows(ReadOnlySpan<float> logits, Span<float> output, ulong seed, int rowLength);

    [GumbelSoftmax]
    public static partial void SeededD(ReadOnlySpan<double> logits, Span<double> output, ulong seed);

    [GumbelSoftmax(Temperature = 0.01)]
    public static partial void SeededSmallDRows(ReadOnlySpan<double> logits, Span<double> output, ulong seed, int rowLength);

    [GumbelSoftmax(Width = 7, Unroll = 2)]
    public static partial void SeededFW7U2Rows(ReadOnlySpan<float> logits, Span<float> output, ulong seed, int rowLength);

    [GumbelSoftmax(Targets = KernelTargets.Avx2 | KernelTargets.Vector128)]
    public static partial void SeededAvx2OnlyF(ReadOnlySpan<float> logits, Span<float> output, ulong seed);

    [GumbelSoftmax(Hard = true)]
    public static partial void HardNoiseF(ReadOnlySpan<float> logits, ReadOnlySpan<float> uniform, Span<float> output);

    [GumbelSoftmax(Hard = true)]
    public static partial void HardNoiseDRows(ReadOnlySpan<double> logits, ReadOnlySpan<double> uniform, Span<double> output, int rowLength);

    [GumbelSoftmax(Hard = true, Temperature = 0.3)]
    public static partial void HardSeededFRows(ReadOnlySpan<float> logits, Span<float> output, ulong seed, int rowLength);

    [GumbelSoftmax(Hard = true, Width = 5)]
    public static partial void HardSeededDW5(ReadOnlySpan<double> logits, Span<double> output, ulong seed);
}
