using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks;

/// <summary>The base of the softmax classes: every one of them runs <c>TensorPrimitives.SoftMax</c> beside its kernels.</summary>
public abstract class SoftmaxBenchmark : RowBenchmark
{
    /// <summary>
    /// <c>TensorPrimitives.SoftMax</c> row by row. It sums exp(x) and then writes exp(x)/sum: 2 reads and
    /// 1 write per element, 2 exps, and no max subtraction (so it overflows past x ≈ 88.7).
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.Softmax, bytesPerElement: 12)]
    public void TensorPrimitives_SoftMax()
    {
        ReadOnlySpan<float> input = this.Input;
        Span<float> output = this.Output;
        int n = this.RowLength;
        for (int start = 0; start < input.Length; start += n)
        {
            TensorPrimitives.SoftMax(input.Slice(start, n), output.Slice(start, n));
        }
    }
}

/// <summary>A softmax class that also runs the stable TensorPrimitives composition and ONNX Runtime.</summary>
public abstract class SoftmaxWithPeersBenchmark : SoftmaxBenchmark
{
    private OnnxSoftmax? onnx;

    /// <summary>Creates the ONNX Runtime session, bound to this benchmark's arrays.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime_Softmax))]
    public void SetupOnnx()
    {
        this.Setup();
        this.onnx = new OnnxSoftmax(OnnxOperator.Softmax, this.Input, this.Output, this.RowShape.Rows, this.RowShape.RowLength);
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    [GlobalCleanup(Target = nameof(OnnxRuntime_Softmax))]
    public void CleanupOnnx()
    {
        this.onnx?.Dispose();
        this.onnx = null;
        this.Cleanup();
    }

    /// <summary>
    /// The stable composition a user would write with TensorPrimitives, row by row: Max; Subtract
    /// (x → y); Exp (in place); Sum; Divide (in place). 5 reads and 3 writes per element.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.Other, Operation.Softmax, bytesPerElement: 32)]
    public void TensorPrimitives_Stable()
    {
        ReadOnlySpan<float> input = this.Input;
        Span<float> output = this.Output;
        int n = this.RowLength;
        for (int start = 0; start < input.Length; start += n)
        {
            ReadOnlySpan<float> x = input.Slice(start, n);
            Span<float> y = output.Slice(start, n);
            float max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, y);
            TensorPrimitives.Exp(y, y);
            float sum = TensorPrimitives.Sum<float>(y);
            TensorPrimitives.Divide(y, sum, y);
        }
    }

    /// <summary>
    /// ONNX Runtime 1.31.1's Softmax (opset 13, axis −1) over the whole batch, one thread. MLAS makes a max
    /// pass, a pass storing and summing exp(x − max), and a scaling pass: 3 reads and 2 writes per element.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.Softmax, bytesPerElement: 20)]
    public void OnnxRuntime_Softmax() => this.onnx!.Run();
}
