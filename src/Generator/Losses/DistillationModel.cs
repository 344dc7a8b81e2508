using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>Which of the two distillation attributes a kernel is.</summary>
internal enum DistillationKind
{
    /// <summary>[KLDivergence]: the divergence alone, rows from a row length.</summary>
    KLDivergence = 0,

    /// <summary>[DistillationLoss]: α·divergence + (1 − α)·cross-entropy with hard targets, rows from the targets.</summary>
    DistillationLoss = 1,
}

/// <summary>The divergence between the softened teacher q and student p.</summary>
internal enum DivergenceKind
{
    /// <summary>KL(q ‖ p) = Σ q·(log q − log p): Hinton's, and LigerJSD's β = 0.</summary>
    Forward = 0,

    /// <summary>KL(p ‖ q) = Σ p·(log p − log q): LigerJSD's β = 1.</summary>
    Reverse = 1,

    /// <summary>β·KL(q ‖ m) + (1 − β)·KL(p ‖ m), m = β·q + (1 − β)·p, 0 &lt; β &lt; 1.</summary>
    JensenShannon = 2,
}

/// <summary>Everything the distillation emitter needs to write one kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration (its roles say whether there is a gradient, losses, targets).</param>
/// <param name="Kind">[KLDivergence] or [DistillationLoss].</param>
/// <param name="Divergence">Forward KL, reverse KL or the generalized JSD.</param>
/// <param name="Reduction">Mean, Sum or None.</param>
/// <param name="Temperature">T &gt; 0.</param>
/// <param name="ScaleByTemperatureSquared">True: the divergence is multiplied by T².</param>
/// <param name="Beta">β of the JSD (0.5 when unused).</param>
/// <param name="Alpha">α of [DistillationLoss] (1 for [KLDivergence]).</param>
/// <param name="IgnoreIndex">The target that marks an ignored row ([DistillationLoss]).</param>
/// <param name="Width">The fixed number of classes, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record DistillationModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    DistillationKind Kind,
    DivergenceKind Divergence,
    ReductionKind Reduction,
    double Temperature,
    bool ScaleByTemperatureSquared,
    double Beta,
    double Alpha,
    int IgnoreIndex,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
