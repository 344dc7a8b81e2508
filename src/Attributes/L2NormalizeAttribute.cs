using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as an L2 normalization of each
/// row: <c>y_i = x_i / max(‖x‖₂, ε)</c> (PyTorch's <c>F.normalize(x, p = 2, dim = -1)</c>; the
/// normalization of NormFace and the margin losses).
/// </summary>
/// <remarks>
/// Shapes: <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c> for one row, and
/// <c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c> for many row-major
/// rows, with <c>T</c> being <see cref="float"/> or <see cref="double"/>. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class L2NormalizeAttribute : Attribute
{
    /// <summary>ε, the smallest norm divided by; finite and at least 0. Default 1e-12 (PyTorch's).</summary>
    public double Epsilon { get; set; } = 1e-12;

    /// <summary>
    /// True: the backward kernel (the vector-Jacobian product) instead of the forward one. The method
    /// takes the input x, then the output gradient dy, and writes the input gradient dx. The norm is
    /// recomputed from the input. Default false. See docs/attributes.md, "Backward".
    /// </summary>
    public bool Backward { get; set; }

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
