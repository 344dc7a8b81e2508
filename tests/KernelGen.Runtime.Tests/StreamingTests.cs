using System;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The cache hints of KernelGen.Runtime (<see cref="CacheHints"/>), tested once: prefetches change nothing and never
/// fault, the streaming head aligns, streaming stores write exactly; and a cross-entropy gradient large enough to be
/// streamed (above <see cref="CacheHints.StreamingThresholdBytes"/>), at every alignment of the gradient span, equals
/// bit for bit the same path's gradient computed row by row (small calls, ordinary stores); likewise the outputs of
/// LayerNorm, RmsNorm (CRMSNorm, fused residual) and L2Normalize, which stream and ask for the next row as they go.
/// </summary>
public class StreamingTests
{
    private delegate T SumGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> gradient);

    [Fact]
    public void PrefetchPastTheEndNeitherFaultsNorWrites()
    {
        float[] data = Enumerable.Range(0, 100).Select(static i => (float)i).ToArray();
        for (int i = 0; i < data.Length; i++)
        {
            CacheHints.PrefetchAhead(ref data[0], i, 512);   // 4 KiB + 512 B past element i: beyond the array
            CacheHints.PrefetchAhead(ref data[i], 0, 64);
            CacheHints.PrefetchAt(ref data[i], data.Length, 256);   // the next row's place: past the end
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(static i => (float)i), data);
    }

    [Fact]
    public void L1DataBytesIsTheProcessorsL1OrZero()
    {
        int bytes = CacheHints.L1DataBytes;
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported)
        {
            Assert.Equal(0, bytes);   // Arm64: unknown, so RmsNorm asks for nothing
            return;
        }

        // x86: whole KiB between 16 KiB and 1 MiB (every L1 data cache made), or 0 when CPUID does not say.
        Assert.True(bytes == 0 || (bytes is >= 16 << 10 and <= 1 << 20 && bytes % 1024 == 0), $"L1DataBytes = {bytes}");

        // Where Linux lists the caches (not in every VM), the same size as its level-1 data cache.
        string[] caches = System.IO.Directory.Exists("/sys/devices/system/cpu/cpu0/cache")
            ? System.IO.Directory.GetDirectories("/sys/devices/system/cpu/cpu0/cache", "index*")
            : Array.Empty<string>();
        foreach (string cache in caches)
        {
            string Read(string name) => System.IO.File.ReadAllText(System.IO.Path.Combine(cache, name)).Trim();
            if (Read("level") == "1" && Read("type") == "Data" && Read("size") is { } size && size.EndsWith('K'))
            {
                Assert.Equal(int.Parse(size.TrimEnd('K'), System.Globalization.CultureInfo.InvariantCulture) * 1024, bytes);
            }
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    [InlineData(16)]
    public void StreamingHeadReachesTheFirstAlignedAddress(int vectorBytes)
    {
        float[] floats = GC.AllocateArray<float>(256, pinned: true);
        double[] doubles = GC.AllocateArray<double>(256, pinned: true);
        for (int offset = 0; offset < 32; offset++)
        {
            nint head = Head(ref floats[offset], 200, vectorBytes);
            Assert.InRange(head, 0, (vectorBytes / sizeof(float)) - 1);
            Assert.Equal(0, (long)(Address(floats, offset + (int)head) % (nuint)vectorBytes));

            nint doubleHead = Head(ref doubles[offset], 200, vectorBytes);
            Assert.InRange(doubleHead, 0, (vectorBytes / sizeof(double)) - 1);
            Assert.Equal(0, (long)(Address(doubles, offset + (int)doubleHead) % (nuint)vectorBytes));

            // Never more than the row.
            Assert.InRange(Head(ref floats[offset], 1, vectorBytes), 0, 1);
        }

        // An address not aligned to the element: nothing streams (the head is the whole row).
        Span<float> odd = MemoryMarshal.Cast<byte, float>(MemoryMarshal.AsBytes(floats.AsSpan()).Slice(1, 400));
        Assert.Equal(50, CacheHints.StreamingHead(ref odd[0], 50, 64));
    }

    [Fact]
    public void StreamingStoresWriteExactlyTheirVector()
    {
        float[] buffer = GC.AllocateArray<float>(128, pinned: true);
        int start = (int)CacheHints.StreamingHead(ref buffer[0], buffer.Length, 64);
        CacheHints.StoreStreaming(Vector512.Create(1f), ref buffer[start], 0);
        CacheHints.StoreStreaming(Vector256.Create(2f), ref buffer[start], 16);
        CacheHints.StoreStreaming(Vector128.Create(3f), ref buffer[start], 24);
        CacheHints.StreamingFence();
        float[] expected = new float[128];
        expected.AsSpan(start, 16).Fill(1f);
        expected.AsSpan(start + 16, 8).Fill(2f);
        expected.AsSpan(start + 24, 4).Fill(3f);
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void OnlyLargeSeparateOutputsStream()
    {
        int large = CacheHints.StreamingThresholdBytes / sizeof(float);
        float[] input = new float[large], output = new float[large];
        Assert.Equal(System.Runtime.Intrinsics.X86.Sse.IsSupported, CacheHints.ShouldStream<float>(input, output));
        Assert.False(CacheHints.ShouldStream<float>(input, output.AsSpan(0, large - 1)));   // below the threshold
        Assert.False(CacheHints.ShouldStream<float>(input, input));                        // in place
        Assert.False(CacheHints.ShouldStream<float>(input, input.AsSpan(1)));              // overlapping
        try
        {
            CacheHints.StreamingStores = false;                                                // switched off
            Assert.False(CacheHints.ShouldStream<float>(input, output));
        }
        finally
        {
            CacheHints.StreamingStores = true;
        }

        Assert.Equal(System.Runtime.Intrinsics.X86.Sse.IsSupported, CacheHints.ShouldStream<float>(input, output));
    }

    [Fact]
    public void StreamedFloatGradientEqualsTheRowByRowGradientOnEveryPath() =>
        CheckStreamedGradient<float>(nameof(LossKernels.CrossEntropySumGradFRows), rows: 65, classes: 32771, shifts: new[] { 0, 1, 7, 15 });

    [Fact]
    public void StreamedDoubleGradientEqualsTheRowByRowGradientOnEveryPath() =>
        CheckStreamedGradient<double>(nameof(LossKernels.CrossEntropySumSmoothZGradDRows), rows: 33, classes: 32771, shifts: new[] { 0, 3, 5 });

    [Theory]
    [InlineData(nameof(LossKernels.CrossEntropySumGradFRows), 65, 32771)]
    [InlineData(nameof(LossKernels.CrossEntropyNoneGradFU3Rows), 67, 32003)]
    [InlineData(nameof(LossKernels.CrossEntropySumGradDRows), 37, 30011)]
    [InlineData(nameof(LossKernels.CrossEntropySumGradFRows), 33, 65600)]
    [InlineData(nameof(LossKernels.CrossEntropyNoneSmoothGradFRows), 65, 32771)]
    [InlineData(nameof(LossKernels.CrossEntropySumSmoothZGradDRows), 37, 30011)]
    [InlineData(nameof(LossKernels.CrossEntropyClassWeightsSmoothSumGradDRows), 37, 30011)]
    public void StreamedRowsEqualTheRowsOneByOneOnEveryPath(string name, int rows, int classes)
    {
        // A gradient of 8+ MiB streams: rows of at most ScratchRows.PipelineRowBytes run as a pipeline of rows (three in
        // flight), longer ones (the last case) one by one with e computed again in the third pass. Each row must come out
        // as it does alone (a small call: the three passes one after the other, e stored, ordinary stores). Ignored rows
        // first, in the middle and last (the pipeline's first and last iterations), a −∞ logit and one of 1e4.
        LossInfo kernel = LossCatalog.Get(name);
        int size = kernel.IsDouble ? sizeof(double) : sizeof(float);
        Assert.True((long)rows * classes * size >= CacheHints.StreamingThresholdBytes, "the call must be large enough to stream");
        var random = new Random(17);
        double[] logits = Enumerable.Range(0, rows * classes).Select(_ => (random.NextDouble() - 0.5) * 16).ToArray();
        logits[(5 * classes) + 11] = double.NegativeInfinity;
        logits[(6 * classes) + 7] = 1e4;
        logits[(3 * classes) + 5] = double.NaN;   // in an ignored row: its gradient is still +0 everywhere (the row alone's)
        int[] targets = Enumerable.Range(0, rows).Select(r => r is 0 or 3 || r == rows - 1 ? -100 : random.Next(classes)).ToArray();
        targets[6] = 7;
        int checkedPaths = 0;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            if (path == "Reference")
            {
                continue;
            }

            LossResult batch = kernel.Run(method, logits, targets);
            double rowLosses = 0;
            for (int r = 0; r < rows; r++)
            {
                LossResult one = kernel.Run(method, logits.AsSpan(r * classes, classes).ToArray(), new[] { targets[r] });
                Assert.True(batch.Gradient.AsSpan(r * classes, classes).SequenceEqual(one.Gradient), $"{name}.{path}: row {r}'s gradient differs from the row alone");
                if (kernel.Reduction == LossReduction.None)
                {
                    Assert.Equal(one.Losses[0], batch.Losses[r]);
                }
                else
                {
                    rowLosses += one.Loss;
                }
            }

            Assert.True(batch.Gradient.AsSpan(0, classes).ToArray().All(static v => v == 0), $"{name}.{path}: an ignored row's gradient is not zero");
            Assert.True(batch.Gradient.AsSpan(3 * classes, classes).ToArray().All(static v => BitConverter.DoubleToInt64Bits(v) == 0), $"{name}.{path}: the ignored row with a NaN logit is not +0 everywhere");
            if (kernel.Reduction != LossReduction.None)
            {
                // (Infinite with label smoothing: Σz of the row with a −∞ logit is −∞, as in PyTorch.)
                Assert.True(batch.Loss == rowLosses || Math.Abs(batch.Loss - rowLosses) <= 1e-6 * Math.Abs(rowLosses), $"{name}.{path}: loss {batch.Loss} vs the rows' sum {rowLosses}");
            }

            checkedPaths++;
        }

        Assert.True(checkedPaths >= 2, "at least one path and the dispatcher");
    }

    [Fact]
    public void ThePipelineOfRowsAllocatesOnlyOnAThreadsFirstCall()
    {
        // The pipeline's scratch rows are per thread (ScratchRows): the first call on a thread allocates them, later calls
        // with rows no longer than the first's allocate nothing.
        int rows = 65, classes = 32771;
        var random = new Random(23);
        float[] logits = Enumerable.Range(0, rows * classes).Select(_ => (float)(random.NextDouble() * 8)).ToArray();
        int[] targets = Enumerable.Range(0, rows).Select(_ => random.Next(classes)).ToArray();
        float[] gradient = new float[logits.Length];
        float first = LossKernels.CrossEntropySumGradFRows(logits, targets, gradient);

        // Warm up past the tiered JIT's call counting; the runtime's own work can still land in a measured call (seen in
        // CI with the scalar path, a few KB in one call of eight), so Harness.FirstBatchAllocatingNothing measures the
        // batch of eight calls up to five times and one batch must allocate nothing at all.
        for (int call = 0; call < 40; call++)
        {
            LossKernels.CrossEntropySumGradFRows(logits, targets, gradient);
        }

        string? failure = Harness.FirstBatchAllocatingNothing(() =>
        {
            var allocated = new long[8];
            for (int call = 0; call < allocated.Length; call++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                float loss = LossKernels.CrossEntropySumGradFRows(logits, targets, gradient);
                allocated[call] = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.Equal(first, loss);
            }

            return allocated;
        });
        Assert.True(failure is null, "every batch of calls allocated; bytes per call: " + failure);
    }

    [Fact]
    public void StreamedSingleRowGradientEqualsTheInPlaceGradientOnEveryPath()
    {
        // One row of 8.4 MB: its gradient apart from the logits streams (e computed again in the third pass), written over
        // them it does not (e stored, then scaled in place). The same bits.
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyGradF));
        int n = 2_100_003;
        var random = new Random(19);
        float[] logits = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 16)).ToArray();
        int[] target = { 1_234_567 };
        Assert.True(CacheHints.ShouldStream<float>(logits, new float[n]) || !System.Runtime.Intrinsics.X86.Sse.IsSupported);
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            float[] inPlace = (float[])logits.Clone();
            double inPlaceLoss = kernel.Call<float>(method, inPlace, target, default, inPlace);
            float[] buffer = new float[n + 16];
            double loss = kernel.Call<float>(method, logits, target, default, buffer.AsSpan(5, n));
            Assert.Equal(inPlaceLoss, loss);
            Assert.True(buffer.AsSpan(5, n).SequenceEqual(inPlace), $"{kernel.Name}.{path}: the streamed gradient differs from the in-place gradient");
            Assert.True(buffer.Take(5).Concat(buffer.Skip(5 + n)).All(static v => v == 0), $"{kernel.Name}.{path}: wrote outside the gradient span");
        }
    }

    private static void CheckStreamedGradient<T>(string name, int rows, int classes, int[] shifts)
        where T : unmanaged, IConvertible
    {
        LossInfo kernel = LossCatalog.Get(name);
        Assert.Equal(LossReduction.Sum, kernel.Reduction);
        var random = new Random(5);
        T[] logits = Enumerable.Range(0, rows * classes).Select(_ => (T)Convert.ChangeType((random.NextDouble() - 0.5) * 16, typeof(T), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        int[] targets = Enumerable.Range(0, rows).Select(r => r == 3 ? -100 : random.Next(classes)).ToArray();   // one ignored row
        Assert.True((long)logits.Length * Marshal.SizeOf<T>() >= CacheHints.StreamingThresholdBytes, "the call must be large enough to stream");
        int checkedPaths = 0;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            if (path == "Reference")
            {
                continue;
            }

            var call = method.CreateDelegate<SumGradient<T>>();
            T[] rowByRow = new T[logits.Length];
            double rowLosses = 0;
            for (int r = 0; r < rows; r++)
            {
                rowLosses += call(logits.AsSpan(r * classes, classes), targets.AsSpan(r, 1), rowByRow.AsSpan(r * classes, classes)).ToDouble(null);
            }

            foreach (int shift in shifts)
            {
                T[] buffer = new T[logits.Length + 16];
                Span<T> gradient = buffer.AsSpan(shift, logits.Length);
                double loss = call(logits, targets, gradient).ToDouble(null);
                Assert.True(gradient.SequenceEqual(rowByRow), $"{name}.{path}, gradient shifted by {shift}: differs from the row-by-row gradient");
                Assert.True(buffer.Take(shift).Concat(buffer.Skip(shift + logits.Length)).All(static v => v.ToDouble(null) == 0), $"{name}.{path}: wrote outside the gradient span");
                Assert.True(Math.Abs(loss - rowLosses) <= 1e-6 * Math.Abs(rowLosses), $"{name}.{path}: loss {loss} vs the rows' sum {rowLosses}");
            }

            checkedPaths++;
        }

        Assert.True(checkedPaths >= 2, "at least one path and the dispatcher");
    }

    [Theory]
    [InlineData(nameof(NormKernels.LayerNormFRows))]
    [InlineData(nameof(NormKernels.LayerNormDU3Rows))]
    [InlineData(nameof(NormKernels.RmsNormFRows))]
    [InlineData(nameof(NormKernels.RmsNormGemmaFU2Rows))]
    [InlineData(nameof(NormKernels.RmsNormCompressedFRows))]
    [InlineData(nameof(NormKernels.L2NormalizeDRows))]
    [InlineData(nameof(NormKernels.L2NormalizeFEps0U2Rows))]
    [InlineData(nameof(NormKernels.LayerNormResidualFRows))]
    [InlineData(nameof(NormKernels.RmsNormResidualGemmaDRows))]
    public void StreamedNormOutputEqualsTheRowByRowOutputOnEveryPath(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        if (kernel.IsDouble)
        {
            CheckStreamedNorm<double>(kernel, rows: 261, rowLength: 4099, shifts: new[] { 0, 3, 5 });
        }
        else
        {
            // An odd count of rows: LayerNorm's rows loop pairs rows in cache only; streamed, every row goes alone.
            CheckStreamedNorm<float>(kernel, rows: 521, rowLength: 4099, shifts: new[] { 0, 1, 7, 15 });
        }
    }

    [Fact]
    public void StreamedSingleRowNormEqualsTheInPlaceNormOnEveryPath()
    {
        // One row of 8.5 MB: written apart from the input it streams, written over it (in place) it does not.
        NormInfo kernel = NormCatalog.Get(nameof(NormKernels.RmsNormF));
        int n = 2_131_487;
        var random = new Random(11);
        float[] x = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 8)).ToArray();
        float[] weight = Enumerable.Range(0, n).Select(_ => (float)(1 + random.NextDouble())).ToArray();
        Assert.True(CacheHints.ShouldStream<float>(x, new float[n]) || !System.Runtime.Intrinsics.X86.Sse.IsSupported);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            float[] inPlace = (float[])x.Clone();
            kernel.Run<float>(method, inPlace, weight, default, inPlace, n);
            float[] buffer = new float[n + 16];
            kernel.Run<float>(method, x, weight, default, buffer.AsSpan(3, n), n);
            Assert.True(buffer.AsSpan(3, n).SequenceEqual(inPlace), $"{kernel.Name}.{path}: the streamed row differs from the in-place row");
            Assert.True(buffer.Take(3).Concat(buffer.Skip(3 + n)).All(static v => v == 0), $"{kernel.Name}.{path}: wrote outside the output span");
        }
    }

    [Fact]
    public void AnOutputNotAlignedToItsElementDoesNotStreamAndWritesExactly()
    {
        // A float span one byte into a byte buffer (MemoryMarshal.Cast of a byte slice): an address no streaming store
        // can reach. The call is large enough to stream; it must fall back to ordinary stores and write exactly its span.
        int rowLength = 4099, rows = 520, length = rowLength * rows;
        var random = new Random(13);
        float[] x = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * 8)).ToArray();
        float[] weight = Enumerable.Range(0, rowLength).Select(_ => (float)(1 + random.NextDouble())).ToArray();
        byte[] bytes = new byte[(length * sizeof(float)) + 64];
        Span<float> odd = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(1, length * sizeof(float)));
        Assert.False(CacheHints.ShouldStream<float>(x, odd));
        Assert.True(CacheHints.ShouldStream<float>(x, new float[length]) || !System.Runtime.Intrinsics.X86.Sse.IsSupported);

        NormKernels.RmsNormFRows(x, weight, odd, rowLength);
        float[] expected = new float[length];
        NormKernels.RmsNormFRows(x, weight, expected, rowLength);
        Assert.True(odd.SequenceEqual(expected), "the unaligned output differs from the aligned one");
        Assert.Equal(0, bytes[0]);
        Assert.True(bytes.AsSpan(1 + (length * sizeof(float))).IndexOfAnyExcept((byte)0) < 0, "wrote past the output span");
    }

    private static void CheckStreamedNorm<T>(NormInfo kernel, int rows, int rowLength, int[] shifts)
        where T : unmanaged, IConvertible, IEquatable<T>
    {
        Assert.True(kernel.ManyRows && kernel.Width == 0);
        var random = new Random(7);
        T Value(double v) => (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        int length = rows * rowLength;
        T[] x = Enumerable.Range(0, length).Select(_ => Value((random.NextDouble() - 0.5) * 8 + 3)).ToArray();
        T[] r = Enumerable.Range(0, length).Select(_ => Value(random.NextDouble() - 0.5)).ToArray();
        T[] weight = Enumerable.Range(0, rowLength).Select(_ => Value(1 + random.NextDouble())).ToArray();
        T[] bias = Enumerable.Range(0, rowLength).Select(_ => Value(random.NextDouble() - 0.5)).ToArray();
        Assert.True((long)length * Marshal.SizeOf<T>() >= CacheHints.StreamingThresholdBytes, "the call must be large enough to stream");

        void Run(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> residual, Span<T> output, Span<T> sum)
        {
            if (kernel.HasResidual)
            {
                kernel.RunResidual(method, input, residual, weight, bias, output, sum, rowLength);
            }
            else
            {
                kernel.Run(method, input, weight, bias, output, rowLength);
            }
        }

        int checkedPaths = 0;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            if (path == "Reference")
            {
                continue;
            }

            T[] rowByRow = new T[length], rowByRowSum = new T[length];
            for (int row = 0; row < rows; row++)
            {
                int start = row * rowLength;
                Run(method, x.AsSpan(start, rowLength), r.AsSpan(start, rowLength), rowByRow.AsSpan(start, rowLength), rowByRowSum.AsSpan(start, rowLength));
            }

            foreach (int shift in shifts)
            {
                T[] buffer = new T[length + 16];
                T[] sum = new T[length];
                Span<T> output = buffer.AsSpan(shift, length);
                Run(method, x, r, output, sum);
                Assert.True(output.SequenceEqual(rowByRow), $"{kernel.Name}.{path}, output shifted by {shift}: differs from the row-by-row output");
                Assert.True(!kernel.HasResidual || sum.AsSpan().SequenceEqual(rowByRowSum), $"{kernel.Name}.{path}: the sum h differs");
                Assert.True(buffer.Take(shift).Concat(buffer.Skip(shift + length)).All(static v => v.ToDouble(null) == 0), $"{kernel.Name}.{path}: wrote outside the output span");
            }

            if (kernel.HasResidual)
            {
                // The residual stream updated in place (h over x, then h over r) while the output streams: every pass
                // reads x + r before the last one writes h over it.
                T[] output = new T[length];
                T[] hidden = (T[])x.Clone();
                Run(method, hidden, r, output, hidden);
                Assert.True(output.AsSpan().SequenceEqual(rowByRow) && hidden.AsSpan().SequenceEqual(rowByRowSum), $"{kernel.Name}.{path}: h written over x differs");
                T[] residual = (T[])r.Clone();
                Run(method, x, residual, output, residual);
                Assert.True(output.AsSpan().SequenceEqual(rowByRow) && residual.AsSpan().SequenceEqual(rowByRowSum), $"{kernel.Name}.{path}: h written over r differs");

                // h at every alignment against y: streamed where it is aligned, ordinary stores where it is not.
                foreach (int shift in shifts)
                {
                    T[] sumBuffer = new T[length + 16];
                    Run(method, x, r, output, sumBuffer.AsSpan(shift, length));
                    Assert.True(output.AsSpan().SequenceEqual(rowByRow) && sumBuffer.AsSpan(shift, length).SequenceEqual(rowByRowSum), $"{kernel.Name}.{path}, h shifted by {shift}: differs");
                    Assert.True(sumBuffer.Take(shift).Concat(sumBuffer.Skip(shift + length)).All(static v => v.ToDouble(null) == 0), $"{kernel.Name}.{path}: wrote outside the sum span");
                }
            }

            checkedPaths++;
        }

        Assert.True(checkedPaths >= 2, "at least one path and the dispatcher");
    }

    // StreamingHead takes the vector size as a constant (as the generated code passes it).
    private static nint Head<T>(ref T start, nint n, int vectorBytes)
        where T : unmanaged => vectorBytes switch
        {
            64 => CacheHints.StreamingHead(ref start, n, 64),
            32 => CacheHints.StreamingHead(ref start, n, 32),
            _ => CacheHints.StreamingHead(ref start, n, 16),
        };

    // The address of a pinned array's element.
    private static nuint Address<T>(T[] pinned, int index) => (nuint)(nint)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, index);
}
