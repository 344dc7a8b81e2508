using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as batch normalization at
/// inference time ("Batch Normalization", Ioffe &amp; Szegedy 2015), with the running statistics of
/// training: <c>y = γ_c · (x − μ_c) / sqrt(σ²_c + ε) + β_c</c> for the element x of channel c.
/// It folds to a per-channel affine map, as PyTorch's CPU inference kernel does: once per call,
/// <c>scale_c = γ_c / sqrt(σ²_c + ε)</c> and <c>shift_c = β_c − μ_c · scale_c</c> are computed in double and
/// rounded once, and every element is then one fused multiply-add <c>y = x · scale_c + shift_c</c>.
/// </summary>
/// <remarks>
/// Layout: channels last. A row is one token's (or one NHWC pixel's) C channels, row-major; the
/// per-channel spans have C elements and are shared by every row. Shapes (the attribute's options
/// decide which spans the method takes, in this order):
/// <c>void M(ReadOnlySpan&lt;T&gt; input, ReadOnlySpan&lt;T&gt; runningMean, ReadOnlySpan&lt;T&gt; runningVariance, ReadOnlySpan&lt;T&gt; weight, ReadOnlySpan&lt;T&gt; bias, Span&lt;T&gt; output)</c>
/// for one row, and the same with a trailing <c>int rowLength</c> (= C) for many rows. Without
/// <see cref="Affine"/> the weight and bias are left out. <c>T</c> is <see cref="float"/> or
/// <see cref="double"/>. The input and the output may be the same memory. The statistics are data and
/// are not checked: a negative variance or a NaN gives NaN in its channel. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
    /// <summary>ε, added to the running variance before the square root; finite and at least 0. Default 1e-5 (PyTorch's).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>True (the default): the method takes the weight γ and the bias β. False: y = (x − μ)/sqrt(σ² + ε).</summary>
    public bool Affine { get; set; } = true;

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
