using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>Everything the emitter needs to write one [GumbelSoftmax] kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (logits, uniform, output; or logits, output, seed).</param>
/// <param name="Temperature">τ in softmax((x + g)/τ).</param>
/// <param name="Hard">True: one-hot(argmax(x + g)) instead of the soft sample.</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record GumbelSoftmaxModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    double Temperature,
    bool Hard,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";

    /// <summary>True when the noise comes from the seed (a <c>ulong</c> parameter), false when from the caller's uniform span.</summary>
    public bool Seeded => this.Signature.Has(ParameterRole.Seed);
}
