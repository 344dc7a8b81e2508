using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Runtime;

namespace KernelGen.Benchmarks;

/// <summary>
/// The row-parallel mode (<c>[Softmax(Parallel = true)]</c>, <see cref="RowParallel"/>): the same Auto softmax on one
/// thread and split over <see cref="RowParallel.MaxThreads"/> threads (the processor count), in cache (1024 × 1024) and
/// out of cache (4096 × 4096), with the copy bandwidth of one thread and of the same threads (each copying its rows)
/// as the rooflines.
/// </summary>
[MemoryDiagnoser]
public class ParallelSoftmaxBenchmarks : SoftmaxBenchmark
{
    private static readonly RowParallel.RowsBody<float> CopyBlock =
        static (ref RowParallel.RowBlock<float> block) => block.Rows(0).CopyTo(block.Rows(1));

    private static readonly RowParallel.RowsBody<float> StreamingCopyBlock =
        static (ref RowParallel.RowBlock<float> block) => Copies.Streaming(block.Rows(0), block.Rows(1));

    protected override IReadOnlyList<string> OfferedShapes => ["1024x1024", "4096x4096"];

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_OneThread() => BenchKernels.SoftmaxAutoPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto, KernelPath.Avx512)]
    public void Avx512_Parallel() => BenchKernels.SoftmaxParallelPaths.Avx512(this.Input, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.Softmax, SoftmaxAlgorithm.Auto)]
    public void Dispatched_Parallel() => BenchKernels.SoftmaxParallel(this.Input, this.Output, this.RowLength);

    /// <summary>The parallel copy bandwidth: each of the threads copies its block of rows (4 bytes read and 4 written per element).</summary>
    [Benchmark]
    [PeerBenchmark(Peer.Copy, Operation.Copy, bytesPerElement: 8)]
    public void Copy_Parallel() =>
        RowParallel.For(CopyBlock, this.Input.Count / this.RowLength, this.RowLength, new RowParallel.SpanList<float>(this.Input, this.Output));

    /// <summary>The same with streaming stores (<see cref="Copies.Streaming"/>): each thread copies its block without fetching the output's lines.</summary>
    [Benchmark]
    [PeerBenchmark(Peer.Copy, Operation.Copy, bytesPerElement: 8)]
    public void Copy_ParallelStreaming() =>
        RowParallel.For(StreamingCopyBlock, this.Input.Count / this.RowLength, this.RowLength, new RowParallel.SpanList<float>(this.Input, this.Output));
}
