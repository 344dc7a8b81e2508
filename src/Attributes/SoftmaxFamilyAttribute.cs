using System;

namespace KernelGen;

/// <summary>
/// The options shared by <see cref="SoftmaxAttribute"/> and <see cref="LogSoftmaxAttribute"/>: the algorithm, temperature,
/// the attention options (scale, soft cap, mask, sink, causal, ALiBi), the backward form, width, unroll, parallel rows and
/// targets. Not a kernel attribute itself.
/// </summary>
public abstract class SoftmaxFamilyAttribute : Attribute
{
    /// <summary>Only the two kernel attributes of this assembly derive from it.</summary>
    private protected SoftmaxFamilyAttribute()
    {
    }

    /// <summary>How the kernel walks over a row. Default: <see cref="SoftmaxAlgorithm.Auto"/>.</summary>
    public SoftmaxAlgorithm Algorithm { get; set; } = SoftmaxAlgorithm.Auto;

    /// <summary>The temperature T in softmax(x / T); finite and greater than 0. Default 1.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>
    /// Attention: the factor s that multiplies the logits first, z = s·x/T (e.g. 1/√d for scaled dot-product
    /// scores); finite and greater than 0. Default 1. It folds into the temperature: s·x/T = x/(T/s).
    /// </summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>
    /// Attention: logit soft-capping, z = c·tanh(z/c) after the scale and before the mask (Gemma 2, ggml); finite
    /// and at least 0, 0 (the default) for none.
    /// </summary>
    public double Softcap { get; set; }

    /// <summary>
    /// Attention: true adds a <c>ReadOnlySpan&lt;T&gt; mask</c> parameter right after the input, whose rows are added
    /// to the logits (−∞ hides a column). It holds whole rows: one broadcast over every row, one per row, or any
    /// count dividing the rows (row r takes mask row r mod count). Default false.
    /// </summary>
    public bool Mask { get; set; }

    /// <summary>
    /// Attention: true adds a <c>T sink</c> parameter (after the mask, before the output): one more logit that
    /// enters the denominator only (attention sinks; ggml's soft_max_add_sinks). Default false.
    /// </summary>
    public bool Sink { get; set; }

    /// <summary>
    /// Attention: a row whose logits are all −∞ after masking gives zeros (log-softmax: −∞) instead of NaN.
    /// Default false (NaN, as PyTorch).
    /// </summary>
    public bool MaskedRowsAreZero { get; set; }

    /// <summary>
    /// Attention, many rows only: row r, the query q = r mod rowsPerHead of its head, sees the columns j ≤ q +
    /// <see cref="CausalOffset"/>; the others are −∞. Adds an <c>int rowsPerHead</c> parameter after the row length.
    /// Default false.
    /// </summary>
    public bool Causal { get; set; }

    /// <summary>With <see cref="Causal"/>: the offset of the diagonal (e.g. the number of cached keys before the queries). Default 0.</summary>
    public int CausalOffset { get; set; }

    /// <summary>
    /// Attention: ALiBi, as ggml's soft_max_ext: the mask is multiplied by the slope of the row's head,
    /// m0^(h+1) for h &lt; n, else m1^(2(h−n)+1), with n = 2^⌊log2 Heads⌋, m0 = 2^(−MaxBias/n), m1 = 2^(−MaxBias/2n).
    /// Needs <see cref="Mask"/> and <see cref="Heads"/>; the head of row r is (r / rowsPerHead) mod Heads. 0 (the default): none.
    /// </summary>
    public double MaxBias { get; set; }

    /// <summary>With <see cref="MaxBias"/>: the number of heads (it sets the slopes). Default 0 (required with MaxBias).</summary>
    public int Heads { get; set; }

    /// <summary>
    /// True makes this the backward kernel: <c>void M(ReadOnlySpan&lt;T&gt; output, ReadOnlySpan&lt;T&gt; outputGradient,
    /// Span&lt;T&gt; inputGradient[, int rowLength])</c>, the vector-Jacobian product from the forward's output y
    /// (softmax: dx = y ⊙ (dy − ⟨dy, y⟩); log-softmax: dx = dy − exp(y)·Σ dy), times Scale/Temperature. Default false.
    /// See docs/attributes.md, "Backward".
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
