using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the comp-sum loss of Mao, Mohri and Zhong
/// ("Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023) over rows of logits z with
/// integer class targets y: with <c>1 + u = Σ_k e^(z_k − z_y) = e^(LSE(z) − z_y)</c>,
/// <c>ℓ = ((1 + u)^(1 − τ) − 1)/(1 − τ)</c> for τ ≠ 1 and <c>log(1 + u)</c> (the cross-entropy) for τ = 1.
/// τ = 0 is the sum-exponential loss, τ in (1, 2) the generalized cross-entropy, τ = 2 the mean absolute error 1 − p_y.
/// The gradient is <c>(1 + u)^(1 − τ)·(softmax(z) − onehot(y))</c>.
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
public sealed class CompSumLossAttribute : TargetProbabilityLossAttribute
{
    /// <summary>τ ≥ 0 (finite). Default 1 (the cross-entropy).</summary>
    public double Tau { get; set; } = 1.0;
}
