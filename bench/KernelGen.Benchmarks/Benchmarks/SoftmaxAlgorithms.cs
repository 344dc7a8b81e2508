using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The headline comparison: every algorithm on the AVX-512 path (and the dispatching entry point)
/// against TensorPrimitives and ONNX Runtime, over every shape.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxAlgorithms : SoftmaxWithPeersBenchmark
{
    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto)]
    public void Dispatched_Auto() => BenchKernels.SoftmaxAuto(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_Auto() => BenchKernels.SoftmaxAutoPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx512)]
    public void Avx512_ThreePassReload() => BenchKernels.SoftmaxThreePassReloadPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassRecompute, KernelPath.Avx512)]
    public void Avx512_ThreePassRecompute() => BenchKernels.SoftmaxThreePassRecomputePaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx512)]
    public void Avx512_TwoPass() => BenchKernels.SoftmaxTwoPassPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Online, KernelPath.Avx512)]
    public void Avx512_Online() => BenchKernels.SoftmaxOnlinePaths.Avx512(this.Input, this.Output, this.RowLength);
}
