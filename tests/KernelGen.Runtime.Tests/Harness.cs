using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>Runs kernels on double-valued inputs (rounded to the kernel's element type) and measures them against the oracle.</summary>
public static class Harness
{
    /// <summary>
    /// Runs <paramref name="batch"/> (which returns the bytes allocated by each part it measured, e.g. per call) up to
    /// five times and returns null as soon as one run allocated nothing; otherwise every run's bytes, for the failure
    /// message. The runtime's own work (a tier-up, an on-stack replacement) can land in a measured call under the load of
    /// other test classes; code that allocates per call allocates in every run.
    /// </summary>
    public static string? FirstBatchAllocatingNothing(Func<long[]> batch)
    {
        var runs = new List<string>();
        for (int run = 0; run < 5; run++)
        {
            long[] allocated = batch();
            if (allocated.All(static a => a == 0))
            {
                return null;
            }

            runs.Add(string.Join(", ", allocated));
        }

        return string.Join(" | ", runs);
    }

    private const int Guard = 16;
    private const float FloatSentinel = 12345.678f;
    private const double DoubleSentinel = 12345.678;

    /// <summary>The float tolerance of docs/accuracy.md, in units (testing.md §4).</summary>
    public const double FloatTolerance = 16;

    /// <summary>The double tolerance of docs/accuracy.md, in units of 2^-53.</summary>
    public const double DoubleTolerance = 16;

    /// <summary>Rounds the input to the kernel's element type (what the kernel really sees).</summary>
    public static double[] Rounded(KernelInfo kernel, double[] x) =>
        kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    /// <summary>Runs <paramref name="method"/> into a guarded buffer; fails if anything outside the output was written.</summary>
    public static double[] Run(KernelInfo kernel, MethodInfo method, double[] x, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, DoubleSentinel);
            kernel.Run<double>(method, x, buffer.AsSpan(Guard, x.Length), rowLength);
            CheckGuards(buffer, DoubleSentinel, x.Length, kernel, method);
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }
        else
        {
            float[] input = x.Select(static v => (float)v).ToArray();
            var buffer = new float[x.Length + (2 * Guard)];
            Array.Fill(buffer, FloatSentinel);
            kernel.Run<float>(method, input, buffer.AsSpan(Guard, x.Length), rowLength);
            CheckGuards(buffer, FloatSentinel, x.Length, kernel, method);
            return buffer.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
        }
    }

    /// <summary>Runs in place (input and output the same memory).</summary>
    public static double[] RunInPlace(KernelInfo kernel, MethodInfo method, double[] x, int rowLength)
    {
        if (kernel.IsDouble)
        {
            double[] data = (double[])x.Clone();
            kernel.Run<double>(method, data, data, rowLength);
            return data;
        }
        else
        {
            float[] data = x.Select(static v => (float)v).ToArray();
            kernel.Run<float>(method, data, data, rowLength);
            return data.Select(static v => (double)v).ToArray();
        }
    }

    /// <summary>The worst error in units over every row, with where it happened.</summary>
    public static (double Units, int Index) Worst(KernelInfo kernel, double[] rounded, double[] actual, int rowLength)
    {
        double worst = 0;
        int where = -1;
        for (int start = 0; start < rounded.Length; start += rowLength)
        {
            ReadOnlySpan<double> row = rounded.AsSpan(start, rowLength);
            double[] expected = Oracle.Softmax(row, kernel.Temperature, kernel.IsLog);
            double max = double.NegativeInfinity;
            foreach (double v in row)
            {
                max = Math.Max(max, v);
            }

            for (int i = 0; i < rowLength; i++)
            {
                double units = Oracle.Units(actual[start + i], expected[i], row[i], max, kernel.Temperature, kernel.IsLog, kernel.IsDouble);
                if (!(units <= worst))
                {
                    worst = units;
                    where = start + i;
                    if (double.IsNaN(units))
                    {
                        return (double.PositiveInfinity, where);
                    }
                }
            }
        }

        return (worst, where);
    }

    /// <summary>The paths of a kernel that this machine runs, plus the dispatcher and the Reference.</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(KernelInfo kernel) => RunnablePaths(kernel.Paths, kernel.Dispatcher);

    /// <summary>The paths of <paramref name="paths"/> that this machine runs (Reference included), then the dispatcher as "Dispatch".</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(IReadOnlyDictionary<string, MethodInfo> paths, MethodInfo dispatcher)
    {
        foreach ((string name, MethodInfo method) in paths)
        {
            if (IsSupported(name))
            {
                yield return (name, method);
            }
        }

        yield return ("Dispatch", dispatcher);
    }

    /// <summary>Whether the machine (under the current runtime switches) runs a path.</summary>
    public static bool IsSupported(string path) => path switch
    {
        "Avx512" => KernelGen.Runtime.VectorMath512.IsSupported,
        "Avx2" => KernelGen.Runtime.VectorMath256.IsSupported,
        "Neon" => System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported,
        "Vector128" => KernelGen.Runtime.VectorMath128.IsSupported,
        _ => true,
    };

    private static void CheckGuards<T>(T[] buffer, T sentinel, int length, KernelInfo kernel, MethodInfo method)
        where T : IEquatable<T>
    {
        for (int i = 0; i < Guard; i++)
        {
            if (!buffer[i].Equals(sentinel) || !buffer[Guard + length + i].Equals(sentinel))
            {
                throw new InvalidOperationException($"{kernel.Name}.{method.DeclaringType?.Name}.{method.Name} wrote outside its output (length {length}).");
            }
        }
    }
}
