// The losses of row statistics under test ([SphericalZLoss], [MultiMarginLoss]): each shape and option, float and double.
using System;

namespace KernelGen.Tests;

/// <summary>Z-loss and multi-class hinge kernels; <see cref="LossCatalog.RowLosses"/> finds them by reflection.</summary>
public static partial class LossKernels
{
    [SphericalZLoss]
    public static partial float ZLossF(ReadOnlySpan<float> logits, int target);

    [SphericalZLoss(A = 1, B = 2)]
    public static partial double ZLossGradD(ReadOnlySpan<double> logits, int target, Span<double> gradient);

    [SphericalZLoss(A = 1, B = 2)]
    public static partial float ZLossMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [SphericalZLoss(Reduction = LossReduction.Sum, Unroll = 3)]
    public static partial double ZLossSumGradDU3Rows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

    [SphericalZLoss(A = 0.5, B = 3, Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void ZLossNoneGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> gradient);

    [SphericalZLoss(Width = 10)]
    public static partial float ZLossFW10Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    [SphericalZLoss(A = 2, B = 1)]
    public static partial double ZLossMeanGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

    [MultiMarginLoss]
    public static partial float MarginF(ReadOnlySpan<float> logits, int target);

    [MultiMarginLoss]
    public static partial double MarginGradD(ReadOnlySpan<double> logits, int target, Span<double> gradient);

    [MultiMarginLoss]
    public static partial float MarginMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [MultiMarginLoss(Squared = true, Margin = 0.5, ClassWeights = true)]
    public static partial double MarginSquaredClassWeightsMeanGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [MultiMarginLoss(Reduction = LossReduction.None, Margin = 2, Unroll = 3)]
    public static partial void MarginNoneGradDU3Rows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, Span<double> gradient);

    [MultiMarginLoss(Squared = true, Reduction = LossReduction.Sum)]
    public static partial float MarginSquaredSumGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [MultiMarginLoss(Squared = true, Width = 10)]
    public static partial float MarginSquaredFW10Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    [MultiMarginLoss(Form = MultiMarginForm.CrammerSinger)]
    public static partial float CrammerSingerMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [MultiMarginLoss(Form = MultiMarginForm.CrammerSinger, ClassWeights = true)]
    public static partial double CrammerSingerClassWeightsGradD(ReadOnlySpan<double> logits, int target, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [MultiMarginLoss(Form = MultiMarginForm.CrammerSinger, Squared = true, ClassWeights = true, Reduction = LossReduction.Sum, Unroll = 3)]
    public static partial double CrammerSingerSquaredSumGradDU3Rows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [MultiMarginLoss(Form = MultiMarginForm.CrammerSinger, Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void CrammerSingerNoneGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> gradient);

    [MultiMarginLoss(Form = MultiMarginForm.CrammerSinger, Width = 10)]
    public static partial float CrammerSingerFW10(ReadOnlySpan<float> logits, int target);
}
