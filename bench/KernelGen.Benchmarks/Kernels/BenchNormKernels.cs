using System;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks.Kernels;

/// <summary>
/// The generated normalization kernels under test, float, many rows (<c>input.Length / rowLength</c>
/// rows, one call per batch), with the per-column weight γ (and for LayerNorm the bias β).
/// </summary>
public static partial class BenchKernels
{
    // Any row length: y = γ(x − μ)/sqrt(σ² + ε) + β, ε = 1e-5.
    [LayerNorm(Epsilon = NormEpsilon.LayerNorm)]
    public static partial void LayerNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    // Any row length: y = γ·x/sqrt(mean(x²) + ε), ε = 1e-6.
    [RmsNorm(Epsilon = NormEpsilon.RmsNorm)]
    public static partial void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    // Rows of exactly 4096 (a hidden size of LLaMA-7B): far beyond the register budget, so the fixed
    // width only removes the tail logic and makes the trip counts constants.
    [LayerNorm(Epsilon = NormEpsilon.LayerNorm, Width = 4096)]
    public static partial void LayerNormWidth4096(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [RmsNorm(Epsilon = NormEpsilon.RmsNorm, Width = 4096)]
    public static partial void RmsNormWidth4096(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    // The fused residual forms (a transformer block's "add, then norm"): h = x + r is written to sum and normalized in the same pass.
    [LayerNorm(Epsilon = NormEpsilon.LayerNorm, Residual = true)]
    public static partial void LayerNormResidual(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> sum, int rowLength);

    [RmsNorm(Epsilon = NormEpsilon.RmsNorm, Residual = true)]
    public static partial void RmsNormResidual(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, Span<float> sum, int rowLength);
}
