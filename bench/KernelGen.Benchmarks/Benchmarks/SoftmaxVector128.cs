using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>Every algorithm on the Vector128 path, over every shape.</summary>
[MemoryDiagnoser]
public class SoftmaxVector128 : SoftmaxBenchmark
{
    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Vector128)]
    public void Vector128_Auto() => BenchKernels.SoftmaxAutoPaths.Vector128(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Vector128)]
    public void Vector128_ThreePassReload() => BenchKernels.SoftmaxThreePassReloadPaths.Vector128(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassRecompute, KernelPath.Vector128)]
    public void Vector128_ThreePassRecompute() => BenchKernels.SoftmaxThreePassRecomputePaths.Vector128(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Vector128)]
    public void Vector128_TwoPass() => BenchKernels.SoftmaxTwoPassPaths.Vector128(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Online, KernelPath.Vector128)]
    public void Vector128_Online() => BenchKernels.SoftmaxOnlinePaths.Vector128(this.Input, this.Output, this.RowLength);
}
