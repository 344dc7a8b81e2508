using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>Everything the binary cross-entropy emitter needs to write one kernel ([BinaryCrossEntropy], or [FocalLoss(Sigmoid = true)]).</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say which spans exist).</param>
/// <param name="Reduction">Mean (over every element), Sum or None (one loss per element).</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
/// <param name="Focal">True for the sigmoid focal loss α_t·(1 − p_t)^γ·BCE (torchvision's sigmoid_focal_loss).</param>
/// <param name="Gamma">The focal loss's γ ≥ 0, else 0.</param>
/// <param name="Alpha">The focal loss's α in [0, 1], or a negative value for none (α_t = 1), else 0.</param>
internal sealed record BinaryCrossEntropyModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    ReductionKind Reduction,
    int Unroll,
    int Targets,
    bool Focal = false,
    double Gamma = 0,
    double Alpha = 0) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
