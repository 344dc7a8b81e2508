// The elementwise losses under test: [BinaryCrossEntropy] and [FocalLoss(Sigmoid = true)], each shape and option,
// float and double (BinaryCrossEntropyTests finds them by reflection).
using System;

namespace KernelGen.Tests;

/// <summary>Binary cross-entropy and sigmoid focal kernels.</summary>
public static partial class BinaryLossKernels
{
    [BinaryCrossEntropy]
    public static partial float BceMeanF(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets);

    [BinaryCrossEntropy]
    public static partial float BceMeanGradF(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient);

    [BinaryCrossEntropy(Reduction = LossReduction.Sum)]
    public static partial double BceSumGradD(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, Span<double> gradient);

    [BinaryCrossEntropy(Reduction = LossReduction.None)]
    public static partial void BceNoneGradF(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> losses, Span<float> gradient);

    [BinaryCrossEntropy(Weights = true, PosWeight = true)]
    public static partial double BceWeightsPosWeightMeanGradD(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, ReadOnlySpan<double> weight, ReadOnlySpan<double> posWeight, Span<double> gradient);

    [BinaryCrossEntropy(PosWeight = true, Reduction = LossReduction.None, Unroll = 1)]
    public static partial void BcePosWeightNoneGradFU1(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> posWeight, Span<float> losses, Span<float> gradient);

    [BinaryCrossEntropy(Weights = true, Reduction = LossReduction.Sum, Unroll = 3)]
    public static partial float BceWeightsSumGradFU3(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weight, Span<float> gradient);

    [FocalLoss(Sigmoid = true)]
    public static partial float SigmoidFocalMeanGradF(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient);

    [FocalLoss(Sigmoid = true, Gamma = 0.5, Alpha = -1, Reduction = LossReduction.None)]
    public static partial void SigmoidFocalGamma05NoneGradD(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, Span<double> losses, Span<double> gradient);

    [FocalLoss(Sigmoid = true, Gamma = 1.5, Alpha = 0.75, ClassWeights = true, Reduction = LossReduction.Sum)]
    public static partial double SigmoidFocalGamma15ClassWeightsSumGradD(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [FocalLoss(Sigmoid = true, Gamma = 0, Alpha = -1, Reduction = LossReduction.Sum)]
    public static partial float SigmoidFocalGamma0SumGradF(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient);

    [FocalLoss(Sigmoid = true, Gamma = 2.5, Alpha = 0.25)]
    public static partial float SigmoidFocalGamma25MeanF(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets);

    [FocalLoss(Sigmoid = true, Gamma = 3, Reduction = LossReduction.Sum)]
    public static partial double SigmoidFocalGamma3SumGradD(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, Span<double> gradient);
}
