using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>Everything the emitter needs to write one [GroupNorm] kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say whether γ and β are there).</param>
/// <param name="Groups">G, the number of groups (≥ 1, divides Channels).</param>
/// <param name="Channels">C, the number of channels of a sample (the row is C planes).</param>
/// <param name="Epsilon">ε, added to each group's variance.</param>
/// <param name="Width">The fixed row length C·H·W, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record GroupNormModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    int Groups,
    int Channels,
    double Epsilon,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
