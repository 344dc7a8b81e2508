using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>A loss computed from statistics of the row, then a formula per element: no softmax, no exponential of the logits.</summary>
internal enum RowLossKind
{
    /// <summary>[SphericalZLoss]: ℓ = softplus(a(b − z_c))/a, z = (o − μ)/σ. Parameter1 = a, Parameter2 = b.</summary>
    SphericalZ = 0,

    /// <summary>[MultiMarginLoss], Weston–Watkins: ℓ = w_y·Σ_{k≠y} max(0, m − z_y + z_k)^p / K. Parameter1 = m.</summary>
    WestonWatkins = 1,

    /// <summary>[MultiMarginLoss], Crammer–Singer: ℓ = w_y·max(0, m − z_y + max_{k≠y} z_k)^p. Parameter1 = m.</summary>
    CrammerSinger = 2,
}

/// <summary>Everything the row-loss emitter needs to write one [SphericalZLoss] or [MultiMarginLoss] kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say whether a gradient and class weights are asked for).</param>
/// <param name="Kind">The loss.</param>
/// <param name="Reduction">Mean, Sum or None.</param>
/// <param name="IgnoreIndex">The target value whose rows are ignored.</param>
/// <param name="Parameter1">a of the Z-loss, or the margin m.</param>
/// <param name="Parameter2">b of the Z-loss, else 0.</param>
/// <param name="Squared">The hinge loss with p = 2 (false for the Z-loss).</param>
/// <param name="Width">The fixed number of classes, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record RowLossModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    RowLossKind Kind,
    ReductionKind Reduction,
    int IgnoreIndex,
    double Parameter1,
    double Parameter2,
    bool Squared,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
