using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The softmax variants at 1024×1024 floats: [StableMax] beside our own softmax (the function it replaces; both
/// KernelGen kernels, so the table shows the two times side by side), and [SigmoidNormalize] against
/// TensorPrimitives.Sigmoid after adding the bias b = −log n; the Gumbel-softmax (seeded, and with the caller's uniform
/// samples) and top-K softmax gating (K = 2 and K = 8) over the same rows of 1 024.
/// </summary>
public class SoftmaxVariantBenchmarks : RowBenchmark
{
    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => ["1024x1024"];

    /// <summary>[StableMax]: pass 1 stores s(x) and sums it, pass 2 scales: 2 reads and 2 writes per element, one division for x &lt; 0.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.StableMax)]
    public void StableMax_Dispatched() => BenchKernels.StableMax(this.Input, this.Output, this.RowLength);

    /// <summary>Our [Softmax] (Auto: ThreePassReload at this length), for comparison with StableMax.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto)]
    public void Softmax_Dispatched() => BenchKernels.SoftmaxAuto(this.Input, this.Output, this.RowLength);

    /// <summary>[SigmoidNormalize]: y = σ(x − log n) in one pass, 1 read and 1 write per element.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SigmoidNormalize)]
    public void SigmoidNormalize_Dispatched() => BenchKernels.SigmoidNormalize(this.Input, this.Output, this.RowLength);

    /// <summary>TensorPrimitives, row by row: Add (x + b → y), then Sigmoid (in place): 2 reads and 2 writes per element.</summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.SigmoidNormalize, bytesPerElement: 16)]
    public void TensorPrimitives_Sigmoid()
    {
        ReadOnlySpan<float> input = this.Input;
        Span<float> output = this.Output;
        int n = this.RowLength;
        float bias = (float)-Math.Log(n);
        for (int start = 0; start < input.Length; start += n)
        {
            Span<float> y = output.Slice(start, n);
            TensorPrimitives.Add(input.Slice(start, n), bias, y);
            TensorPrimitives.Sigmoid(y, y);
        }
    }

    private float[] uniform = [];

    private int[] indices = [];

    /// <summary>The uniform samples of the noise-span Gumbel row, and the indices of the top-K rows (8 per row, the largest K used).</summary>
    [GlobalSetup(Targets = new[] { nameof(GumbelSoftmax_Noise_Dispatched), nameof(TopK2Softmax_Dispatched), nameof(TopK8Softmax_Dispatched) })]
    public void SetupSampling()
    {
        this.Setup();
        this.uniform = BenchKernels.GumbelUniforms(this.Input.Count);
        this.indices = new int[(this.Input.Count / this.RowLength) * 8];
    }

    /// <summary>[GumbelSoftmax], seeded: two logs per element for the noise (scalar, the same bits on every path), then exp and scale in vectors.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.GumbelSoftmax)]
    public void GumbelSoftmax_Seeded_Dispatched() => BenchKernels.GumbelSeeded(this.Input, this.Output, BenchKernels.GumbelSeed, this.RowLength);

    /// <summary>[GumbelSoftmax] with the caller's uniform samples: one more read per element than the seeded row.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.GumbelSoftmaxNoise)]
    public void GumbelSoftmax_Noise_Dispatched() => BenchKernels.GumbelNoise(this.Input, this.uniform, this.Output, this.RowLength);

    /// <summary>[TopKSoftmax(K = 2)]: one read per element (most vectors skipped after one compare), a row-long write of weights.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.TopK2Softmax)]
    public void TopK2Softmax_Dispatched() => BenchKernels.TopK2(this.Input, this.Output, this.indices.AsSpan(0, (this.Input.Count / this.RowLength) * 2), this.RowLength);

    /// <summary>[TopKSoftmax(K = 8)].</summary>
    [Benchmark]
    [KernelBenchmark(Operation.TopK8Softmax)]
    public void TopK8Softmax_Dispatched() => BenchKernels.TopK8(this.Input, this.Output, this.indices, this.RowLength);

    /// <summary>[SoftplusNormalize] (c = 1): pass 1 stores softplus(x) and sums it, pass 2 scales.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SoftplusNormalize)]
    public void SoftplusNormalize_Dispatched() => BenchKernels.SoftplusNormalize(this.Input, this.Output, this.RowLength);

    /// <summary>[TaylorSoftmax] (order 2): pass 1 stores 1 + x + x²/2 and sums it, pass 2 scales; no exp.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.TaylorSoftmax)]
    public void TaylorSoftmax_Dispatched() => BenchKernels.TaylorSoftmax(this.Input, this.Output, this.RowLength);

    /// <summary>[SphericalSoftmax]: pass 1 stores x² + ε and sums it, pass 2 scales; no exp.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.SphericalSoftmax)]
    public void SphericalSoftmax_Dispatched() => BenchKernels.SphericalSoftmax(this.Input, this.Output, this.RowLength);
}
