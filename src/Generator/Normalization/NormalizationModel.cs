using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>Which normalization a kernel computes.</summary>
internal enum NormalizationKind
{
    /// <summary>[LayerNorm]: y = γ(x − μ)/sqrt(σ² + ε) + β.</summary>
    LayerNorm,

    /// <summary>[RmsNorm]: y = (γ + offset)·x/sqrt(mean(x²) + ε).</summary>
    RmsNorm,

    /// <summary>[L2Normalize]: y = x/max(‖x‖, ε).</summary>
    L2Normalize,
}

/// <summary>Everything the normalization emitter needs to write one kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (its roles say whether γ and β are there).</param>
/// <param name="Kind">LayerNorm or RmsNorm.</param>
/// <param name="Epsilon">ε, added to the variance (or the mean square) before the square root.</param>
/// <param name="WeightOffset">Added to γ before it scales (RmsNorm; 0 otherwise).</param>
/// <param name="Compressed">RmsNorm's compressed form CRMSNorm: the mean square is (Σx² + (Σx)²)/(n + 1).</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
/// <param name="Parallel">True: the many-rows form splits its rows over threads (KernelGen.Runtime.RowParallel).</param>
internal sealed record NormalizationModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    NormalizationKind Kind,
    double Epsilon,
    double WeightOffset,
    bool Compressed,
    int Width,
    int Unroll,
    int Targets,
    bool Parallel = false) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
