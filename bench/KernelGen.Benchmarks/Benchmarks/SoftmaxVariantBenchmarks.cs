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
/// TensorPrimitives.Sigmoid after adding the bias b = −log n.
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
}
