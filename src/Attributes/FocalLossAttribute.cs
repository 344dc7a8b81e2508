using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the softmax focal loss of Lin et al.
/// ("Focal Loss for Dense Object Detection", ICCV 2017) over rows of logits z with integer class targets y:
/// <c>ℓ = −α·w_y·(1 − p_y)^γ·log p_y</c>, <c>p_y = softmax(z)_y</c>, with α the scalar <see cref="Alpha"/> and
/// w_y the class weight (α_t per class) when <see cref="TargetProbabilityLossAttribute.ClassWeights"/> is set. γ = 0, α = 1 is the cross-entropy.
/// The gradient is <c>α·((1 − p)^γ − γ·p·log p·(1 − p)^(γ − 1))·(softmax(z) − onehot(y))</c>.
/// </summary>
/// <remarks>
/// The shapes of [CrossEntropy] (<c>T</c> is <see cref="float"/> or <see cref="double"/>): <c>T M(ReadOnlySpan&lt;T&gt; logits, int target)</c>;
/// <c>T M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets)</c> (row-major rows); with <see cref="TargetProbabilityLossAttribute.Reduction"/> =
/// <see cref="LossReduction.None"/> <c>void M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets, Span&lt;T&gt; losses)</c>;
/// any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the logits. Spans in the order: logits,
/// target(s), classWeights, sampleWeights, losses, gradient. The loss depends on the logits only through
/// L = log p_y = z_y − LSE(z), so the kernel is the cross-entropy's: one read of the logits without a gradient, and
/// with one <c>∂ℓ/∂z = h·(softmax(z) − onehot(y))</c>, h = −dℓ/dL. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class FocalLossAttribute : TargetProbabilityLossAttribute
{
    /// <summary>γ ≥ 0 (finite), the focusing parameter. Default 2.</summary>
    public double Gamma { get; set; } = 2.0;

    /// <summary>α &gt; 0 (finite), a scalar factor of every row's loss (it does not enter the mean's denominator). Default 1.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>
    /// True: the sigmoid focal loss of Lin et al. (torchvision's <c>sigmoid_focal_loss</c>) instead of the softmax one: an
    /// elementwise loss over logits z and soft targets y of the same length (the shapes of <see cref="BinaryCrossEntropyAttribute"/>):
    /// <c>ℓ = α_t·(1 − p_t)^γ·BCE(z, y)</c>, <c>p = σ(z)</c>, <c>p_t = p·y + (1 − p)·(1 − y)</c>,
    /// <c>α_t = α·y + (1 − α)·(1 − y)</c>. Then <see cref="Alpha"/> is in [0, 1] with torchvision's default 0.25 when not
    /// set (a negative α: α_t = 1), <see cref="TargetProbabilityLossAttribute.ClassWeights"/> adds a per-class weight span,
    /// and the reduction's mean is over every element. Default false. See docs/attributes.md.
    /// </summary>
    public bool Sigmoid { get; set; }
}
