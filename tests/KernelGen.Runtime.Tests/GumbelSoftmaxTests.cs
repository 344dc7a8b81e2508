using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

public delegate void NoiseRowKernel<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> uniform, Span<T> output);

public delegate void NoiseRowsKernel<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> uniform, Span<T> output, int rowLength);

public delegate void SeededRowKernel<T>(ReadOnlySpan<T> logits, Span<T> output, ulong seed);

public delegate void SeededRowsKernel<T>(ReadOnlySpan<T> logits, Span<T> output, ulong seed, int rowLength);

/// <summary>One generated [GumbelSoftmax] kernel found by reflection, with the options of its attribute.</summary>
public sealed class GumbelInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool Seeded { get; init; }

    public required bool Hard { get; init; }

    public required double Temperature { get; init; }

    public required int Width { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public override string ToString() => this.Name;
}

/// <summary>
/// Every path of every [GumbelSoftmax] kernel (and the dispatcher, and Reference) against Reference, and Reference against
/// an oracle written here from the formula: the noise g = −log(−log U) from the caller's U or, seeded, from a splitmix64
/// sequence stepped here one state at a time; z = (x + g)/τ rounded to T; softmax(z) in double with a sum of our own, or
/// one-hot at the argmax found by a sort. Then the edge cases of docs/attributes.md (U = 0 or 1, NaN, ±∞, rows of one,
/// large logits, small τ) and the argument checks.
/// </summary>
public class GumbelSoftmaxTests
{
    private const int Guard = 16;
    private const double Tolerance = 16;
    private const ulong Seed = 0x5EED_1234_ABCD_0001UL;

    public static readonly IReadOnlyList<GumbelInfo> All = Discover().ToList();

    public static IEnumerable<object[]> Every => All.Select(static k => new object[] { k.Name });

    private static GumbelInfo Get(string name) => All.Single(k => k.Name == name);

    private static IEnumerable<GumbelInfo> Discover()
    {
        foreach (MethodInfo method in typeof(GumbelSoftmaxKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<GumbelSoftmaxAttribute>() is not { } attribute)
            {
                continue;
            }

            ParameterInfo[] parameters = method.GetParameters();
            yield return new GumbelInfo
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Seeded = parameters.Any(static p => p.ParameterType == typeof(ulong)),
                Hard = attribute.Hard,
                Temperature = attribute.Temperature,
                Width = attribute.Width,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(typeof(GumbelSoftmaxKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!),
            };
        }
    }

    // ---- The oracle, from the formula ----

    /// <summary>splitmix64 as its authors step it: state += γ, then the finalizer; the i-th call (from 0) returns Hash(seed, i).</summary>
    private static IEnumerable<ulong> SplitMix64(ulong seed)
    {
        ulong state = seed;
        while (true)
        {
            state = unchecked(state + 0x9E3779B97F4A7C15UL);
            ulong z = state;
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            yield return z ^ (z >> 31);
        }
    }

    /// <summary>The documented uniform sequence of a seeded kernel: U_i = (k_i + ½)/2^b, k_i the top b bits of the i-th output (b = 24 float, 52 double).</summary>
    private static double[] SeededUniforms(bool isDouble, ulong seed, int count)
    {
        int bits = isDouble ? 52 : 24;
        return SplitMix64(seed).Take(count).Select(h => ((h >> (64 - bits)) + 0.5) / Math.Pow(2, bits)).ToArray();
    }

    private static double RoundTo(GumbelInfo k, double v) => k.IsDouble ? v : (float)v;

    /// <summary>The perturbed logits of one row: z_i = (x_i + g_i)/τ, rounded to T.</summary>
    private static double[] Perturbed(GumbelInfo k, ReadOnlySpan<double> x, ReadOnlySpan<double> u)
    {
        var z = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            z[i] = RoundTo(k, (x[i] - Math.Log(-Math.Log(u[i]))) / k.Temperature);
        }

