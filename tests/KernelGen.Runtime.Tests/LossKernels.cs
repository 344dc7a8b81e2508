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

    // Sum: a row's gradient does not depend on the other rows, so a streamed call and row-by-row calls must agree bit for bit.
    [CrossEntropy(Reduction = LossReduction.Sum)]
    public static partial float CrossEntropySumGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    // The plain cross-entropy's gradient out of cache runs as a pipeline of rows (StreamingTests): per-row losses, an odd
    // unroll, and double.
    [CrossEntropy(Reduction = LossReduction.None, Unroll = 3)]
    public static partial void CrossEntropyNoneGradFU3Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> gradient);

    [CrossEntropy(Reduction = LossReduction.Sum)]
    public static partial double CrossEntropySumGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);

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

    // ClassWeights, SampleWeights, Softcap and the per-row outputs (spans in the fixed order: logits, target(s),
    // classWeights, sampleWeights, losses, lse, predictions, entropy, gradient).
    [CrossEntropy(ClassWeights = true)]
    public static partial float CrossEntropyClassWeightsMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, Span<float> gradient);

    [CrossEntropy(ClassWeights = true, LabelSmoothing = 0.1, Reduction = LossReduction.Sum)]
    public static partial double CrossEntropyClassWeightsSmoothSumGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [CrossEntropy(SampleWeights = true)]
    public static partial double CrossEntropySampleWeightsMeanGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> sampleWeights, Span<double> gradient);

    [CrossEntropy(ClassWeights = true, SampleWeights = true, LabelSmoothing = 0.05, ZLoss = 1e-3, Unroll = 3)]
    public static partial float CrossEntropyWeightsSmoothZGradFU3Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, ReadOnlySpan<float> sampleWeights, Span<float> gradient);

    [CrossEntropy(ClassWeights = true, SampleWeights = true, LabelSmoothing = 0.05, ZLoss = 1e-3)]
    public static partial double CrossEntropyWeightsSmoothZGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, ReadOnlySpan<double> sampleWeights, Span<double> gradient);

    [CrossEntropy(Softcap = 30)]
    public static partial float CrossEntropySoftcapMeanGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    [CrossEntropy(Softcap = 15, ClassWeights = true, LabelSmoothing = 0.1)]
    public static partial double CrossEntropySoftcapWeightsSmoothGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [CrossEntropy(Reduction = LossReduction.None, LseOutput = true, PredictionOutput = true, EntropyOutput = true, Softcap = 20)]
    public static partial void CrossEntropyNoneOutputsSoftcapGradFRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> lse, Span<int> predictions, Span<float> entropy, Span<float> gradient);

    [CrossEntropy(LseOutput = true, EntropyOutput = true)]
    public static partial double CrossEntropyLseEntropyDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> lse, Span<double> entropy);

    [CrossEntropy(ClassWeights = true, LabelSmoothing = 0.2, ZLoss = 1e-3)]
    public static partial double CrossEntropyClassWeightsSmoothZGradD(ReadOnlySpan<double> logits, int target, ReadOnlySpan<double> classWeights, Span<double> gradient);

    [CrossEntropy(PredictionOutput = true, ClassWeights = true, Width = 10, Reduction = LossReduction.Sum)]
    public static partial float CrossEntropyPredictionsClassWeightsSumFW10Rows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, Span<int> predictions);

    [CrossEntropy(Reduction = LossReduction.None, ClassWeights = true, SampleWeights = true, Softcap = 5, LabelSmoothing = 0.1, EntropyOutput = true)]
    public static partial void CrossEntropyNoneWeightsSoftcapGradDRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, ReadOnlySpan<double> sampleWeights, Span<double> losses, Span<double> entropy, Span<double> gradient);
}
