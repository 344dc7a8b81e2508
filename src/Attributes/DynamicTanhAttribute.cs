using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as Dynamic Tanh (DyT, "Transformers
/// without Normalization", Zhu et al. 2025), the element-wise replacement of a normalization layer:
/// <c>y_i = γ_i · tanh(α · x_i) + β_i</c>, with α one learned scalar and γ, β one value per column. No
/// statistics of the row are taken: each output depends on its own input only.
/// </summary>
/// <remarks>
/// Shapes (the attribute's options decide which spans the method takes, in this order):
/// <c>void M(ReadOnlySpan&lt;T&gt; input, T alpha, ReadOnlySpan&lt;T&gt; weight, ReadOnlySpan&lt;T&gt; bias, Span&lt;T&gt; output)</c>
/// for one row, and the same with a trailing <c>int rowLength</c> for many row-major rows (γ and β have one
/// element per column and are shared by every row). α is a run-time argument because it is a trained weight;
/// a NaN or infinite α is not rejected: it propagates as in PyTorch (∞·0 = NaN, ±∞·x = ±∞ for x ≠ 0, so
/// tanh gives ±1). Without <see cref="Affine"/> the weight and bias are left out (y = tanh(αx)); without
/// <see cref="Bias"/> only the bias is. <c>T</c> is <see cref="float"/> or <see cref="double"/>. The input
/// and the output may be the same memory. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DynamicTanhAttribute : Attribute
{
    /// <summary>True (the default): the method takes the weight γ (and, with <see cref="Bias"/>, the bias β). False: y = tanh(α·x).</summary>
    public bool Affine { get; set; } = true;

    /// <summary>With <see cref="Affine"/>: true (the default) takes a bias β; false takes only the weight γ (y = γ·tanh(α·x)).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>
    /// True: the backward kernel (the vector-Jacobian product) instead of the forward one. The method takes the
    /// forward's input x, α and (with <see cref="Affine"/>) γ, then the output gradient dy; it writes the input
    /// gradient dx = dy ⊙ γ ⊙ α(1 − tanh²(αx)) and ADDS INTO (+=) the parameter gradients, which the caller zeroes
    /// first: <c>Span&lt;T&gt; alphaGradient</c> of one element (dα += Σ dy ⊙ γ ⊙ x ⊙ (1 − tanh²(αx)) over every
    /// element of every row), then with <see cref="Affine"/> dγ += Σ_rows dy ⊙ tanh(αx) and with <see cref="Bias"/>
    /// dβ += Σ_rows dy. Default false. See docs/attributes.md, "Backward kernels".
    /// </summary>
    public bool Backward { get; set; }

    /// <summary>
    /// 0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time:
    /// rows must have exactly N elements, and short rows are fully unrolled and kept in registers.
    /// </summary>
    public int Width { get; set; }

    /// <summary>
    /// Vectors processed per loop iteration: 1..8, or 0 (the default) for the generator's choice.
    /// </summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
