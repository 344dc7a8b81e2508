using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as 1.5-entmax (Peters, Niculae &amp; Martins
/// 2019, "Sparse Sequence-to-Sequence Models"): <c>y_i = max(x_i / 2 − τ, 0)²</c> with the threshold τ chosen so
/// that <c>Σ y_i = 1</c>. Between softmax (α = 1) and sparsemax (α = 2): sparse, but smoother than sparsemax;
/// every element more than 2 below the row's maximum is 0.
/// </summary>
/// <remarks>
/// Shapes: <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many row-major rows, with
/// <c>T</c> being <see cref="float"/> or <see cref="double"/>; input and output may be the same memory. τ is exact
/// (to rounding): the kernel keeps only the candidates <c>x_i ≥ max − 2</c> (τ ≥ max/2 − 1 always), converges on
/// them with Newton steps from below and finishes with the closed form of the paper's Algorithm 2 (a sort is
/// the fallback), so a row costs O(K) expected and O(K log K) at worst. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class Entmax15Attribute : Attribute
{
    /// <summary>
    /// True: the backward kernel instead, <c>void M(ReadOnlySpan&lt;T&gt; output, ReadOnlySpan&lt;T&gt; outputGradient, Span&lt;T&gt; inputGradient)</c>
    /// (many rows: with a trailing <c>int rowLength</c>), which takes the forward's output y (not its input) and writes
    /// dx = g ⊙ dy − (⟨g, dy⟩ / Σ g)·g with g = sqrt(y). Default false. See docs/attributes.md.
    /// </summary>
    public bool Backward { get; set; }

    /// <summary>0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time: rows must have exactly N elements.</summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
