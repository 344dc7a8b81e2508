using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as top-K softmax gating (mixture-of-experts routing,
/// Shazeer et al. 2017, as Mixtral uses it; "Statistical Perspective of Top-K Sparse Softmax Gating Mixture of Experts",
/// Nguyen et al. 2024): per row, the indices of the <see cref="K"/> largest logits in descending order, and the softmax
/// over those K alone: <c>w_j = exp(x_j − x_max) / Σ_{k in top-K} exp(x_k − x_max)</c> for the kept j, 0 elsewhere.
/// </summary>
/// <remarks>
/// Shapes, with <c>T</c> being <see cref="float"/> or <see cref="double"/>: <c>void M(ReadOnlySpan&lt;T&gt; logits,
/// Span&lt;T&gt; weights, Span&lt;int&gt; indices)</c> for one row, and the same with a trailing <c>int rowLength</c> for many
/// row-major rows. <c>indices</c> holds K per row; <c>weights</c> is as long as the logits, or K per row (aligned with
/// <c>indices</c>) with <see cref="Compact"/> = true. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TopKSoftmaxAttribute : Attribute
{
    /// <summary>How many entries each row keeps: 1..1024 (a build-time constant). Default 2. A row shorter than K is an <see cref="ArgumentException"/>.</summary>
    public int K { get; set; } = 2;

    /// <summary>
    /// False (the default): the weights are as long as the logits, the softmax over the kept entries at their places and 0
    /// elsewhere. True: K weights per row, the j-th the weight of <c>indices[j]</c>.
    /// </summary>
    public bool Compact { get; set; }

    /// <summary>
    /// 0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time: rows must have
    /// exactly N elements (the loops get a constant bound); N must be at least K.
    /// </summary>
    public int Width { get; set; }

    /// <summary>Vectors compared per iteration of the selection's skip test: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
