using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>Softmax or log-softmax.</summary>
internal enum SoftmaxKind
{
    Softmax,
    LogSoftmax,
}

/// <summary>Mirrors KernelGen.SoftmaxAlgorithm (the generator does not reference the attributes assembly).</summary>
internal enum SoftmaxAlgorithmKind
{
    Auto = 0,
    ThreePassReload = 1,
    ThreePassRecompute = 2,
    TwoPass = 3,
    Online = 4,
}

/// <summary>Everything the softmax emitter needs to write one kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats.</param>
/// <param name="Kind">Softmax or log-softmax.</param>
/// <param name="Algorithm">The algorithm asked for (Auto is resolved at run time, or at build time with a Width).</param>
/// <param name="Temperature">T in softmax(x/T).</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path (<see cref="Emit.PathInfo.DefaultUnroll"/>).</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
/// <param name="Attention">The attention options (all off for a plain softmax).</param>
/// <param name="Backward">True for the backward kernel (the vector-Jacobian product from the forward's output).</param>
/// <param name="Parallel">True: the many-rows form splits its rows over threads (KernelGen.Runtime.RowParallel).</param>
internal sealed record SoftmaxModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    SoftmaxKind Kind,
    SoftmaxAlgorithmKind Algorithm,
    double Temperature,
    int Width,
    int Unroll,
    int Targets,
    AttentionOptions Attention,
    bool Backward,
    bool Parallel = false) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}

/// <summary>The attention options of a [Softmax] or [LogSoftmax] kernel (docs/attributes.md, "Attention options").</summary>
/// <param name="Scale">s in z = s·x/T.</param>
/// <param name="Softcap">c in c·tanh(z/c), or 0 for none.</param>
/// <param name="Mask">True when the signature takes an additive mask span.</param>
/// <param name="Sink">True when the signature takes a sink logit.</param>
/// <param name="MaskedRowsAreZero">True: a row that is all −∞ gives zeros (log-softmax: −∞) instead of NaN.</param>
/// <param name="Causal">True: row r sees the columns j ≤ (r mod rowsPerHead) + CausalOffset.</param>
/// <param name="CausalOffset">The diagonal's offset.</param>
/// <param name="MaxBias">ggml's max_bias of ALiBi (the mask times the head's slope), or 0 for none.</param>
/// <param name="Heads">The number of heads, which sets the ALiBi slopes.</param>
internal sealed record AttentionOptions(
    double Scale,
    double Softcap,
    bool Mask,
    bool Sink,
    bool MaskedRowsAreZero,
    bool Causal,
    int CausalOffset,
    double MaxBias,
    int Heads)
{
    /// <summary>No attention option: a plain softmax.</summary>
    public static readonly AttentionOptions None = new(1.0, 0, false, false, false, false, 0, 0, 0);

    /// <summary>
    /// True when the logits are transformed before the softmax (z = softcap(s·x/T) + slope·mask, causal columns
    /// cut), or the sink enters the sum: the kernel forms z explicitly. A scale alone folds into the temperature,
    /// and MaskedRowsAreZero alone adds one check per row: neither needs z.
    /// </summary>
    public bool TransformsLogits => this.Softcap != 0 || this.Mask || this.Sink || this.Causal;

    /// <summary>True with ALiBi.</summary>
    public bool HasAlibi => this.MaxBias > 0;

    /// <summary>True when the signature takes the rows per head (causal masking or ALiBi).</summary>
    public bool NeedsRowsPerHead => this.Causal || this.HasAlibi;
}
