using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the self-adjusting Dice loss of Li et al.
/// ("Dice Loss for Data-imbalanced NLP Tasks", ACL 2020) over rows of logits z with integer class targets y:
/// with <c>p̃ = (1 − p_y)^α·p_y</c>, <c>ℓ = 1 − (2p̃ + γ)/(p̃ + 1 + γ)</c>, <c>p_y = softmax(z)_y</c>.
/// The gradient is <c>(2 + γ)/(1 + γ + p̃)²·dp̃/d(log p_y)·(softmax(z) − onehot(y))</c>.
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
public sealed class DiceLossAttribute : TargetProbabilityLossAttribute
{
    /// <summary>α ≥ 0 (finite): the self-adjusting factor (1 − p)^α that down-weights easy rows. Default 0 (plain Dice).</summary>
    public double Alpha { get; set; }

    /// <summary>γ ≥ 0 (finite): the smoothing added to numerator and denominator. Default 1.</summary>
    public double Gamma { get; set; } = 1.0;
}
