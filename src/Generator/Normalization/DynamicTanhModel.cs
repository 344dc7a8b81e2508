using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Everything the DyT emitter needs to write one [DynamicTanh] kernel. A model of its own rather than a
/// <see cref="NormalizationKind"/>: DyT takes no statistics of the row (no ε, no passes to share), so none of
/// <see cref="NormalizationModel"/>'s numeric options apply to it.
/// </summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say whether γ and β are there; α is always).</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record DynamicTanhModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
