using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>The sparse maps of the softmax family: the projections onto the simplex with a threshold τ.</summary>
internal enum SparseMapKind
{
    /// <summary>[Sparsemax]: y = max(x − τ, 0).</summary>
    Sparsemax,

    /// <summary>[Entmax15]: y = max(x/2 − τ, 0)².</summary>
    Entmax15,
}

/// <summary>Everything the sparse-map emitter needs to write one [Sparsemax] or [Entmax15] kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats.</param>
/// <param name="Kind">Sparsemax or 1.5-entmax.</param>
/// <param name="Backward">True for the backward kernel (it takes the forward's output y, dy, and writes dx).</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record SparseMapModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    SparseMapKind Kind,
    bool Backward,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
