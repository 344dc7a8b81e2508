using System;
using KernelGen;

namespace QuickStart;

/// <summary>The kernels this sample declares: KernelGen writes their bodies at build time.</summary>
public static partial class Kernels
{
    /// <summary>Softmax over many rows; Auto picks the algorithm per row length.</summary>
    [Softmax]
    public static partial void Softmax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>Log-softmax with the two-pass (mantissa, exponent) algorithm and a temperature.</summary>
    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void LogSoftmax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>Rows of exactly 64 (attention over 64 keys): kept in registers, no loop.</summary>
    [Softmax(Width = 64)]
    public static partial void Softmax64(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    /// <summary>A double-precision softmax with the online normalizer.</summary>
    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxDouble(ReadOnlySpan<double> input, Span<double> output);

    /// <summary>LayerNorm over each token's features: y = γ(x − μ)/sqrt(σ² + ε) + β.</summary>
    [LayerNorm]
    public static partial void LayerNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    /// <summary>RMSNorm with Gemma's (1 + γ) weights.</summary>
    [RmsNorm(WeightOffset = 1)]
    public static partial void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

    /// <summary>Mean cross-entropy over a batch of rows, with label smoothing, and its gradient in the same call.</summary>
    [CrossEntropy(LabelSmoothing = 0.1)]
    public static partial float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);
}
