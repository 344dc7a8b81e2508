using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The Auto softmax writing into an output 8 bytes past a 64-byte boundary, as a user's <c>new float[]</c> may be (the GC
/// aligns arrays to 8 bytes; every other class's buffers are 64-byte aligned). Streaming stores need aligned addresses:
/// out of cache, a kernel that streams only from the row's start would write such an output with ordinary stores.
/// <c>--ratios unaligned</c> compares it with <see cref="ParallelSoftmaxBenchmarks.Avx512_OneThread"/>, the same kernel
/// into an aligned output.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxUnalignedOutput : SoftmaxBenchmark
{
    protected override IReadOnlyList<string> OfferedShapes => ["1024x1024", "4096x4096", "256x65536"];

    /// <summary>Two floats: 8 bytes past a 64-byte boundary.</summary>
    protected override int OutputOffset => 2;

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_Auto() => BenchKernels.SoftmaxAutoPaths.Avx512(this.Input, this.Output, this.RowLength);
}
