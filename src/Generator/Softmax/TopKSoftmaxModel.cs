using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>Everything the emitter needs to write one [TopKSoftmax] kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (logits, weights, indices[, rowLength]).</param>
/// <param name="K">How many entries each row keeps (1..1024).</param>
/// <param name="Compact">True: K weights per row, aligned with the indices; false: weights as long as the logits.</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per skip test, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record TopKSoftmaxModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    int K,
    bool Compact,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <summary>The largest K: the kept values live in a stackalloc'd buffer of K elements.</summary>
    public const int MaxK = 1024;

    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
