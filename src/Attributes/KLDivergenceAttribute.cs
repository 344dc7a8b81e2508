using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the knowledge-distillation divergence of
/// Hinton et al. ("Distilling the Knowledge in a Neural Network") between rows of student logits s and teacher
/// logits t: <c>ℓ = T²·Σ_k q_k·(log q_k − log p_k)</c>, <c>q = softmax(t/T)</c>, <c>p = softmax(s/T)</c>, i.e. PyTorch's
/// <c>T²·KLDivLoss(log_softmax(s/T), softmax(t/T), reduction='batchmean')</c>. With a gradient span, the same call
/// writes <c>∂ℓ/∂s = T·(p − q)</c> (scaled as the reduction asks). The teacher gets no gradient.
/// </summary>
/// <remarks>
/// Shapes (<c>T</c> is <see cref="float"/> or <see cref="double"/>; the student comes first, the teacher second):
/// <list type="bullet">
/// <item><c>T M(ReadOnlySpan&lt;T&gt; student, ReadOnlySpan&lt;T&gt; teacher)</c>: one row, returns its loss;</item>
/// <item><c>T M(ReadOnlySpan&lt;T&gt; student, ReadOnlySpan&lt;T&gt; teacher, int rowLength)</c>: row-major rows, returns the reduced loss;</item>
/// <item>with <see cref="DistillationOptionsAttribute.Reduction"/> = <see cref="LossReduction.None"/>:
/// <c>void M(ReadOnlySpan&lt;T&gt; student, ReadOnlySpan&lt;T&gt; teacher, int rowLength, Span&lt;T&gt; losses)</c>;</item>
/// <item>any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the student's logits.</item>
/// </list>
/// The inputs are logits, not log-probabilities. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class KLDivergenceAttribute : DistillationOptionsAttribute
{
}
