using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as group normalization ("Group
/// Normalization", Wu &amp; He 2018): the C channels of a sample are split into <see cref="Groups"/> groups of
/// C/G consecutive channels; each group is normalized by its own mean μ_g and (biased) variance σ²_g, with
/// LayerNorm's two-pass numerics, and then each channel gets its own affine map:
/// <c>y = γ_c · (x − μ_g) / sqrt(σ²_g + ε) + β_c</c>.
/// </summary>
/// <remarks>
/// Layout: NCHW, contiguous. A row is one sample: C planes of H·W elements, channel after channel, so a
/// group is C/G·H·W consecutive elements. Shapes (<see cref="Affine"/> decides whether γ and β are there):
/// <c>void M(ReadOnlySpan&lt;T&gt; input, ReadOnlySpan&lt;T&gt; weight, ReadOnlySpan&lt;T&gt; bias, Span&lt;T&gt; output)</c>
/// for one sample, and the same with a trailing <c>int rowLength</c> (C·H·W) for a batch of samples. γ and β
/// have <see cref="Channels"/> elements; the row length must be a multiple of it (H·W = rowLength / C, any
/// spatial size). <c>T</c> is <see cref="float"/> or <see cref="double"/>. The input and the output may be the
/// same memory. Groups = 1 is LayerNorm over the whole sample with per-channel γ and β; Groups = Channels is
/// instance normalization. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GroupNormAttribute : Attribute
{
    /// <summary>The number of groups G (required): at least 1, and a divisor of <see cref="Channels"/>. PyTorch's <c>num_groups</c>.</summary>
    public int Groups { get; set; }

    /// <summary>The number of channels C (required): a positive multiple of <see cref="Groups"/>. PyTorch's <c>num_channels</c>.</summary>
    public int Channels { get; set; }

    /// <summary>ε, added to each group's variance before the square root; finite and at least 0. Default 1e-5 (PyTorch's).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>True (the default): the method takes the per-channel weight γ and bias β. False: y = (x − μ_g)/sqrt(σ²_g + ε).</summary>
    public bool Affine { get; set; } = true;

    /// <summary>
    /// 0 (the default) accepts samples of any spatial size. N &gt; 0 fixes the row length C·H·W at build time
    /// (a multiple of <see cref="Channels"/>): rows must have exactly N elements.
    /// </summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
