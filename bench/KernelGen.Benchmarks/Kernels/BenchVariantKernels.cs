using System;

namespace KernelGen.Benchmarks.Kernels;

/// <summary>The generated softmax-variant kernels under test, float, many rows.</summary>
public static partial class BenchKernels
{
    // StableMax ("Grokking at the Edge of Numerical Stability"): y = s(x)/Σ s(x), no exp.
    [StableMax]
    public static partial void StableMax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    // Sigmoid attention's weights: y = σ(x − log n), no row sum.
    [SigmoidNormalize]
    public static partial void SigmoidNormalize(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Backward = true)]
    public static partial void SoftmaxBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [LogSoftmax(Backward = true)]
    public static partial void LogSoftmaxBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [StableMax(Backward = true)]
    public static partial void StableMaxBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [Sparsemax(Backward = true)]
    public static partial void SparsemaxBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [Entmax15(Backward = true)]
    public static partial void Entmax15Backward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength);

    [SoftplusNormalize]
    public static partial void SoftplusNormalize(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [TaylorSoftmax]
    public static partial void TaylorSoftmax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [SphericalSoftmax]
    public static partial void SphericalSoftmax(ReadOnlySpan<float> input, Span<float> output, int rowLength);
}

/// <summary>The generated sampling and gating kernels under test, float, many rows.</summary>
public static partial class BenchKernels
{
    /// <summary>The seed of the seeded Gumbel-softmax rows (and of the uniform samples of the noise-span rows).</summary>
    public const ulong GumbelSeed = 2024;

    // The Gumbel-softmax with its counter-based noise: softmax(x + g), g from (seed, index).
    [GumbelSoftmax]
    public static partial void GumbelSeeded(ReadOnlySpan<float> logits, Span<float> output, ulong seed, int rowLength);

    // The Gumbel-softmax with the caller's uniform samples.
    [GumbelSoftmax]
    public static partial void GumbelNoise(ReadOnlySpan<float> logits, ReadOnlySpan<float> uniform, Span<float> output, int rowLength);

    // MoE gating: the 2 largest per row, softmax over them, zeros elsewhere.
    [TopKSoftmax(K = 2)]
    public static partial void TopK2(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength);

    // MoE gating with 8 kept per row.
    [TopKSoftmax(K = 8)]
    public static partial void TopK8(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength);

    /// <summary>The uniform samples of the noise-span Gumbel rows: U_i = GumbelNoise.Uniform24(GumbelSeed, i) rounded to float.</summary>
    public static float[] GumbelUniforms(int count)
    {
        var u = new float[count];
        for (int i = 0; i < count; i++)
        {
            u[i] = (float)KernelGen.Runtime.GumbelNoise.Uniform24(GumbelSeed, i);
        }

        return u;
    }
}
