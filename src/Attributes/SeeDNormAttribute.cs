using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as SeeDNorm ("SeeDNorm: Self-Rescaled
/// Dynamic Normalization", Cai et al. 2025): RMS normalization whose per-column scale is rescaled by the row
/// itself, <c>y_i = (tanh(⟨x, β⟩)·α_i + γ_i) · x_i / sqrt(mean(x²) + ε)</c>, with ⟨x, β⟩ the dot product of the
/// row with the vector β, and α, γ one value per column.
/// </summary>
/// <remarks>
/// Shapes: <c>void M(ReadOnlySpan&lt;T&gt; input, ReadOnlySpan&lt;T&gt; beta, ReadOnlySpan&lt;T&gt; alpha,
/// ReadOnlySpan&lt;T&gt; gamma, Span&lt;T&gt; output)</c> for one row, and the same with a trailing
/// <c>int rowLength</c> for many row-major rows. β, α and γ each have one element per column and are shared by
/// every row; they come in the order they enter the formula (β inside the tanh, then α, then γ). <c>T</c> is
/// <see cref="float"/> or <see cref="double"/>. The input and the output may be the same memory. A separate
/// attribute rather than an option of [RmsNorm]: its three parameter vectors and the per-row dot product would
/// crowd RmsNorm's shapes. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SeeDNormAttribute : Attribute
{
    /// <summary>ε, added to the mean square before the square root; finite and at least 0. Default 1e-6.</summary>
    public double Epsilon { get; set; } = 1e-6;

    /// <summary>
    /// 0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time:
    /// rows must have exactly N elements, and short rows are fully unrolled and kept in registers.
    /// </summary>
    public int Width { get; set; }

    /// <summary>
    /// Vectors processed per loop iteration, each with its own pair of accumulators (Σx² and ⟨x, β⟩): 1..8, or 0
    /// (the default) for the generator's choice.
    /// </summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
