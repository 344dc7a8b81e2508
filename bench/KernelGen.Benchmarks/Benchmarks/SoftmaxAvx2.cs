using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>Every algorithm on the Avx2 path, over every shape.</summary>
[MemoryDiagnoser]
public class SoftmaxAvx2 : SoftmaxBenchmark
{
    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx2)]
    public void Avx2_Auto() => BenchKernels.SoftmaxAutoPaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx2)]
    public void Avx2_ThreePassReload() => BenchKernels.SoftmaxThreePassReloadPaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassRecompute, KernelPath.Avx2)]
    public void Avx2_ThreePassRecompute() => BenchKernels.SoftmaxThreePassRecomputePaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx2)]
    public void Avx2_TwoPass() => BenchKernels.SoftmaxTwoPassPaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Online, KernelPath.Avx2)]
    public void Avx2_Online() => BenchKernels.SoftmaxOnlinePaths.Avx2(this.Input, this.Output, this.RowLength);
}
