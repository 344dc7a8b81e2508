using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The row-parallel mode: <see cref="RowParallel"/> itself (every row run exactly once, blocks on distinct threads, no
/// allocation per call, a failing block reported, concurrent callers), and every path of the kernels declared with
/// <c>Parallel = true</c> in <see cref="ParallelKernels"/> against the same path of their one-thread twins, bit for
/// bit, for 1 to 4 threads.
/// </summary>
[Collection(nameof(ParallelTests))]
public class ParallelTests
{
    public static IEnumerable<object[]> Kernels => typeof(ParallelKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(static m => m.GetCustomAttributes().Any() && !m.Name.EndsWith("Serial", StringComparison.Ordinal))
        .Select(static m => new object[] { m.Name });

    [Fact]
    public void EveryRowRunsOnceAndBlocksUseSeveralThreads()
    {
        int before = RowParallel.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3, 4 })
            {
                RowParallel.MaxThreads = threads;
                foreach (int rows in new[] { 1, 2, 3, 5, 64, 1001 })
                {
                    int rowLength = (4 * RowParallel.MinElementsPerThread / rows) + 1;
                    float[] data = new float[rows * rowLength];
                    float[] perRow = new float[rows];
                    float[] shared = { 1, 2, 3 };
                    Probe.Reset(rows);
                    RowParallel.For(Probe.Body, rows, rowLength, new RowParallel.SpanList<float>(data, perRow, shared));
                    int expectedParts = Math.Min(threads, Math.Min(rows, data.Length / RowParallel.MinElementsPerThread));
                    Assert.True(Probe.Visits.All(static v => v == 1), $"{threads} threads, {rows} rows: every row once ({string.Join(",", Probe.Visits)})");
                    Assert.True(data.All(static v => v == 1) && perRow.All(static v => v == 1), $"{threads} threads, {rows} rows: each block wrote its rows and only them");
                    Assert.Equal(Math.Max(1, expectedParts), Probe.Blocks);
                    Assert.Equal(Math.Max(1, expectedParts), Probe.Threads.Distinct().Count());
                }
            }
        }
        finally
        {
            RowParallel.MaxThreads = before;
        }
    }

    [Fact]
    public void ManyBackToBackCallsNeverOverlap()
    {
        // Thousands of short calls in a row: the caller must not return (and unpin) before every worker's block of
        // its own call is done, whatever the order in which the workers signal (a late signal of one call must not end
        // the next). Each call marks its rows with its number; the next call checks them.
        int before = RowParallel.MaxThreads;
        try
        {
            RowParallel.MaxThreads = 2;
            const int rows = 4, rowLength = RowParallel.MinElementsPerThread / 2;
            float[] data = new float[rows * rowLength];
            float[] stamp = new float[1];
            for (int call = 1; call <= 5000; call++)
            {
                stamp[0] = call;
                RowParallel.For(Stamper.Body, rows, rowLength, new RowParallel.SpanList<float>(data, stamp));
                Assert.True(data[0] == call && data[^1] == call, $"call {call}: the rows were not all written when the call returned ({data[0]}, {data[^1]})");
            }
        }
        finally
        {
            RowParallel.MaxThreads = before;
        }
    }

    [Fact]
    public void EmptyBlocksBackToBackNeverHang()
    {
        // The tightest race between the caller and a worker: blocks that do nothing, so a worker signals the end of a
        // call while the caller is still clearing a stale signal of the previous one. When the caller's clear of the
        // done signal could pass its read of the pending count (x86 lets a store pass a later load; a missing full
        // fence), the worker's signal was overwritten and the caller waited forever: 20 000 such calls hung within a
        // minute on the 2-core machine of docs/benchmarks.md, about once in 2 million calls. Ten seconds of calls (about
        // 7 million there, which met the hang 9 times in 10; at most 20 million) run on a thread of their own, so that
        // a hang fails the test instead of stopping the run.
        const int calls = 20_000_000;
        TimeSpan budget = TimeSpan.FromSeconds(10);
        float[] data = new float[2];
        int done = 0;
        var caller = new Thread(() =>
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int call = 0; call < calls && System.Diagnostics.Stopwatch.GetElapsedTime(start) < budget; call++)
            {
                RowParallel.For(Empty.Body, 2, 1, 2, new RowParallel.SpanList<float>(data));
                Volatile.Write(ref done, call + 1);
            }
        }) { IsBackground = true, Name = "EmptyBlocksBackToBackNeverHang" };
        caller.Start();
        Assert.True(caller.Join(budget + TimeSpan.FromSeconds(50)), $"a parallel call never returned: {Volatile.Read(ref done)} calls had");
    }

    [Fact]
    public void SmallCallsRunOnTheCallersThread()
    {
        Assert.Equal(1, RowParallel.PartsFor(1, 1 << 24));
        Assert.Equal(1, RowParallel.PartsFor(1000, (2 * RowParallel.MinElementsPerThread) - 1));
        Assert.True(RowParallel.PartsFor(1000, 2 * RowParallel.MinElementsPerThread) == Math.Min(2, RowParallel.MaxThreads));
        Assert.Throws<ArgumentOutOfRangeException>(() => RowParallel.MaxThreads = 0);
    }

    [Fact]
    public void AFailingBlockIsReportedAndThePoolGoesOn()
    {
        int before = RowParallel.MaxThreads;
        try
        {
            RowParallel.MaxThreads = 2;
            const int rows = 4, rowLength = RowParallel.MinElementsPerThread;
            float[] data = new float[rows * rowLength];
            Exception e = Assert.ThrowsAny<Exception>(() => RowParallel.For(Thrower.Body, rows, rowLength, new RowParallel.SpanList<float>(data)));
            Assert.Contains("block", e.InnerException?.Message ?? e.Message, StringComparison.Ordinal);

            // The pool still runs the next call, on both threads.
            Probe.Reset(rows);
            RowParallel.For(Probe.Body, rows, rowLength, new RowParallel.SpanList<float>(data, new float[rows], new float[3]));
            Assert.True(Probe.Visits.All(static v => v == 1));
            Assert.Equal(2, Probe.Threads.Distinct().Count());
        }
        finally
        {
            RowParallel.MaxThreads = before;
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryPathGivesTheOneThreadResultBitForBit(string name)
    {
        MethodInfo parallel = typeof(ParallelKernels).GetMethod(name)!;
        Type parallelPaths = typeof(ParallelKernels).GetNestedType(name + "Paths")!;
        Type serialPaths = typeof(ParallelKernels).GetNestedType(name + "SerialPaths")!;
        int before = RowParallel.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3, 4 })
            {
                RowParallel.MaxThreads = threads;
                foreach ((int rows, int rowLength) in Shapes(name))
                {
                    foreach ((string path, MethodInfo method) in Harness.RunnablePaths(KernelCatalog.PathsOf(parallelPaths), parallel))
                    {
                        MethodInfo twin = path == "Dispatch" ? typeof(ParallelKernels).GetMethod(name + "Serial")! : serialPaths.GetMethod(path)!;
                        object[] outputs = RunBoth(method, twin, rows, rowLength, seed: rows + rowLength + threads);
                        Assert.True(outputs.Length > 0);
                    }
                }
            }
        }
        finally
        {
            RowParallel.MaxThreads = before;
        }
    }

    [Fact]
    public void AParallelCallAllocatesNothing()
    {
        int before = RowParallel.MaxThreads;
        try
        {
            RowParallel.MaxThreads = 2;
            const int rows = 256, rowLength = 1024;
            float[] x = Enumerable.Range(0, rows * rowLength).Select(static i => (float)Math.Sin(i)).ToArray();
            float[] y = new float[x.Length];
            for (int i = 0; i < 20; i++)
            {
                ParallelKernels.SoftmaxF(x, y, rowLength);
            }

            // Process-wide (the workers included): this collection runs alone, so only the runtime allocates meanwhile — a
            // tier-up of the kernel or of the pool's code after its first calls can, so Harness.FirstBatchAllocatingNothing
            // measures a batch of 200 calls up to five times and one batch must allocate nothing at all.
            string? failure = Harness.FirstBatchAllocatingNothing(() =>
            {
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                long allocatedHere = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++)
                {
                    ParallelKernels.SoftmaxF(x, y, rowLength);
                }

                // Both counters read before the array that reports them is made.
                long deltaHere = GC.GetAllocatedBytesForCurrentThread() - allocatedHere;
                long delta = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                return new[] { deltaHere, delta };
            });
            Assert.True(failure is null, "every batch of 200 parallel calls allocated (bytes on the calling thread, in the process): " + failure);
        }
        finally
        {
            RowParallel.MaxThreads = before;
        }
    }

    [Fact]
    public void ConcurrentCallersEachGetTheirResult()
    {
        // Two threads call parallel kernels at once: one gets the pool, the other runs on its own thread; both are right.
        int before = RowParallel.MaxThreads;
        try
        {
            RowParallel.MaxThreads = 2;
            const int rows = 64, rowLength = 2048;
            var failures = new ConcurrentBag<string>();
            var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
            {
                var random = new Random(t);
                float[] x = Enumerable.Range(0, rows * rowLength).Select(_ => (float)((random.NextDouble() * 20) - 10)).ToArray();
                float[] y = new float[x.Length], expected = new float[x.Length];
                ParallelKernels.SoftmaxFSerial(x, expected, rowLength);
                for (int i = 0; i < 200; i++)
                {
                    ParallelKernels.SoftmaxF(x, y, rowLength);
                    if (!y.AsSpan().SequenceEqual(expected))
                    {
                        failures.Add($"thread {t}, call {i}");
                        return;
                    }
                }
            })).ToList();
            threads.ForEach(static t => t.Start());
            threads.ForEach(static t => t.Join());
            Assert.Empty(failures);
        }
        finally
        {
            RowParallel.MaxThreads = before;
        }
    }

    private static IEnumerable<(int Rows, int RowLength)> Shapes(string name)
    {
        if (name.Contains("W64", StringComparison.Ordinal))
        {
            return new[] { (0, 64), (1, 64), (3, 64), (1025, 64), (4097, 64) };
        }

        // Small calls (serial), calls just past two threads' minimum, and large ones with rows not a multiple of the threads.
        return new[] { (0, 5), (1, 100_000), (2, 32_768), (3, 1000), (67, 1000), (513, 257), (1000, 130) };
    }

    // Runs the parallel kernel's path and the serial twin's on the same inputs and compares every output bit for bit.
    private static object[] RunBoth(MethodInfo parallel, MethodInfo serial, int rows, int rowLength, int seed)
    {
        ParameterInfo[] parameters = parallel.GetParameters();
        bool isDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>);
        object[] a = Arguments(parameters, rows, rowLength, seed, isDouble);
        object[] b = Arguments(parameters, rows, rowLength, seed, isDouble);
        Invoke(parallel, a, parameters, isDouble);
        Invoke(serial, b, parameters, isDouble);
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] is float[] fa)
            {
                Assert.True(fa.AsSpan().SequenceEqual((float[])b[i]), $"{parallel.DeclaringType!.Name}.{parallel.Name} parameter {parameters[i].Name}, {rows}×{rowLength}: the parallel call differs");
            }
            else if (a[i] is double[] da)
            {
                Assert.True(da.AsSpan().SequenceEqual((double[])b[i]), $"{parallel.DeclaringType!.Name}.{parallel.Name} parameter {parameters[i].Name}, {rows}×{rowLength}: the parallel call differs");
            }
        }

        return a;
    }

    // One array per span parameter: rows × rowLength for data, rowLength for γ/β, rows for per-row statistics.
    private static object[] Arguments(ParameterInfo[] parameters, int rows, int rowLength, int seed, bool isDouble)
    {
        var random = new Random(seed);
        var result = new object[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            string n = parameters[i].Name!;
            if (parameters[i].ParameterType == typeof(int))
            {
                result[i] = rowLength;
                continue;
            }

            int length = n is "weight" or "bias" ? rowLength : n is "mean" or "inverseStdDev" ? rows : rows * rowLength;
            double[] values = Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 8) - 3).ToArray();
            result[i] = isDouble ? values : values.Select(static v => (float)v).ToArray();
        }

        return result;
    }

    private static void Invoke(MethodInfo method, object[] arrays, ParameterInfo[] parameters, bool isDouble)
    {
        // Spans cannot be boxed: call through a generic helper that builds them from the arrays.
        if (isDouble)
        {
            SpanInvoker<double>.Call(method, arrays, parameters);
        }
        else
        {
            SpanInvoker<float>.Call(method, arrays, parameters);
        }
    }

    private static class SpanInvoker<T>
    {
        private delegate void In1Out1(ReadOnlySpan<T> a, Span<T> b, int n);

        private delegate void LayerNormStats(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> y, Span<T> mean, Span<T> inv, int n);

        private delegate void RmsResidual(ReadOnlySpan<T> x, ReadOnlySpan<T> r, ReadOnlySpan<T> w, Span<T> y, Span<T> h, int n);

        public static void Call(MethodInfo method, object[] a, ParameterInfo[] parameters)
        {
            switch (parameters.Length)
            {
                case 3:
                    ((In1Out1)method.CreateDelegate(typeof(In1Out1)))((T[])a[0], (T[])a[1], (int)a[2]);
                    break;
                case 6:
                    ((RmsResidual)method.CreateDelegate(typeof(RmsResidual)))((T[])a[0], (T[])a[1], (T[])a[2], (T[])a[3], (T[])a[4], (int)a[5]);
                    break;
                case 7:
                    ((LayerNormStats)method.CreateDelegate(typeof(LayerNormStats)))((T[])a[0], (T[])a[1], (T[])a[2], (T[])a[3], (T[])a[4], (T[])a[5], (int)a[6]);
                    break;
                default:
                    throw new InvalidOperationException($"no invoker for {method.Name}");
            }
        }
    }

    // A block method that records which rows ran, on which thread, and marks its rows of span 0 and 1 (span 2 is shared).
    private static class Probe
    {
        public static int[] Visits = Array.Empty<int>();
        public static ConcurrentBag<int> Threads = new();
        public static int Blocks;

        public static readonly RowParallel.RowsBody<float> Body = static (ref RowParallel.RowBlock<float> block) =>
        {
            Interlocked.Increment(ref Blocks);
            Threads.Add(Environment.CurrentManagedThreadId);
            Span<float> data = block.Rows(0), perRow = block.PerRow(1);
            Assert.Equal(block.RowCount * block.RowLength, data.Length);
            Assert.Equal(3, block.Whole(2).Length);
            data.Fill(1);
            perRow.Fill(1);
            for (int r = block.FirstRow; r < block.FirstRow + block.RowCount; r++)
            {
                Interlocked.Increment(ref Visits[r]);
            }
        };

        public static void Reset(int rows)
        {
            Visits = new int[rows];
            Threads = new ConcurrentBag<int>();
            Blocks = 0;
        }
    }

    // Writes the call's stamp into each row's first and last element, having checked they hold the previous call's.
    private static class Stamper
    {
        public static readonly RowParallel.RowsBody<float> Body = static (ref RowParallel.RowBlock<float> block) =>
        {
            float stamp = block.Whole(1)[0];
            Span<float> rows = block.Rows(0);
            for (int r = 0; r < block.RowCount; r++)
            {
                Span<float> row = rows.Slice(r * block.RowLength, block.RowLength);
                if (row[0] != stamp - 1 || row[^1] != stamp - 1)
                {
                    throw new InvalidOperationException($"row {block.FirstRow + r} held {row[0]} before call {stamp}");
                }

                row[0] = stamp;
                row[^1] = stamp;
            }
        };
    }

    // A block method that does nothing.
    private static class Empty
    {
        public static readonly RowParallel.RowsBody<float> Body = static (ref RowParallel.RowBlock<float> block) => { };
    }

    private static class Thrower
    {
        public static readonly RowParallel.RowsBody<float> Body = static (ref RowParallel.RowBlock<float> block) =>
        {
            if (block.FirstRow != 0)
            {
                throw new InvalidOperationException("a block that fails on a worker");
            }
        };
    }
}

/// <summary>
/// The collection of <see cref="ParallelTests"/>: run alone, not beside the other classes, because
/// <see cref="RowParallel.MaxThreads"/> is process-wide and the allocation test counts the whole process's bytes.
/// </summary>
[CollectionDefinition(nameof(ParallelTests), DisableParallelization = true)]
public sealed class ParallelTestsCollection
{
}
