using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as StableMax ("Grokking at the Edge of Numerical
/// Stability", Prieto, Barsbey, Mediano and Birdal, 2025): <c>y_i = s(x_i) / Σ_j s(x_j)</c> with s(x) = x + 1 for x ≥ 0 and
/// 1/(1 − x) for x &lt; 0. No exp: s grows linearly, so the outputs do not collapse to exactly 0 and 1 as softmax's do.
/// With <see cref="Log"/>, its log form log y_i = log s(x_i) − log Σ_j s(x_j).
/// </summary>
/// <remarks>
/// Shapes (those of the softmax family): <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many row-major rows, with <c>T</c>
/// being <see cref="float"/> or <see cref="double"/>; the input and the output may be the same memory. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class StableMaxAttribute : Attribute
{
    /// <summary>
    /// False (the default): y = StableMax(x). True: log-StableMax, y_i = log s(x_i) − log Σ_j s(x_j) (log s(x) = ±log(1 + |x|)),
    /// the log-probabilities of the paper's StableMax cross-entropy. An option rather than a [LogStableMax] attribute:
    /// the catalog names only [StableMax], and the log form shares every other option.
    /// </summary>
    public bool Log { get; set; }

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
