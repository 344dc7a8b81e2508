using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks;

/// <summary>
/// Log-softmax: every algorithm on the AVX-512 path, Auto on the AVX2 and 128-bit paths, against
/// ONNX Runtime's LogSoftmax and a TensorPrimitives composition (TensorPrimitives has no log-softmax).
/// </summary>
[MemoryDiagnoser]
public class LogSoftmaxAlgorithms : RowBenchmark
{
    private OnnxSoftmax? onnx;

    /// <summary>Creates the ONNX Runtime session, bound to this benchmark's arrays.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime_LogSoftmax))]
    public void SetupOnnx()
    {
        this.Setup();
        this.onnx = new OnnxSoftmax(OnnxOperator.LogSoftmax, this.Input, this.Output, this.RowShape.Rows, this.RowShape.RowLength);
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    [GlobalCleanup(Target = nameof(OnnxRuntime_LogSoftmax))]
    public void CleanupOnnx()
    {
        this.onnx?.Dispose();
        this.onnx = null;
        this.Cleanup();
    }

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.Auto)]
    public void Dispatched_Auto() => BenchKernels.LogSoftmaxAuto(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_Auto() => BenchKernels.LogSoftmaxAutoPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx512)]
    public void Avx512_ThreePassReload() => BenchKernels.LogSoftmaxThreePassReloadPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.ThreePassRecompute, KernelPath.Avx512)]
    public void Avx512_ThreePassRecompute() => BenchKernels.LogSoftmaxThreePassRecomputePaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx512)]
    public void Avx512_TwoPass() => BenchKernels.LogSoftmaxTwoPassPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.Online, KernelPath.Avx512)]
    public void Avx512_Online() => BenchKernels.LogSoftmaxOnlinePaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.Auto, KernelPath.Avx2)]
    public void Avx2_Auto() => BenchKernels.LogSoftmaxAutoPaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LogSoftmax, SoftmaxAlgorithm.Auto, KernelPath.Vector128)]
    public void Vector128_Auto() => BenchKernels.LogSoftmaxAutoPaths.Vector128(this.Input, this.Output, this.RowLength);

    /// <summary>
    /// The stable composition with TensorPrimitives, row by row: Max; Subtract (x → y); Exp (in place);
    /// Sum; Subtract (x → y) of max + log(sum). 5 reads and 3 writes per element.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.LogSoftmax, bytesPerElement: 32)]
    public void TensorPrimitives_Composition()
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
            double logSum = Math.Log(TensorPrimitives.Sum<float>(y));
            TensorPrimitives.Subtract(x, (float)(max + logSum), y);
        }
    }

    /// <summary>
    /// ONNX Runtime 1.31.1's LogSoftmax (opset 13, axis −1), one thread. MLAS makes a max pass, a pass
    /// summing exp(x − max) without storing it, and an output pass: 3 reads and 1 write per element.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.LogSoftmax, bytesPerElement: 16)]
    public void OnnxRuntime_LogSoftmax() => this.onnx!.Run();
}
