using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>Softmax or log-softmax.</summary>
internal enum SoftmaxKind
{
    Softmax,
    LogSoftmax,
}

/// <summary>Mirrors KernelGen.SoftmaxAlgorithm (the generator does not reference the attributes assembly).</summary>
internal enum SoftmaxAlgorithmKind
{
    Auto = 0,
    ThreePassReload = 1,
    ThreePassRecompute = 2,
    TwoPass = 3,
    Online = 4,
}

/// <summary>Everything the softmax emitter needs to write one kernel.</summary>
/// <param name="Hierarchy">Where the kernel is declared.</param>
/// <param name="Signature">The declaration the implementation repeats.</param>
/// <param name="Kind">Softmax or log-softmax.</param>
/// <param name="Algorithm">The algorithm asked for (Auto is resolved at run time, or at build time with a Width).</param>
/// <param name="Temperature">T in softmax(x/T).</param>
/// <param name="Width">The fixed row length, or 0.</param>
/// <param name="Unroll">Vectors per iteration, 1..8, or 0 for the generator's choice per path (<see cref="Emit.PathInfo.DefaultUnroll"/>).</param>
/// <param name="Targets">The KernelTargets flags to emit (Scalar always included).</param>
internal sealed record SoftmaxModel(
    HierarchyInfo Hierarchy,
    KernelSignature Signature,
    SoftmaxKind Kind,
    SoftmaxAlgorithmKind Algorithm,
    double Temperature,
    int Width,
    int Unroll,
    int Targets) : IKernelModel
{
    /// <inheritdoc/>
    public string HintName => this.Hierarchy.FullName + "." + this.Signature.MethodName + ".g.cs";
}
