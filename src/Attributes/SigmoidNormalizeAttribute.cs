using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as sigmoid attention's weights ("Theory, Analysis,
/// and Best Practices for Sigmoid Self-Attention", Ramapuram et al. 2024): <c>y_i = σ(x_i + b)</c>, σ the logistic
/// sigmoid, with b = −log n (n the row length) unless <see cref="Bias"/> is set. The row is not normalized: each output
/// depends on its own input (and on the row length).
/// </summary>
/// <remarks>
/// Shapes (those of the softmax family): <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many row-major rows, with <c>T</c>
/// being <see cref="float"/> or <see cref="double"/>; the input and the output may be the same memory. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SigmoidNormalizeAttribute : Attribute
{
    /// <summary>The bias b added before the sigmoid; NaN (the default) means −log n, n the row length. Otherwise finite.</summary>
    public double Bias { get; set; } = double.NaN;

    /// <summary>
    /// False (the default): the forward kernel. True: its backward kernel, <c>void M(ReadOnlySpan&lt;T&gt; input,
    /// ReadOnlySpan&lt;T&gt; outputGradient, Span&lt;T&gt; inputGradient[, int rowLength])</c>, which writes dx = ∂L/∂x from
    /// x and dy = ∂L/∂y (the other options must match the forward's). See docs/attributes.md, "Backward kernels".
    /// </summary>
    public bool Backward { get; set; }

    /// <summary>
    /// 0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time: rows must have
    /// exactly N elements (the loops get a constant bound).
    /// </summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
