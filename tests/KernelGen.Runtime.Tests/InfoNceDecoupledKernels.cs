// The decoupled InfoNCE kernels under test ([InfoNceLoss(Decoupled = true)]): float and double, each reduction, sample
// weights, a fixed width, an unroll, no gradient, P = 1 next to the single-positive kernel it must equal.
using System;

namespace KernelGen.Tests;

/// <summary>[InfoNceLoss(Decoupled = true)] kernels; <see cref="InfoNceDecoupledTests"/> lists them.</summary>
public static partial class InfoNceDecoupledKernels
{
    [InfoNceLoss(Decoupled = true, Positives = 4, Temperature = 0.1)]
    public static partial float P4MeanGradF(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient);

    [InfoNceLoss(Decoupled = true, Positives = 3, Temperature = 0.5, Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void P3NoneGradD(ReadOnlySpan<double> similarities, ReadOnlySpan<int> positives, Span<double> losses, Span<double> gradient);

    [InfoNceLoss(Decoupled = true, Positives = 2, Reduction = LossReduction.Sum, SampleWeights = true, Unroll = 3)]
    public static partial float P2SumWeightsGradFU3(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, ReadOnlySpan<float> sampleWeights, Span<float> gradient);

    [InfoNceLoss(Decoupled = true, Positives = 4, Temperature = 0.2, SampleWeights = true, Width = 33)]
    public static partial double P4MeanWeightsGradDW33(ReadOnlySpan<double> similarities, ReadOnlySpan<int> positives, ReadOnlySpan<double> sampleWeights, Span<double> gradient);

    [InfoNceLoss(Decoupled = true, Positives = 4, Temperature = 0.1)]
    public static partial float P4MeanF(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives);

    [InfoNceLoss(Decoupled = true, Temperature = 0.1)]
    public static partial float P1MeanGradF(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient);

    // The single-positive kernel that P1MeanGradF must equal.
    [InfoNceLoss(Temperature = 0.1)]
    public static partial float SingleMeanGradF(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient);
}
