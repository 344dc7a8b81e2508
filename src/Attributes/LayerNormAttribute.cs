using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as a layer normalization
/// over each row: <c>y_i = γ_i · (x_i − μ) / sqrt(σ² + ε) + β_i</c>, with μ and σ² the row's
/// mean and (biased) variance, computed in two passes so that a row with a large mean keeps its
/// precision.
/// </summary>
/// <remarks>
/// Shapes (the attribute's options decide which spans the method takes, in this order):
/// <c>void M(ReadOnlySpan&lt;T&gt; input, ReadOnlySpan&lt;T&gt; weight, ReadOnlySpan&lt;T&gt; bias, Span&lt;T&gt; output)</c>
/// for one row, and the same with a trailing <c>int rowLength</c> for many row-major rows (γ and β
/// have one element per column and are shared by every row). Without <see cref="Affine"/> the
/// weight and bias are left out; without <see cref="Bias"/> only the bias is. <c>T</c> is
/// <see cref="float"/> or <see cref="double"/>. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LayerNormAttribute : Attribute
{
    /// <summary>ε, added to the variance before the square root; finite and at least 0. Default 1e-5 (PyTorch's).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>True (the default): the method takes the weight γ (and, with <see cref="Bias"/>, the bias β). False: y = (x − μ)/sqrt(σ² + ε).</summary>
    public bool Affine { get; set; } = true;

    /// <summary>With <see cref="Affine"/>: true (the default) takes a bias β; false takes only the weight γ.</summary>
    public bool Bias { get; set; } = true;

    /// <summary>
    /// True: the fused residual form. The method takes a residual <c>r</c> right after the input and a
    /// second output <c>h</c> right after the output; <c>h = x + r</c> is written there and normalized
    /// (<c>y = norm(h)</c>) in the same passes, instead of an add pass and a norm pass. Default false.
    /// </summary>
    public bool Residual { get; set; }

    /// <summary>
    /// True: the backward kernel (the vector-Jacobian product) instead of the forward one. The method
    /// takes the forward's inputs, then the output gradient dy, and writes the input gradient dx and
    /// ACCUMULATES (+=) the parameter gradients dγ (with <see cref="Affine"/>) and dβ (with <see cref="Bias"/>), which the caller zeroes first.
    /// Statistics are recomputed from the input (no saved mean or 1/σ). Default false. See docs/attributes.md, "Backward".
    /// </summary>
    public bool Backward { get; set; }

    /// <summary>
    /// True: the forward kernel also writes each row's statistics, PyTorch's <c>native_layer_norm</c> saved
    /// tensors: two more <c>Span&lt;T&gt;</c> parameters after the output (and after the sum h with
    /// <see cref="Residual"/>), <c>mean</c> (μ) and <c>inverseStdDev</c> (1/sqrt(σ² + ε)), one element per row.
    /// They are the values the normalization itself used (no extra pass). Not with <see cref="Backward"/>.
    /// Default false. See docs/attributes.md, "Statistics outputs".
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
