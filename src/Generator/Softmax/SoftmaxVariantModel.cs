using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// The softmax variants that are "a map g, then normalize by the row sum" (y_i = g(x_i)/Σ g(x_j)), and sigmoid
/// attention's weights (the map alone, no normalization). One model and one emitter serve them all: only g differs.
/// </summary>
internal enum SoftmaxVariantKind
{
    /// <summary>[StableMax]: g(x) = x + 1 for x ≥ 0, 1/(1 − x) below.</summary>
    StableMax,

    /// <summary>[SoftplusNormalize]: g(x) = softplus(c·x).</summary>
    SoftplusNormalize,

    /// <summary>[SigmoidNormalize]: y = σ(x + b), no sum.</summary>
    SigmoidNormalize,

    /// <summary>[TaylorSoftmax]: g = the Taylor polynomial of exp of even order.</summary>
    TaylorSoftmax,

    /// <summary>[SphericalSoftmax]: g(x) = x² + ε.</summary>
    SphericalSoftmax,
}

/// <summary>Everything the emitter needs to write one kernel of <see cref="SoftmaxVariantKind"/>.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats (a backward kernel has x, dy, dx).</param>
/// <param name="Kind">Which map g.</param>
/// <param name="Log">[StableMax(Log = true)]: y = log g(x) − log Σ g.</param>
/// <param name="Scale">[SoftplusNormalize]: c (1 for the others).</param>
/// <param name="TrainingLength">[SoftplusNormalize]: L of the length-dependent scale c·log n/log L, or 0.</param>
/// <param name="Bias">[SigmoidNormalize]: b, or NaN for −log n.</param>
/// <param name="Order">[TaylorSoftmax]: 2, 4 or 6.</param>
/// <param name="Epsilon">[SphericalSoftmax]: ε.</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path.</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record SoftmaxVariantModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    SoftmaxVariantKind Kind,
    bool Log,
    double Scale,
    int TrainingLength,
    double Bias,
    int Order,
    double Epsilon,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";

    /// <summary>True for the variants that divide by the row sum (all but [SigmoidNormalize]).</summary>
    public bool Normalizes => this.Kind != SoftmaxVariantKind.SigmoidNormalize;
}
