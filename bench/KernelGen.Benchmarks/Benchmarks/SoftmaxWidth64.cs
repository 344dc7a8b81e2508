using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// A kernel generated for rows of exactly 64 elements (<c>Width = 64</c>) against the same Auto kernel
/// for any row length, per path, and against the peers. 64 floats are 4 vectors on AVX-512 and 8 on AVX2, kept in registers; the 128-bit path (16 vectors, over its budget of 8) runs the Auto algorithm with no tail logic.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxWidth64 : SoftmaxWithPeersBenchmark
{
    protected override IReadOnlyList<string> OfferedShapes => ["4096x64"];

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512, Width = 64)]
    public void Avx512_Width64() => BenchKernels.SoftmaxWidth64Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_Dynamic() => BenchKernels.SoftmaxAutoPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx2, Width = 64)]
    public void Avx2_Width64() => BenchKernels.SoftmaxWidth64Paths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx2)]
    public void Avx2_Dynamic() => BenchKernels.SoftmaxAutoPaths.Avx2(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Vector128, Width = 64)]
    public void Vector128_Width64() => BenchKernels.SoftmaxWidth64Paths.Vector128(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Vector128)]
    public void Vector128_Dynamic() => BenchKernels.SoftmaxAutoPaths.Vector128(this.Input, this.Output, this.RowLength);
}
