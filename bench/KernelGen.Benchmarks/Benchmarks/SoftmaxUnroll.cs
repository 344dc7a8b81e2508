using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>Unroll factors 1, 2, 4 and 8 of TwoPass and ThreePassReload on the AVX-512 path, over every shape.</summary>
[MemoryDiagnoser]
public class SoftmaxUnroll : SoftmaxBenchmark
{
    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx512)]
    public void Avx512_TwoPass_U1() => BenchKernels.SoftmaxTwoPassU1Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx512)]
    public void Avx512_TwoPass_U2() => BenchKernels.SoftmaxTwoPassU2Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx512)]
    public void Avx512_TwoPass_U4() => BenchKernels.SoftmaxTwoPassU4Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.TwoPass, KernelPath.Avx512)]
    public void Avx512_TwoPass_U8() => BenchKernels.SoftmaxTwoPassU8Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx512)]
    public void Avx512_ThreePassReload_U1() => BenchKernels.SoftmaxThreePassReloadU1Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx512)]
    public void Avx512_ThreePassReload_U2() => BenchKernels.SoftmaxThreePassReloadU2Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx512)]
    public void Avx512_ThreePassReload_U4() => BenchKernels.SoftmaxThreePassReloadU4Paths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.ThreePassReload, KernelPath.Avx512)]
    public void Avx512_ThreePassReload_U8() => BenchKernels.SoftmaxThreePassReloadU8Paths.Avx512(this.Input, this.Output, this.RowLength);
}
