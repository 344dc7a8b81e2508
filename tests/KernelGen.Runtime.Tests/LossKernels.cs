// The loss kernels the runtime tests exercise: each option and shape that changes the emitted code
// or the signature, in float and double.
using System;

namespace KernelGen.Tests;

/// <summary>Cross-entropy kernels under test; <see cref="LossCatalog"/> finds them by reflection.</summary>
public static partial class LossKernels
{
    [CrossEntropy]
    public static partial float CrossEntropyF(ReadOnlySpan<float> logits, int target);

    [CrossEntropy]
    public static partial float CrossEntropyGradF(ReadOnlySpan<float> logits, int target, Span<float> gradient);

    [CrossEntropy]
    public static partial float CrossEntropyMeanFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    [CrossEntropy]
    public static partial float CrossEntropyMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [CrossEntropy(Reduction = LossReduction.Sum, Unroll = 2)]
    public static partial double CrossEntropySumDU2Rows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets);

    [CrossEntropy(Reduction = LossReduction.Sum, LabelSmoothing = 0.1, ZLoss = 1e-4)]
    public static partial double CrossEntropySumSmoothZGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

    [CrossEntropy(Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void CrossEntropyNoneFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);

    [CrossEntropy(Reduction = LossReduction.None, LabelSmoothing = 0.2)]
    public static partial void CrossEntropyNoneSmoothGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> gradient);

    [CrossEntropy(LabelSmoothing = 0.05, ZLoss = 1e-3, Unroll = 3)]
    public static partial float CrossEntropyMeanSmoothZGradFU3Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [CrossEntropy(Width = 10)]
    public static partial double CrossEntropyMeanGradDW10Rows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

    [CrossEntropy(Width = 100, LabelSmoothing = 0.1)]
    public static partial float CrossEntropyMeanSmoothGradFW100Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [CrossEntropy(ZLoss = 1e-4)]
    public static partial double CrossEntropyZGradD(ReadOnlySpan<double> logits, int target, Span<double> gradient);
}
