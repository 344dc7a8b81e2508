using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.CacheProbe;

/// <summary>
/// An ablation of the norms' rows of 4096 floats on one thread: what γ (and β) cost them, measured by leaving them out.
/// <c>rmsnorm</c> runs 256 × 4096 floats in cache (4 MiB each way, in L3), <c>layernorm</c> 4096 × 4096 out of cache
/// (64 MiB each way, the output streamed). Each variant is a hand-written AVX-512 model of the generated row (its
/// passes, unrolling, stores and prefetches; not its bits), timed in alternating batches of calls within one process;
/// each round gives every variant's time per call and its ratio to the first variant, and the medians over the rounds
/// are printed. Usage: <c>dotnet run -c Release --project bench/KernelGen.CacheProbe -- rmsnorm|layernorm [rounds]</c>.
/// </summary>
public static unsafe class Program
{
    /// <summary>Runs the probe; returns 64 for bad arguments, 2 on a machine without AVX-512.</summary>
    /// <param name="args"><c>rmsnorm</c> or <c>layernorm</c>, then the number of rounds (default 21).</param>
    /// <returns>The process exit code.</returns>
    public static int Main(string[] args)
    {
        if (args.Length is < 1 or > 2 || args[0] is not ("rmsnorm" or "layernorm")
            || (args.Length == 2 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) || parsed < 3)))
        {
            Console.Error.WriteLine("usage: KernelGen.CacheProbe rmsnorm|layernorm [rounds >= 3]");
            return 64;
        }

        if (!Avx512F.IsSupported)
        {
            Console.Error.WriteLine("KernelGen.CacheProbe models the AVX-512 rows: this machine has no AVX-512.");
            return 2;
        }

        int rounds = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
        bool rms = args[0] == "rmsnorm";
        int rows = rms ? 256 : 4096, n = 4096;
        using var data = new Buffers(rows, n);
        float* x = data.X, y = data.Y, g = data.Gamma, b = data.Beta;
        var variants = new List<(string Name, Action Run)>();
        if (rms)
        {
            variants.Add(("RmsNorm (the generated row's passes: pass 1 asks for γ's lines)", () => Rows.RmsNorm(x, g, y, rows, n, Rows.Weight.AskedForInPass1)));
            variants.Add(("RmsNorm, pass 1 without γ's lines (before session 23)", () => Rows.RmsNorm(x, g, y, rows, n, Rows.Weight.Read)));
            variants.Add(("RmsNorm without γ (y = x·(1/rms))", () => Rows.RmsNorm(x, g, y, rows, n, Rows.Weight.None)));
            variants.Add(("TensorPrimitives composition", () => Rows.TensorPrimitivesRmsNorm(x, g, y, rows, n)));
        }
        else
        {
            variants.Add(("LayerNorm (the generated row's passes)", () => Rows.LayerNorm(x, g, b, y, rows, n, Rows.Affine.WeightAndBias)));
            variants.Add(("LayerNorm without β (y = γ·x̂)", () => Rows.LayerNorm(x, g, b, y, rows, n, Rows.Affine.Weight)));
            variants.Add(("LayerNorm without γ and β (y = x̂)", () => Rows.LayerNorm(x, g, b, y, rows, n, Rows.Affine.None)));
        }

        variants.Add(("Copy (Span.CopyTo)", () => new ReadOnlySpan<float>(x, rows * n).CopyTo(new Span<float>(y, rows * n))));

        Console.WriteLine($"{args[0]}: {rows} x {n} floats, {(rms ? "in cache (ordinary stores)" : "out of cache (streaming stores, the next row asked for)")}, {rounds} rounds, .NET {Environment.Version}");
        // Warm-up: half a second of each (every method reaches its fully optimized code), then ~10 ms batches.
        foreach ((string _, Action run) in variants)
        {
            for (var warm = Stopwatch.StartNew(); warm.ElapsedMilliseconds < 500;)
            {
                run();
            }
        }

        int calls = Calibrate(variants[0].Run);

        var times = variants.Select(_ => new double[rounds]).ToArray();
        var watch = new Stopwatch();
        for (int r = 0; r < rounds; r++)
        {
            for (int j = 0; j < variants.Count; j++)
            {
                int v = r % 2 == 0 ? j : variants.Count - 1 - j;
                watch.Restart();
                for (int k = 0; k < calls; k++)
                {
                    variants[v].Run();
                }

                times[v][r] = watch.Elapsed.TotalMicroseconds / calls;
            }

            Console.Error.Write($"\rround {r + 1}/{rounds}");
        }

        Console.Error.WriteLine();
        Console.WriteLine($"| variant | median per call | first variant's time ÷ this one's, median of rounds (p10–p90) |");
        Console.WriteLine("|---|---:|---:|");
        for (int v = 0; v < variants.Count; v++)
        {
            double[] ratios = Enumerable.Range(0, rounds).Select(r => times[0][r] / times[v][r]).OrderBy(t => t).ToArray();
            double median = times[v].OrderBy(t => t).ElementAt(rounds / 2);
            Console.WriteLine(FormattableString.Invariant($"| {variants[v].Name} | {median:F1} µs | {ratios[rounds / 2]:F2} ({ratios[rounds / 10]:F2}–{ratios[rounds - 1 - (rounds / 10)]:F2}) |"));
        }

        return 0;
    }

    // Calls per batch: about 10 ms of the first variant.
    private static int Calibrate(Action run)
    {
        run();
        var watch = Stopwatch.StartNew();
        run();
        return Math.Max(1, (int)(10_000 / Math.Max(1, watch.Elapsed.TotalMicroseconds)));
    }

    // x, y (rows × n), γ and β (n) on their own pages: x at a page's start, y 64 bytes past one (as two arrays of the
    // benchmark often fall), γ and β at other offsets; the input uniform in [−1, 1), γ in [0.5, 1.5), β in [−0.5, 0.5).
    private sealed class Buffers : IDisposable
    {
        private readonly List<nint> blocks = new();

        public Buffers(int rows, int n)
        {
            long total = (long)rows * n;
            this.X = this.Allocate(total, 0);
            this.Y = this.Allocate(total, 64);
            this.Gamma = this.Allocate(n, 512);
            this.Beta = this.Allocate(n, 1024);
            var random = new Random(1);
            for (long i = 0; i < total; i++)
            {
                this.X[i] = (float)((random.NextDouble() * 2) - 1);
                this.Y[i] = 0;
            }

            for (int i = 0; i < n; i++)
            {
                this.Gamma[i] = (float)(random.NextDouble() + 0.5);
                this.Beta[i] = (float)(random.NextDouble() - 0.5);
            }
        }

        public float* X { get; }

        public float* Y { get; }

        public float* Gamma { get; }

        public float* Beta { get; }

        public void Dispose()
        {
            foreach (nint block in this.blocks)
            {
                NativeMemory.AlignedFree((void*)block);
            }
        }

        private float* Allocate(long floats, int offset)
        {
            void* block = NativeMemory.AlignedAlloc((nuint)((floats * sizeof(float)) + 4096), 4096);
            this.blocks.Add((nint)block);
            return (float*)((byte*)block + offset);
        }
    }
}
