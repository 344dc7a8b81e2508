using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Everything the SeeDNorm emitter needs to write one [SeeDNorm] kernel. A model of its own rather than a
/// <see cref="NormalizationKind"/>: its three per-column vectors and the per-row dot product ⟨x, β⟩ take none of
/// RmsNorm's options (Affine, WeightOffset, Residual, Compressed) and would crowd its shapes.
/// </summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (input, β, α, γ, output[, rowLength]).</param>
/// <param name="Epsilon">ε, added to the mean square (finite, at least 0).</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record SeeDNormModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    double Epsilon,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