        return z;
    }

    private static double[] Oracle(GumbelInfo k, ReadOnlySpan<double> x, ReadOnlySpan<double> u)
    {
        int n = x.Length;
        var y = new double[n];
        if (k.Hard)
        {
            double[] xs = x.ToArray(), us = u.ToArray();
            double[] v = Enumerable.Range(0, n).Select(i => xs[i] - Math.Log(-Math.Log(us[i]))).ToArray();
            int nan = Array.FindIndex(v, double.IsNaN);
            // A stable sort by value, largest first: the first is the lowest index among the largest.
            int best = nan >= 0 ? nan : Enumerable.Range(0, n).OrderByDescending(i => v[i]).First();
            y[best] = 1;
            return y;
        }

        double[] z = Perturbed(k, x, u);
        if (z.Any(double.IsNaN) || z.Any(double.IsPositiveInfinity) || z.All(double.IsNegativeInfinity))
        {
            Array.Fill(y, double.NaN);
            return y;
        }

        double max = z.Max();
        double sum = 0, error = 0;
        foreach (double e in z.Select(v => Math.Exp(v - max)))
        {
            double next = sum + e;
            error += (sum - next) + e;    // e ≤ 1 ≤ sum after the first term: Fast2Sum
            sum = next;
        }

        sum += error;
        for (int i = 0; i < n; i++)
        {
            y[i] = RoundTo(k, Math.Exp(z[i] - max) / sum);
        }

        return y;
    }

    /// <summary>Error in units of docs/accuracy.md: relative to ε·(1 + |z_i − max z|), absolute below the smallest normal; NaN must match NaN.</summary>
    private static double Units(GumbelInfo k, double[] z, double max, int i, double actual, double expected)
    {
        if (actual.Equals(expected))
        {
            return 0;
        }

        if (k.Hard || double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.PositiveInfinity;
        }

        double epsilon = k.IsDouble ? Math.ScaleB(1.0, -53) : Math.ScaleB(1.0, -24);
        double tiny = k.IsDouble ? Math.ScaleB(1.0, -1022) : Math.ScaleB(1.0, -126);
        double condition = 1 + (double.IsFinite(z[i]) ? Math.Abs(z[i] - max) : 0);
        return Math.Abs(actual - expected) / ((epsilon * condition * Math.Abs(expected)) + tiny);
    }

    // ---- Running a kernel on doubles, rounded to its element type, into guarded buffers ----

    private static double[] Round(GumbelInfo k, double[] x) => k.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static double[] Run(GumbelInfo k, MethodInfo method, double[] x, double[] u, ulong seed, int rowLength)
    {
        if (k.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            Invoke(k, method, x, u, buffer.AsSpan(Guard, x.Length), seed, rowLength);
            CheckGuards(buffer, 12345.678, x.Length, k);
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }

        var floats = new float[x.Length + (2 * Guard)];
        Array.Fill(floats, 12345.678f);
        Invoke(k, method, x.Select(static v => (float)v).ToArray(), u.Select(static v => (float)v).ToArray(), floats.AsSpan(Guard, x.Length), seed, rowLength);
        CheckGuards(floats, 12345.678f, x.Length, k);
        return floats.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
    }

    private static void Invoke<T>(GumbelInfo k, MethodInfo method, T[] x, T[] u, Span<T> output, ulong seed, int rowLength)
    {
        switch ((k.Seeded, k.ManyRows))
        {
            case (false, false): ((NoiseRowKernel<T>)method.CreateDelegate(typeof(NoiseRowKernel<T>)))(x, u, output); break;
            case (false, true): ((NoiseRowsKernel<T>)method.CreateDelegate(typeof(NoiseRowsKernel<T>)))(x, u, output, rowLength); break;
            case (true, false): ((SeededRowKernel<T>)method.CreateDelegate(typeof(SeededRowKernel<T>)))(x, output, seed); break;
            case (true, true): ((SeededRowsKernel<T>)method.CreateDelegate(typeof(SeededRowsKernel<T>)))(x, output, seed, rowLength); break;
        }
    }

    private static void CheckGuards<T>(T[] buffer, T sentinel, int length, GumbelInfo k)
        where T : IEquatable<T>
    {
        for (int i = 0; i < Guard; i++)
        {
            Assert.True(buffer[i].Equals(sentinel) && buffer[Guard + length + i].Equals(sentinel), $"{k.Name} wrote outside its output (length {length}).");
        }
    }

    private static IEnumerable<(string Name, MethodInfo Method)> Paths(GumbelInfo k) => Harness.RunnablePaths(k.Paths, k.Dispatcher);

    /// <summary>The U a kernel uses for a span of <paramref name="length"/>: the caller's (random, in (0, 1), rounded to T) or the seeded sequence.</summary>
    private static double[] Uniforms(GumbelInfo k, int length, int seed, ulong kernelSeed)
    {
        if (k.Seeded)
        {
            return SeededUniforms(k.IsDouble, kernelSeed, length);
        }

        var random = new Random(seed);
        return Round(k, Enumerable.Range(0, length).Select(_ => Math.Clamp(random.NextDouble(), 1e-7, 1 - 1e-7)).ToArray());
    }

    private static IEnumerable<(int Length, int RowLength)> Cases(GumbelInfo k)
    {
        if (k.Width != 0)
        {
            return new[] { 1, 2, 5 }.Select(rows => (k.ManyRows ? rows * k.Width : k.Width, k.Width)).Distinct();
        }

        return k.ManyRows
            ? new[] { 1, 2, 3, 17, 64, 100, 1000 }.SelectMany(n => new[] { (n, n), (3 * n, n) })
            : new[] { 1, 2, 3, 15, 16, 17, 100, 1000, 4099 }.Select(n => (n, n));
    }

    /// <summary>Checks every path's output against the oracle, row by row, and returns the worst units.</summary>
    private static double CheckAll(GumbelInfo k, double[] x, double[] u, ulong seed, int rowLength, string what)
    {
        double worst = 0;
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            double[] actual = Run(k, method, x, u, seed, rowLength);
            for (int start = 0; start < x.Length; start += rowLength)
            {
                double[] expected = Oracle(k, x.AsSpan(start, rowLength), u.AsSpan(start, rowLength));
                double[] z = Perturbed(k, x.AsSpan(start, rowLength), u.AsSpan(start, rowLength));
                double max = z.Where(static v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
                for (int i = 0; i < rowLength; i++)
                {
                    double units = Units(k, z, max, i, actual[start + i], expected[i]);
                    Assert.True(units <= (path == "Reference" ? 4 : Tolerance), $"{k.Name}.{path}, {what}, length {x.Length} (rows of {rowLength}), [{start + i}]: x = {x[start + i]:R}, U = {u[start + i]:R} gives {actual[start + i]:R}, expected {expected[i]:R} ({units:F2} units)");
                    worst = Math.Max(worst, units);
                }
            }
        }

        return worst;
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void EveryPathAndTheReferenceMatchTheOracle(string name)
    {
        GumbelInfo k = Get(name);
        int seed = 0;
        double worst = 0;
        foreach ((int length, int rowLength) in Cases(k))
        {
            foreach (string distribution in new[] { "Normal", "Uniform100", "Wide1e4", "Masked", "Overflow90" })
            {
                seed++;
                ulong kernelSeed = Seed + (ulong)seed;
                double[] x = Round(k, Inputs.Make(distribution, length, seed));
                double[] u = Uniforms(k, length, seed + 500, kernelSeed);
                if (distribution == "Masked" && !k.Hard)
                {
                    // Not a row of −∞ only (that row is NaN, checked below): unmask each row's first element.
                    for (int start = 0; start < length; start += rowLength)
                    {
                        x[start] = double.IsNegativeInfinity(x[start]) ? 0 : x[start];
                    }
                }

                worst = Math.Max(worst, CheckAll(k, x, u, kernelSeed, rowLength, distribution));
            }
        }

        Console.WriteLine($"{name}: worst {worst:F2} units");
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void SoftWeightsSumToOneAndHardIsOneHot(string name)
    {
        GumbelInfo k = Get(name);
        int rowLength = k.Width != 0 ? k.Width : 37;
        int length = k.ManyRows ? 4 * rowLength : rowLength;
        double[] x = Round(k, Inputs.Make("Normal", length, 7));
        double[] u = Uniforms(k, length, 8, Seed);
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            double[] y = Run(k, method, x, u, Seed, rowLength);
            for (int start = 0; start < length; start += rowLength)
            {
                double[] row = y.AsSpan(start, rowLength).ToArray();
                if (k.Hard)
                {
                    Assert.Equal(rowLength - 1, row.Count(static v => v == 0));
                    Assert.Equal(1, row.Count(static v => v == 1));
                }
                else
                {
                    Assert.True(Math.Abs(row.Sum() - 1) < (k.IsDouble ? 1e-13 : 1e-5), $"{k.Name}.{path}: a row sums to {row.Sum():R}");
                    Assert.All(row, static v => Assert.True(v >= 0));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void RowsOfOneAndLargeLogits(string name)
    {
        GumbelInfo k = Get(name);
        if (k.Width > 1)
        {
            return;    // a fixed width of more than 1 takes no row of one (the large logits are in the oracle test's U(−10⁴, 10⁴))
        }

        double[] x = { 1e4, -1e4, 3, 1e4 };
        double[] u = Uniforms(k, 4, 3, Seed);
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            // Rows of one: the soft sample is exactly 1 (exp(0)/1), so is the hard one.
            double[] y = k.ManyRows ? Run(k, method, x, u, Seed, 1) : Run(k, method, x[..1], u[..1], Seed, 1);
            Assert.All(y, v => Assert.True(v == 1, $"{k.Name}.{path}: a row of one gives {v:R}"));
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void SeededNoiseIsReproducibleAndDependsOnTheSeed(string name)
    {
        GumbelInfo k = Get(name);
        if (!k.Seeded)
        {
            return;
        }

        int rowLength = k.Width != 0 ? k.Width : 64;
        int length = k.ManyRows ? 3 * rowLength : rowLength;
        double[] x = new double[length];    // uniform logits: the sample is the noise alone
        double[] none = new double[length];
        double[] first = Run(k, k.Dispatcher, x, none, 1, rowLength);
        Assert.Equal(first, Run(k, k.Dispatcher, x, none, 1, rowLength));
        Assert.NotEqual(first, Run(k, k.Dispatcher, x, none, 2, rowLength));
        if (k.ManyRows)
        {
            // Each row has its own noise (the index runs over the whole span), not the first row's again.
            Assert.NotEqual(first.AsSpan(0, rowLength).ToArray(), first.AsSpan(rowLength, rowLength).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void EdgeCases(string name)
    {
        GumbelInfo k = Get(name);
        int n = k.Width != 0 ? k.Width : 6;
        double[] Row(params (int Index, double Value)[] set)
        {
            double[] r = Round(k, Inputs.Make("Normal", n, 11));
            foreach ((int index, double value) in set)
            {
                r[index] = value;
            }

            return r;
        }

        double[] u = Uniforms(k, n, 12, Seed);
        var cases = new List<(string What, double[] X, double[] U, Action<double[]> Check)>
        {
            ("a NaN logit", Row((2, double.NaN)), u, y =>
            {
                if (k.Hard)
                {
                    Assert.Equal(1, y[2]);
                }
                else
                {
                    Assert.All(y, static v => Assert.True(double.IsNaN(v)));
                }
            }),
            ("a −∞ logit", Row((1, double.NegativeInfinity)), u, y =>
            {
                Assert.Equal(0, y[1]);
                Assert.All(y, static v => Assert.False(double.IsNaN(v)));
            }),
            ("a +∞ logit", Row((3, double.PositiveInfinity)), u, y =>
            {
                if (k.Hard)
                {
                    Assert.Equal(1, y[3]);
                }
                else
                {
                    Assert.All(y, static v => Assert.True(double.IsNaN(v)));
                }
            }),
            ("a row of −∞", Enumerable.Repeat(double.NegativeInfinity, n).ToArray(), u, y =>
            {
                if (k.Hard)
                {
                    Assert.Equal(1, y[0]);
                }
                else
                {
                    Assert.All(y, static v => Assert.True(double.IsNaN(v)));
                }
            }),
            ("equal logits, ties", new double[n], u, _ => { }),
        };

        if (!k.Seeded)
        {
            double[] zero = (double[])u.Clone(), one = (double[])u.Clone(), outside = (double[])u.Clone();
            zero[1] = 0;
            one[2] = 1;
            outside[0] = 1.5;
            cases.Add(("U = 0 (g = −∞)", Row(), zero, y => Assert.Equal(0, y[1])));
            cases.Add(("U = 1 (g = +∞)", Row(), one, y =>
            {
                if (k.Hard)
                {
                    Assert.Equal(1, y[2]);
                }
                else
                {
                    Assert.All(y, static v => Assert.True(double.IsNaN(v)));
                }
            }));
            cases.Add(("U outside [0, 1] (g = NaN)", Row(), outside, y =>
            {
                if (k.Hard)
                {
                    Assert.Equal(1, y[0]);
                }
                else
                {
                    Assert.All(y, static v => Assert.True(double.IsNaN(v)));
                }
            }));
            double[] tie = new double[n];
            double[] sameU = Enumerable.Repeat(0.5, n).ToArray();
            cases.Add(("exact ties", tie, sameU, y =>
            {
                if (k.Hard)
                {
                    Assert.Equal(1, y[0]);    // the lowest index
                }
                else
                {
                    Assert.All(y, v => Assert.Equal(1.0 / n, v, k.IsDouble ? 1e-15 : 1e-7));
                }
            }));
        }

        foreach ((string what, double[] x, double[] uniform, Action<double[]> check) in cases)
        {
            foreach ((string path, MethodInfo method) in Paths(k))
            {
                double[] y = Run(k, method, Round(k, x), uniform, Seed, n);
                try
                {
                    check(y);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"{k.Name}.{path}, {what}: [{string.Join(", ", y)}]", e);
                }
            }

            // And every path agrees with the oracle there (NaN with NaN).
            CheckAll(k, Round(k, x), uniform, Seed, n, what);
        }
    }

    [Fact]
    public void SmallTemperatureApproachesTheHardSample()
    {
        GumbelInfo soft = Get(nameof(GumbelSoftmaxKernels.SeededSmallDRows));
        double[] x = Inputs.Make("Normal", 40 * 8, 3);
        double[] y = Run(soft, soft.Dispatcher, x, new double[x.Length], 99, 8);
        double[] u = SeededUniforms(true, 99, x.Length);
        for (int start = 0; start < x.Length; start += 8)
        {
            double[] row = y.AsSpan(start, 8).ToArray();
            int argmax = Enumerable.Range(0, 8).OrderByDescending(i => x[start + i] - Math.Log(-Math.Log(u[start + i]))).First();
            Assert.Equal(argmax, Array.IndexOf(row, row.Max()));
        }
    }

    [Fact]
    public void ArgumentChecksWriteNothing()
    {
        var x = new float[8];
        var output = Enumerable.Repeat(7f, 8).ToArray();
        ArgumentException e = Assert.Throws<ArgumentException>(() => GumbelSoftmaxKernels.NoiseF(x, new float[7], output));
        Assert.Equal("uniform", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => GumbelSoftmaxKernels.NoiseFRows(x, new float[8], output, 3));
        Assert.Equal("logits", e.ParamName);
        var shared = new float[9];
        e = Assert.Throws<ArgumentException>(() => GumbelSoftmaxKernels.NoiseF(x, shared.AsSpan(1, 8), shared.AsSpan(0, 8)));
        Assert.Equal("uniform", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => GumbelSoftmaxKernels.SeededF(x, new float[9], 1));
        Assert.Equal("output", e.ParamName);
        Assert.All(output, static v => Assert.Equal(7f, v));

        // In place: the output may be the logits' memory or the uniform samples' memory.
        float[] logits = { 1, 2, 3, 4 };
        float[] uniform = { 0.2f, 0.4f, 0.6f, 0.8f };
        var expected = new float[4];
        GumbelSoftmaxKernels.NoiseFPaths.Reference(logits, uniform, expected);
        float[] inPlace = (float[])logits.Clone();
        GumbelSoftmaxKernels.NoiseF(inPlace, uniform, inPlace);
        Assert.Equal(expected, inPlace, (a, b) => Math.Abs(a - b) <= 1e-6f);
        float[] overU = (float[])uniform.Clone();
        GumbelSoftmaxKernels.NoiseF(logits, overU, overU);
        Assert.Equal(expected, overU, (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        if (expected is not null)
        {
            Assert.Equal(expected, GumbelSoftmaxKernels.SeededFPaths.Selected.ToString());
        }
    }
}
