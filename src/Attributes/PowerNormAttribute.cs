using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as power normalization at
/// inference time ("PowerNorm: Rethinking Batch Normalization in Transformers", Shen et al. 2020):
/// <c>y = γ_c · x / ψ_c + β_c</c> with <c>ψ_c = sqrt(ψ²_c + ε)</c>, ψ²_c the running quadratic mean
/// (the mean of x² over the batch, kept by training) of channel c. No mean is subtracted. It folds to
/// a per-channel affine map: once per call <c>scale_c = γ_c / sqrt(ψ²_c + ε)</c> is computed in double and
/// rounded once, and every element is then one fused multiply-add <c>y = x · scale_c + β_c</c>.
/// </summary>
/// <remarks>
/// Layout: channels last. A row is one token's C channels, row-major; the per-channel spans have C
/// elements and are shared by every row. Shapes (the attribute's options decide which spans the
/// method takes, in this order):
/// <c>void M(ReadOnlySpan&lt;T&gt; input, ReadOnlySpan&lt;T&gt; runningQuadraticMean, ReadOnlySpan&lt;T&gt; weight, ReadOnlySpan&lt;T&gt; bias, Span&lt;T&gt; output)</c>
/// for one row, and the same with a trailing <c>int rowLength</c> (= C) for many rows. Without
/// <see cref="Affine"/> the weight and bias are left out (y = x/ψ). <c>T</c> is <see cref="float"/> or
/// <see cref="double"/>. The input and the output may be the same memory. With <see cref="Training"/> the
/// running quadratic mean is a <c>Span&lt;T&gt;</c> that the call also updates from the batch's own quadratic mean
/// (the forward of the paper's Algorithm 1). The backward pass is not generated. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PowerNormAttribute : Attribute
{
    /// <summary>ε, added to the running quadratic mean before the square root; finite and at least 0. Default 1e-5 (the paper's code).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>True (the default): the method takes the weight γ and the bias β. False: y = x/sqrt(ψ² + ε).</summary>
    public bool Affine { get; set; } = true;

    /// <summary>
    /// False (the default): inference, ψ² is only read. True: the training-time forward of the paper's Algorithm 1.
    /// The running quadratic mean becomes a <c>Span&lt;T&gt; runningQuadraticMean</c>; the rows of the call are the
    /// batch B; y is normalized with ψ² as it was when the call began (the paper's ψ_{t−1}), and then, per
    /// channel, ψ²_c ← (1 − <see cref="Momentum"/>)·ψ²_c + <see cref="Momentum"/>·mean_B(x_c²), computed in double and
    /// rounded once. A call with no rows leaves ψ² unchanged.
    /// </summary>
    public bool Training { get; set; }

    /// <summary>
    /// The weight of the batch's quadratic mean in the update of ψ² (PyTorch's BatchNorm convention: the new value's
    /// weight); in [0, 1], default 0.1, which is the paper's α_fwd = 0.9 (α_fwd = 1 − Momentum). Only with <see cref="Training"/>.
    /// </summary>
    public double Momentum { get; set; } = 0.1;

    /// <summary>
    /// 0 (the default) accepts any number of channels. N &gt; 0 fixes the number of channels C (the
    /// row length) at build time: rows must have exactly N elements, and the loops have constant bounds.
    /// </summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
