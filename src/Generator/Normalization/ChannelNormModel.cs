using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>The inference-time per-channel normalizations: each folds to y = x·scale_c + shift_c.</summary>
internal enum ChannelNormKind
{
    /// <summary>[BatchNorm]: y = γ·(x − μ)/sqrt(σ² + ε) + β with running μ and σ².</summary>
    BatchNorm,

    /// <summary>[PowerNorm]: y = γ·x/sqrt(ψ² + ε) + β with the running quadratic mean ψ².</summary>
    PowerNorm,
}

/// <summary>
/// Everything the emitter needs to write one [BatchNorm] or [PowerNorm] kernel. A model of its own rather than
/// a <see cref="NormalizationKind"/>: these take no statistics of the row (they are given per channel), so the
/// passes of LayerNorm do not apply; what they share is the fold of the statistics into a per-channel affine map.
/// </summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say which statistics, γ and β are there).</param>
/// <param name="Kind">BatchNorm or PowerNorm.</param>
/// <param name="Epsilon">ε, added to σ² (or ψ²) before the square root.</param>
/// <param name="Width">The fixed number of channels (the row length), or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
/// <param name="Training">[PowerNorm(Training = true)]: the call also gathers the batch's quadratic mean per channel and updates ψ².</param>
/// <param name="Momentum">The batch's weight in the update of ψ² (only with <paramref name="Training"/>).</param>
internal sealed record ChannelNormModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    ChannelNormKind Kind,
    double Epsilon,
    int Width,
    int Unroll,
    int Targets,
    bool Training = false,
    double Momentum = 0) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
