// The margin softmax and InfoNCE losses under test ([MarginSoftmaxLoss], [InfoNceLoss]): each shape and option, float
// and double, ArcFace, CosFace, SphereFace, their combination, per-row (ElasticFace) margins, and the settings that
// reduce to the cross-entropy (m = 0 with s = 1; τ = 1).
using System;

namespace KernelGen.Tests;

/// <summary>Margin softmax and InfoNCE kernels; <see cref="LossCatalog.MarginLosses"/> finds them by reflection.</summary>
public static partial class LossKernels
{
    [MarginSoftmaxLoss(Scale = 64, M2 = 0.5)]
    public static partial float ArcFaceMeanGradFRows(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, Span<float> gradient);

    [MarginSoftmaxLoss(Scale = 30, M2 = 0.5)]
    public static partial double ArcFaceGradD(ReadOnlySpan<double> cosines, int target, Span<double> gradient);

    [MarginSoftmaxLoss(Scale = 64, M3 = 0.35, Reduction = LossReduction.Sum, Unroll = 3)]
    public static partial float CosFaceSumGradFU3Rows(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, Span<float> gradient);

    [MarginSoftmaxLoss(Scale = 16, M1 = 1.35, Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void SphereFaceNoneGradDRows(ReadOnlySpan<double> cosines, ReadOnlySpan<int> targets, Span<double> losses, Span<double> gradient);

    [MarginSoftmaxLoss(Scale = 32, M1 = 1.1, M2 = 0.3, M3 = 0.2, ClassWeights = true)]
    public static partial double CombinedClassWeightsMeanGradDRows(ReadOnlySpan<double> cosines, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [MarginSoftmaxLoss(Scale = 64, M3 = 0.35, SampleMargins = SampleMargin.Angular)]
    public static partial float ElasticArcMeanGradFRows(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, ReadOnlySpan<float> margins, Span<float> gradient);

    [MarginSoftmaxLoss(Scale = 20, SampleMargins = SampleMargin.Cosine, SampleWeights = true, Reduction = LossReduction.None)]
    public static partial void ElasticCosNoneGradDRows(ReadOnlySpan<double> cosines, ReadOnlySpan<int> targets, ReadOnlySpan<double> sampleWeights, ReadOnlySpan<double> margins, Span<double> losses, Span<double> gradient);

    [MarginSoftmaxLoss(Scale = 64, M2 = 0.5, Width = 10)]
    public static partial float ArcFaceFW10Rows(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets);

    [MarginSoftmaxLoss(Scale = 1)]
    public static partial float NormalizedSoftmaxS1MeanGradFRows(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, Span<float> gradient);

    [MarginSoftmaxLoss(Scale = 64, M2 = 0.5)]
    public static partial float ArcFaceF(ReadOnlySpan<float> cosines, int target);

    [InfoNceLoss]
    public static partial float InfoNceMeanGradFRows(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient);

    [InfoNceLoss(Temperature = 0.5, Reduction = LossReduction.None)]
    public static partial void InfoNceNoneGradDRows(ReadOnlySpan<double> similarities, ReadOnlySpan<int> positives, Span<double> losses, Span<double> gradient);

    [InfoNceLoss(Temperature = 1)]
    public static partial float InfoNceTau1MeanGradFRows(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient);

    [InfoNceLoss(Temperature = 0.1, Reduction = LossReduction.Sum, Width = 33)]
    public static partial double InfoNceSumGradDW33Rows(ReadOnlySpan<double> similarities, ReadOnlySpan<int> positives, Span<double> gradient);

    [InfoNceLoss(Temperature = 0.2)]
    public static partial double InfoNceGradD(ReadOnlySpan<double> similarities, int positive, Span<double> gradient);
}
