using System;
using System.Diagnostics;
using System.Globalization;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks.Check;

/// <summary>
/// Part of <c>--check</c>: a Stopwatch measure of how [Sparsemax] and [Entmax15] scale with the row length (the issue
/// asks for O(K log K) or better, measured). Each size runs 2¹⁸ elements per call (so a longer row means fewer
/// rows), best of several calls; the time per element must not grow by more than <see cref="AllowedGrowth"/> from
/// rows of 1 024 to rows of 262 144 — O(K log K) grows by 1.8 there, an O(K²) search by 256. Also prints the time
/// per element next to our softmax's.
/// </summary>
public static class SparseMapScaling
{
    /// <summary>The most the time per element may grow from 1 024 to 262 144 elements per row (noise on a shared machine included).</summary>
    public const double AllowedGrowth = 4;

    private const int Elements = 1 << 18;

    /// <summary>Measures, prints, and returns the number of failures.</summary>
    public static int Run()
    {
        int failures = 0;
        int[] lengths = [1024, 4096, 32768, 262144];
        Console.WriteLine($"{"sparse maps: ns/element",-28} {"input",-10} {string.Join(" ", Array.ConvertAll(lengths, static n => n.ToString(CultureInfo.InvariantCulture).PadLeft(9)))}   growth  result");
        var output = new float[Elements];
        foreach (string kind in new[] { "Logits", "Uniform01" })
        {
            float[] input = SparseMapInputs.Make(kind, Elements, 7);
            foreach ((string name, Action<int> kernel) in new (string, Action<int>)[]
            {
                ("Softmax (baseline)", n => BenchKernels.SoftmaxAuto(input, output, n)),
                ("Sparsemax", n => BenchSparseMapKernels.Sparsemax(input, output, n)),
                ("Entmax15", n => BenchSparseMapKernels.Entmax15(input, output, n)),
            })
            {
                double[] perElement = Array.ConvertAll(lengths, n => Best(() => kernel(n)) * 1e9 / Elements);
                double growth = perElement[^1] / perElement[0];
                bool ok = name.StartsWith("Softmax", StringComparison.Ordinal) || growth <= AllowedGrowth;
                failures += ok ? 0 : 1;
                Console.WriteLine($"{name,-28} {kind,-10} {string.Join(" ", Array.ConvertAll(perElement, static t => t.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(9)))}   {growth,6:0.00}  {(ok ? "ok" : $"FAIL (grows more than {AllowedGrowth}x)")}");
            }
        }

        return failures;
    }

    // The best of 15 timed calls, after 3 untimed ones, in seconds.
    private static double Best(Action call)
    {
        for (int i = 0; i < 3; i++)
        {
            call();
        }

        double best = double.PositiveInfinity;
        for (int i = 0; i < 15; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return best;
    }
}
