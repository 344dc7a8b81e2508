using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as a softmax:
/// <c>y_i = exp(x_i / T) / Σ_j exp(x_j / T)</c>, computed without overflow for any finite input.
/// </summary>
/// <remarks>
/// Shapes: <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many
/// row-major rows, with <c>T</c> being <see cref="float"/> or <see cref="double"/>.
/// The options are <see cref="SoftmaxFamilyAttribute"/>'s. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SoftmaxAttribute : SoftmaxFamilyAttribute
{
}
