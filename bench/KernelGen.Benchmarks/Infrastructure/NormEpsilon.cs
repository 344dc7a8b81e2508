namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// The ε of the benchmarked normalizations, in one place: the kernels' attributes, the ONNX models
/// (as float attributes) and the double reference of the accuracy column all read it from here.
/// </summary>
public static class NormEpsilon
{
    /// <summary>LayerNorm's ε (PyTorch's and ONNX's default).</summary>
    public const double LayerNorm = 1e-5;

    /// <summary>RMSNorm's ε (LLaMA's).</summary>
    public const double RmsNorm = 1e-6;
}
