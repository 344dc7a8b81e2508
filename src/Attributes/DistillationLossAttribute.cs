using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the knowledge-distillation loss of Hinton et al.
/// ("Distilling the Knowledge in a Neural Network"): <c>ℓ = α·KD(s, t) + (1 − α)·CE(s, y)</c>, where KD is the
/// <see cref="KLDivergenceAttribute"/> divergence <c>T²·KL(softmax(t/T) ‖ softmax(s/T))</c> (or its Jensen–Shannon form)
/// and CE the cross-entropy of the student's logits at temperature 1 with the hard integer target y.
/// With a gradient span, the same call writes <c>∂ℓ/∂s = α·T·(p − q) + (1 − α)·(softmax(s) − onehot(y))</c>.
/// </summary>
/// <remarks>
/// Shapes (<c>T</c> is <see cref="float"/> or <see cref="double"/>):
/// <list type="bullet">
/// <item><c>T M(ReadOnlySpan&lt;T&gt; student, ReadOnlySpan&lt;T&gt; teacher, int target)</c>: one row, returns its loss;</item>
/// <item><c>T M(ReadOnlySpan&lt;T&gt; student, ReadOnlySpan&lt;T&gt; teacher, ReadOnlySpan&lt;int&gt; targets)</c>: one row per target, returns the reduced loss;</item>
/// <item>with <see cref="DistillationOptionsAttribute.Reduction"/> = <see cref="LossReduction.None"/>:
/// <c>void M(ReadOnlySpan&lt;T&gt; student, ReadOnlySpan&lt;T&gt; teacher, ReadOnlySpan&lt;int&gt; targets, Span&lt;T&gt; losses)</c>;</item>
/// <item>any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the student's logits.</item>
/// </list>
/// A row whose target is <see cref="IgnoreIndex"/> is ignored as a whole (both parts: loss 0, gradient 0) and does not count in the mean.
/// See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DistillationLossAttribute : DistillationOptionsAttribute
{
    /// <summary>α in [0, 1], the weight of the distillation part; 1 − α weighs the hard-label cross-entropy. Default 0.5.</summary>
    public double Alpha { get; set; } = 0.5;

    /// <summary>
    /// A target equal to this value marks a row to ignore: its loss (both parts) and gradient are 0 and it does not count in
    /// the mean. Default −100, as PyTorch. Any other target outside <c>[0, K)</c> throws.
    /// </summary>
    public int IgnoreIndex { get; set; } = -100;
}
