using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the spherical softmax (de Brébisson and Vincent, "An
/// Exploration of Softmax Alternatives Belonging to the Spherical Loss Family", 2016): <c>y_i = (x_i² + ε) / Σ_j (x_j² + ε)</c>.
/// </summary>
/// <remarks>
/// Shapes (those of the softmax family): <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many row-major rows, with <c>T</c>
/// being <see cref="float"/> or <see cref="double"/>; the input and the output may be the same memory. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SphericalSoftmaxAttribute : Attribute
{
    /// <summary>ε, added to every square so that a row of zeros is uniform rather than 0/0; finite and ≥ 0. Default 1e-6.</summary>
    public double Epsilon { get; set; } = 1e-6;

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
