using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as softplus normalization ("Softplus Attention with
/// Re-weighting Boosts Length Extrapolation in Large Language Models"): <c>y_i = softplus(c·x_i) / Σ_j softplus(c·x_j)</c>,
/// softplus(u) = log(1 + e^u), with c = <see cref="Scale"/> (times log n / log <see cref="TrainingLength"/> when that is set).
/// </summary>
/// <remarks>
/// Shapes (those of the softmax family): <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many row-major rows, with <c>T</c>
/// being <see cref="float"/> or <see cref="double"/>; the input and the output may be the same memory. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SoftplusNormalizeAttribute : Attribute
{
    /// <summary>The scale c in softplus(c·x); finite and greater than 0. Default 1.</summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>
    /// 0 (the default): c = <see cref="Scale"/>. L ≥ 2: the length-dependent scale c = Scale · log n / log L, with n the row
    /// length and L the training length (c = Scale at n = L, sharper for longer rows).
    /// </summary>
    public int TrainingLength { get; set; }

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
