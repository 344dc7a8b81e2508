using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// A kernel generated for rows of exactly 1024 elements (<c>Width = 1024</c>) against the same Auto kernel
/// for any row length, per path, and against the peers. 1024 floats exceed the register budget on every path: the fixed width only removes the tail logic.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxWidth1024 : SoftmaxWithPeersBenchmark
{
    protected override IReadOnlyList<string> OfferedShapes => ["1024x1024"];

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512, Width = 1024)]
    public void Avx512_Width1024() => BenchKernels.SoftmaxWidth1024Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_Dynamic() => BenchKernels.SoftmaxAutoPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx2, Width = 1024)]
    public void Avx2_Width1024() => BenchKernels.SoftmaxWidth1024Paths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx2)]
    public void Avx2_Dynamic() => BenchKernels.SoftmaxAutoPaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Vector128, Width = 1024)]
    public void Vector128_Width1024() => BenchKernels.SoftmaxWidth1024Paths.Vector128(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Vector128)]
    public void Vector128_Dynamic() => BenchKernels.SoftmaxAutoPaths.Vector128(this.Input, this.Output, this.RowLength);
}
