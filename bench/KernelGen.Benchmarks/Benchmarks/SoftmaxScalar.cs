using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The scalar fallback of every algorithm's kernel, at one small shape only (it is slow, and the
/// algorithm option shapes only the vector paths, so the five should match).
/// </summary>
[MemoryDiagnoser]
public class SoftmaxScalar : SoftmaxBenchmark
{
    protected override IReadOnlyList<string> OfferedShapes => ["4096x64"];

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Scalar)]
    public void Scalar_Auto() => BenchKernels.SoftmaxAutoPaths.Scalar(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Scalar)]
    public void Scalar_ThreePassReload() => BenchKernels.SoftmaxThreePassReloadPaths.Scalar(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassRecompute, KernelPath.Scalar)]
    public void Scalar_ThreePassRecompute() => BenchKernels.SoftmaxThreePassRecomputePaths.Scalar(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Scalar)]
    public void Scalar_TwoPass() => BenchKernels.SoftmaxTwoPassPaths.Scalar(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Online, KernelPath.Scalar)]
    public void Scalar_Online() => BenchKernels.SoftmaxOnlinePaths.Scalar(this.Input, this.Output, this.RowLength);
}
