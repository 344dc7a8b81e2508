using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>How a loss kernel combines its rows (the attribute's LossReduction).</summary>
internal enum ReductionKind
{
    /// <summary>The mean over the rows whose target is not ignored.</summary>
    Mean = 0,

    /// <summary>The sum over the rows.</summary>
    Sum = 1,

    /// <summary>One loss per row, written to a losses span.</summary>
    None = 2,
}

/// <summary>Everything the cross-entropy emitter needs to write one kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say whether a gradient is asked for).</param>
/// <param name="Reduction">Mean, Sum or None.</param>
/// <param name="IgnoreIndex">The target value whose rows are ignored.</param>
/// <param name="LabelSmoothing">ε in [0, 1].</param>
/// <param name="ZLoss">c ≥ 0 in c·LSE².</param>
/// <param name="Softcap">c &gt; 0 in c·tanh(z/c) applied to the logits first, or 0 for none.</param>
/// <param name="Width">The fixed number of classes, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record CrossEntropyModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    ReductionKind Reduction,
    int IgnoreIndex,
    double LabelSmoothing,
    double ZLoss,
    double Softcap,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
