using System;

namespace KernelGen.Benchmarks.Kernels;

/// <summary>
/// The generated cross-entropy kernels under test, float, many rows (one target per row,
/// <c>logits.Length / targets.Length</c> classes each), PyTorch's defaults: mean over the rows whose
/// target is not the ignore index (−100), no label smoothing, no z-loss.
/// </summary>
public static partial class BenchKernels
{
    // Forward only: returns the mean loss, reading the logits once (the online normalizer).
    [CrossEntropy]
    public static partial float CrossEntropyMean(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    // Forward and gradient in one call: returns the mean loss and writes
    // (softmax(z) − onehot(y)) / (rows that count) into the gradient (0 on ignored rows).
    [CrossEntropy]
    public static partial float CrossEntropyMeanGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    /// <summary>s of <see cref="ArcFaceMeanGradient"/>.</summary>
    public const double ArcFaceScale = 64;

    /// <summary>m of <see cref="ArcFaceMeanGradient"/>.</summary>
    public const double ArcFaceMargin = 0.5;

    // ArcFace on cosines, forward and gradient in one call: the mean of CE(s·c with the target's s·cos(θ_y + m)).
    [MarginSoftmaxLoss(Scale = ArcFaceScale, M2 = ArcFaceMargin)]
    public static partial float ArcFaceMeanGradient(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, Span<float> gradient);

    /// <summary>P of <see cref="InfoNceDecoupledMeanGradient"/>: the positives' slots per row.</summary>
    public const int InfoNcePositives = 4;

    /// <summary>τ of <see cref="InfoNceDecoupledMeanGradient"/>.</summary>
    public const double InfoNceTemperature = 0.1;

    // Decoupled InfoNCE (DecoupledSoftmax) with up to four positives per row, forward and gradient in one call.
    [InfoNceLoss(Decoupled = true, Positives = InfoNcePositives, Temperature = InfoNceTemperature)]
    public static partial float InfoNceDecoupledMeanGradient(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient);

    // The spherical Z-loss (de Brébisson & Vincent's a = 0.1, b = 10), mean, with the gradient.
    [SphericalZLoss]
    public static partial float SphericalZLossMeanGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    // PyTorch's multi_margin_loss (Weston–Watkins, p = 1, margin 1), mean, forward only and with the gradient.
    [MultiMarginLoss]
    public static partial float MultiMarginLossMean(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

    [MultiMarginLoss]
    public static partial float MultiMarginLossMeanGradient(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

    // PyTorch's BCEWithLogitsLoss on multi-label logits (targets of the same shape), mean over every element: forward only,
    // and with the gradient (σ(z) − y)/N in the same pass.
    [BinaryCrossEntropy]
    public static partial float BinaryCrossEntropyMean(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets);

    [BinaryCrossEntropy]
    public static partial float BinaryCrossEntropyMeanGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient);

    // torchvision's sigmoid_focal_loss (γ = 2, α = 0.25), mean, with the gradient.
    [FocalLoss(Sigmoid = true)]
    public static partial float SigmoidFocalLossMeanGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient);

    // Knowledge distillation (Hinton et al.): T²·KL(softmax(teacher/T) ‖ softmax(student/T)), 'batchmean', T = 2.
    [KLDivergence(Temperature = 2)]
    public static partial float KLDivergenceMean(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength);

    // The same with the gradient T·(p − q)/rows with respect to the student's logits, in the same call.
    [KLDivergence(Temperature = 2)]
    public static partial float KLDivergenceMeanGradient(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient);
}
