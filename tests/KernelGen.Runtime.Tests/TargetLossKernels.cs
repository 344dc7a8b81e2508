// The losses of the target probability under test ([CompSumLoss], [FocalLoss], [DiceLoss]): each shape and option,
// float and double, and the parameters that reduce to the cross-entropy (τ = 1; γ = 0, α = 1).
using System;

namespace KernelGen.Tests;

/// <summary>Comp-sum, focal and Dice kernels; <see cref="LossCatalog.TargetLosses"/> finds them by reflection.</summary>
public static partial class LossKernels
{
    [CompSumLoss(Tau = 0)]
    public static partial float CompSumTau0F(ReadOnlySpan<float> logits, int target);

    [CompSumLoss(Tau = 0)]
    public static partial double CompSumTau0MeanGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

    [CompSumLoss(Tau = 0.5, ClassWeights = true)]
    public static partial double CompSumTau05ClassWeightsGradD(ReadOnlySpan<double> logits, int target, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [CompSumLoss]
    public static partial float CompSumTau1MeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [CompSumLoss(Tau = 1.5, Reduction = LossReduction.Sum, ClassWeights = true, Unroll = 3)]
    public static partial float CompSumTau15ClassWeightsSumGradFU3Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, Span<float> gradient);

    [CompSumLoss(Tau = 2, Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void CompSumTau2NoneGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, Span<double> gradient);

    [FocalLoss(Gamma = 0, Alpha = 1)]
    public static partial float FocalGamma0MeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [FocalLoss]
    public static partial float FocalMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [FocalLoss(Gamma = 1)]
    public static partial double FocalGamma1GradD(ReadOnlySpan<double> logits, int target, Span<double> gradient);

    [FocalLoss(Gamma = 2, Alpha = 0.25, ClassWeights = true, Reduction = LossReduction.Sum)]
    public static partial double FocalClassWeightsSumGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [FocalLoss(Gamma = 0.5, Reduction = LossReduction.None, SampleWeights = true)]
    public static partial void FocalGamma05NoneSampleWeightsGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> sampleWeights, Span<double> losses, Span<double> gradient);

    [FocalLoss(Gamma = 3, Width = 10)]
    public static partial float FocalGamma3FW10Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    [DiceLoss]
    public static partial double DiceAlpha0MeanGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

    [DiceLoss(Alpha = 0.5, Reduction = LossReduction.None)]
    public static partial void DiceAlpha05NoneGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> gradient);

    [DiceLoss(Alpha = 2, Gamma = 0.5, ClassWeights = true, SampleWeights = true, Reduction = LossReduction.Sum)]
    public static partial double DiceAlpha2WeightsSumGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, ReadOnlySpan<double> sampleWeights, Span<double> gradient);

    [DiceLoss(Alpha = 1, Width = 10)]
    public static partial float DiceAlpha1FW10(ReadOnlySpan<float> logits, int target);

    [DiceLoss(Alpha = 1, Gamma = 0)]
    public static partial float DiceAlpha1Gamma0MeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);
}
