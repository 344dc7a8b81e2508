using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as a root-mean-square
/// normalization over each row: <c>y_i = (γ_i + WeightOffset) · x_i / sqrt(mean(x²) + ε)</c>.
/// </summary>
/// <remarks>
/// Shapes: <c>void M(ReadOnlySpan&lt;T&gt; input, ReadOnlySpan&lt;T&gt; weight, Span&lt;T&gt; output)</c>
/// for one row, and the same with a trailing <c>int rowLength</c> for many row-major rows (γ has
/// one element per column, shared by every row). Without <see cref="Affine"/> the weight is left
/// out. <c>T</c> is <see cref="float"/> or <see cref="double"/>. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RmsNormAttribute : Attribute
{
    /// <summary>ε, added to the mean square before the square root; finite and at least 0. Default 1e-6.</summary>
    public double Epsilon { get; set; } = 1e-6;

    /// <summary>
    /// Added to every weight before it scales: 0 (the default) uses γ as given; 1 gives Gemma's
    /// <c>(1 + γ)</c>. Finite. Needs <see cref="Affine"/>.
    /// </summary>
    public double WeightOffset { get; set; }

    /// <summary>
    /// True: the compressed form CRMSNorm ("Pre-RMSNorm and Pre-CRMSNorm Transformers", Jiang et al. 2023). A zero-mean
    /// vector of d elements is stored as its first <c>n = d − 1</c> (the last is implied: <c>−Σ x′</c>), and
    /// <c>y_i = γ_i · x′_i / sqrt((Σx′² + (Σx′)²)/(n + 1) + ε)</c>: the RMS of the whole d-element vector, from the n stored
    /// ones. Input, weight and output have n elements. Forward only (not with <see cref="Backward"/>). Default false.
    /// </summary>
    public bool Compressed { get; set; }

    /// <summary>True (the default): the method takes the weight γ. False: y = x / sqrt(mean(x²) + ε).</summary>
    public bool Affine { get; set; } = true;

    /// <summary>
    /// True: the fused residual form. The method takes a residual <c>r</c> right after the input and a
    /// second output <c>h</c> right after the output; <c>h = x + r</c> is written there and normalized
    /// (<c>y = norm(h)</c>) in the same passes, instead of an add pass and a norm pass. Default false.
    /// </summary>
    public bool Residual { get; set; }

    /// <summary>
    /// True: the backward kernel (the vector-Jacobian product) instead of the forward one. The method
    /// takes the forward's inputs, then the output gradient dy, and writes the input gradient dx and
    /// ACCUMULATES (+=) the parameter gradients dγ (with <see cref="Affine"/>), which the caller zeroes first.
    /// Statistics are recomputed from the input (no saved mean or 1/σ). Default false. See docs/attributes.md, "Backward".
    /// </summary>
    public bool Backward { get; set; }

    /// <summary>
    /// True: the forward kernel also writes each row's 1/RMS, the factor the normalization multiplied by
    /// (1/sqrt(mean(x²) + ε); with <see cref="Compressed"/>, 1/sqrt((Σx² + (Σx)²)/(n + 1) + ε)): one more
    /// <c>Span&lt;T&gt;</c> parameter after the output (and after the sum h with <see cref="Residual"/>),
    /// <c>inverseStdDev</c>, one element per row (PyTorch's fused <c>rms_norm</c> saves the same "rstd").
    /// Not with <see cref="Backward"/>. Default false. See docs/attributes.md, "Statistics outputs".
    /// </summary>
    public bool StatisticsOutput { get; set; }

    /// <summary>
    /// 0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time:
    /// rows must have exactly N elements, and short rows are fully unrolled and kept in registers.
    /// </summary>
    public int Width { get; set; }

    /// <summary>
    /// Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the
    /// default) for the generator's choice.
    /// </summary>
    public int Unroll { get; set; }

    /// <summary>
    /// False (the default): one thread. True: the many-rows form cuts its rows into contiguous blocks run on
    /// KernelGen's pool of worker threads and the calling thread (<c>KernelGen.Runtime.RowParallel</c>; at most
    /// <c>RowParallel.MaxThreads</c> threads, the processor count by default), when the call has at least 32 768
    /// elements per thread. Nothing is allocated per call, and the result is the same, bit for bit, as one thread's.
    /// Only the many-rows form; see docs/attributes.md, "Parallel rows".
    /// </summary>
    public bool Parallel { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
