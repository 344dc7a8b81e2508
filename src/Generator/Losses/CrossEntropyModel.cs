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

/// <summary>
/// The outer function of a loss of the target probability alone: the cross-entropy itself, or a function of
/// L = log p_y that the cross-entropy passes feed (its gradient is the cross-entropy gradient scaled by −dℓ/dL).
/// </summary>
internal enum TargetLossKind
{
    /// <summary>[CrossEntropy]: ℓ = −L with every option of its own.</summary>
    CrossEntropy = 0,

    /// <summary>[CompSumLoss]: ℓ = ((1 + u)^(1 − τ) − 1)/(1 − τ), 1 + u = e^(−L). Parameter1 = τ.</summary>
    CompSum = 1,

    /// <summary>[FocalLoss]: ℓ = −α·(1 − p)^γ·L. Parameter1 = γ, Parameter2 = α.</summary>
    Focal = 2,

    /// <summary>[DiceLoss]: ℓ = 1 − (2p̃ + γ)/(p̃ + 1 + γ), p̃ = (1 − p)^α·p. Parameter1 = α, Parameter2 = γ.</summary>
    Dice = 3,

    /// <summary>
    /// [MarginSoftmaxLoss]: the cross-entropy of z_k = s·c_k (k ≠ y), z_y = s·(cos(m1·θ_y + m2) − m3) over cosines c.
    /// Margin = (s, m1, m2, m3) and the per-row margin's slot.
    /// </summary>
    MarginSoftmax = 4,

    /// <summary>[InfoNceLoss]: the cross-entropy of s/τ over similarities. Margin = (1/τ, 1, 0, 0).</summary>
    InfoNce = 5,
}

/// <summary>The logits of a margin softmax (or InfoNCE) row: z_k = Scale·c_k, the target's Scale·(cos(M1·θ + M2) − M3).</summary>
/// <param name="Scale">s &gt; 0 (1/τ for InfoNCE).</param>
/// <param name="M1">The multiplicative angular margin.</param>
/// <param name="M2">The additive angular margin.</param>
/// <param name="M3">The additive cosine margin.</param>
/// <param name="PerRow">Which margin a per-row span replaces: 0 none, 1 m2, 2 m3 (the SampleMargin values).</param>
internal sealed record MarginOptions(double Scale, double M1, double M2, double M3, int PerRow);

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
/// <param name="Kind">The outer function: the cross-entropy, or a loss of the target probability alone.</param>
/// <param name="Parameter1">The outer function's first parameter (see <see cref="TargetLossKind"/>), else 0.</param>
/// <param name="Parameter2">The outer function's second parameter, else 0.</param>
/// <param name="Margin">The scale and margins of [MarginSoftmaxLoss] and [InfoNceLoss], else null.</param>
/// <param name="Positives">[InfoNceLoss(Decoupled = true)]: P, the positives' slots per row; 0 for one target per row.</param>
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
    int Targets,
    TargetLossKind Kind = TargetLossKind.CrossEntropy,
    double Parameter1 = 0,
    double Parameter2 = 0,
    MarginOptions? Margin = null,
    int Positives = 0) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
