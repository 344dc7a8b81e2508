using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Every path of every [BatchNorm] and [PowerNorm] kernel (and the dispatcher, and Reference) against an oracle
/// written here from the textbook formulas in double, y = γ·(x − μ)/sqrt(σ² + ε) + β and y = γ·x/sqrt(ψ² + ε) + β,
/// with nothing written outside the output; then the run-time behaviour of api.md and the edge cases of
/// docs/attributes.md (NaN and ±∞ inputs, NaN or negative statistics, ε = 0 with a zero variance, in place, bad spans).
/// </summary>
public class ChannelNormTests
{
    private const int Guard = 16;

    /// <summary>
    /// The most units a path may be off (docs/accuracy.md): the fold rounds scale and shift once each and the
    /// multiply-add once more, so a float path is within 1.5 units (2 without FMA); a double path also carries the
    /// double roundings of the fold and of the oracle itself, a few more.
    /// </summary>
    private const double FloatPathTolerance = 4, DoublePathTolerance = 8;

    /// <summary>
    /// The inputs: "Typical" draws x from each channel's own running distribution (μ + σ·N(0,1)); "LargeMean" does
    /// the same with means near 10³ (the fold's cancellation case); then U(−100, 100), U(−10⁴, 10⁴), ±0 and subnormals.
    /// </summary>
    public static readonly string[] Distributions = { "Typical", "LargeMean", "Uniform100", "Wide1e4", "SignedZeros", "Subnormal" };

    public static IEnumerable<object[]> OneRowKernels => ChannelNormCatalog.Names(static k => !k.ManyRows);

    public static IEnumerable<object[]> ManyRowKernels => ChannelNormCatalog.Names(static k => k.ManyRows);

    public static IEnumerable<object[]> AllKernels => ChannelNormCatalog.Names();

    public static IEnumerable<object[]> EpsilonZeroKernels => ChannelNormCatalog.Names(static k => k.Epsilon == 0);

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesOracleOnEveryPath(string name)
    {
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        var lengths = new List<int>();
        if (kernel.Width != 0)
        {
            lengths.Add(0);
            lengths.Add(kernel.Width);
        }
        else
        {
            int lanes = kernel.IsDouble ? 8 : 16;
            int block = (kernel.Unroll == 0 ? 8 : kernel.Unroll) * lanes;
            int step = Inputs.SmallScale ? 7 : 1;
            for (int n = 0; n <= (3 * block) + 1; n += step)
            {
                lengths.Add(n);
            }

            // Past the fold's chunk of 1024 channels: one and two chunks and a part.
            lengths.AddRange(new[] { 1000, 1024, 1025, 2500, 4099 });
        }

        Check(kernel, lengths.Select(static n => (n, n)));
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelMatchesOracleOnEveryPath(string name)
    {
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 17, 64, 100, 1000, 1030 };
        int[] rowCounts = { 0, 1, 2, 5 };
        Check(kernel, rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r))));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NaNAndInfinitiesStayInTheirElement(string name)
    {
        // No statistics of the rows are taken: a NaN or ±∞ input changes its own output only. ±∞ gives ±∞ (times
        // the sign of γ), or NaN where γ = 0 (0·∞), in the folded form as in the textbook one.
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        int length = kernel.ManyRows ? 3 * n : n;
        Statistics stats = MakeStatistics(kernel, "Typical", n, 31);
        double[] x = Round(kernel, MakeInput(kernel, "Typical", stats, length, 32));
        var special = new Dictionary<int, double> { [length / 2] = double.NaN, [length / 3] = double.PositiveInfinity, [length - 1] = double.NegativeInfinity };
        foreach ((int index, double value) in special)
        {
            x[index] = value;
        }

        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, stats, n);
            for (int i = 0; i < length; i++)
            {
                int c = i % n;
                double expected = Oracle(kernel, x[i], stats, c);
                if (double.IsFinite(x[i]))
                {
                    Assert.True(Units(kernel, y[i], expected, x[i], stats, c) <= PathTolerance(kernel), $"{path}: the finite x[{i}] = {x[i]:R} gives {y[i]:R}, expected {expected:R}");
                }
                else
                {
                    Assert.True(SameSpecial(y[i], expected), $"{path}: x[{i}] = {x[i]} gives {y[i]:R}, expected {expected:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NaNOrNegativeStatisticsMakeTheirChannelNaN(string name)
    {
        // The statistics are data and are not checked (as in PyTorch): a NaN μ, σ², ψ², γ or β, or a variance below
        // −ε (a square root of a negative number), gives NaN in that channel only.
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 23;
        if (n < 5)
        {
            return;
        }

        int length = kernel.ManyRows ? 2 * n : n;
        Statistics stats = MakeStatistics(kernel, "Typical", n, 41);
        var poisoned = new HashSet<int> { 1, 2 };
        stats.Variance[1] = double.NaN;
        stats.Variance[2] = -1;
        if (kernel.IsBatch)
        {
            stats.Mean[3] = double.NaN;
            poisoned.Add(3);
        }

        if (kernel.Affine)
        {
            stats.Weight[4] = double.NaN;
            poisoned.Add(4);
            if (n > 5)
            {
                stats.Bias[5] = double.NaN;
                poisoned.Add(5);
            }
        }

        double[] x = Round(kernel, MakeInput(kernel, "Typical", stats, length, 42));
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, stats, n);
            for (int i = 0; i < length; i++)
            {
                int c = i % n;
                if (poisoned.Contains(c))
                {
                    Assert.True(double.IsNaN(y[i]), $"{path}: channel {c} has a NaN or negative statistic but [{i}] is {y[i]:R}");
                }
                else
                {
                    Assert.True(Units(kernel, y[i], Oracle(kernel, x[i], stats, c), x[i], stats, c) <= PathTolerance(kernel), $"{path}: [{i}] = {y[i]:R} in a clean channel");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(EpsilonZeroKernels))]
    public void EpsilonZeroWithZeroVarianceGivesInfinitiesOrNaNAsPyTorch(string name)
    {
        // ε = 0 and σ² = 0 (ψ² = 0): 1/sqrt(0) = ∞. The paths fold as PyTorch's CPU inference kernel does,
        // scale = γ/0 = ±∞ (NaN for γ = 0), shift = β − μ·scale, y = x·scale + shift: ±∞ or NaN. The Reference is
        // the textbook form, γ·(x − μ)/0 + β: ±∞, or NaN where x = μ or γ = 0. Other channels are unaffected.
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 9;
        int length = kernel.ManyRows ? 4 * n : n;
        Statistics stats = MakeStatistics(kernel, "Typical", n, 51);
        var zero = new HashSet<int> { 0, n - 1 };
        foreach (int c in zero)
        {
            stats.Variance[c] = 0;
        }

        if (kernel.IsBatch)
        {
            stats.Mean[0] = 0.5;
            stats.Mean[n - 1] = 0;
        }

        double[] x = Round(kernel, MakeInput(kernel, "Typical", stats, length, 52));
        x[0] = kernel.IsBatch ? stats.Mean[0] : 0;     // x = μ: the textbook's 0/0
        x[n] = -1;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, stats, n);
            for (int i = 0; i < length; i++)
            {
                int c = i % n;
                if (!zero.Contains(c))
                {
                    Assert.True(Units(kernel, y[i], Oracle(kernel, x[i], stats, c), x[i], stats, c) <= PathTolerance(kernel), $"{path}: [{i}] = {y[i]:R} in a channel with σ² > 0");
                    continue;
                }

                double expected = path == "Reference" ? Oracle(kernel, x[i], stats, c) : Folded(kernel, x[i], stats, c);
                Assert.False(double.IsFinite(y[i]), $"{path}: [{i}] is {y[i]:R} in a channel with ε + σ² = 0");
                Assert.True(SameSpecial(y[i], expected), $"{path}: [{i}] (x = {x[i]:R}) is {y[i]:R}, expected {expected:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * n : n;
        Statistics stats = MakeStatistics(kernel, "Typical", n, 61);
        double[] x = Round(kernel, MakeInput(kernel, "Typical", stats, length, 62));
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] expected = Run(kernel, method, x, stats, n);
            double[] actual = RunInPlace(kernel, method, x, stats, n);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        string varianceName = kernel.IsBatch ? "runningVariance" : "runningQuadraticMean";
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            void Expect<TException>(int inputLength, int outputLength, int[] channels, int rowLength, string parameter)
                where TException : ArgumentException
            {
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                double[] outputD = Enumerable.Repeat(7.0, outputLength).ToArray();
                TException e = kernel.IsDouble
                    ? Assert.Throws<TException>(() => kernel.Run<double>(method, new double[inputLength], new double[channels[0]], new double[channels[1]], new double[channels[2]], new double[channels[3]], outputD, rowLength))
                    : Assert.Throws<TException>(() => kernel.Run<float>(method, new float[inputLength], new float[channels[0]], new float[channels[1]], new float[channels[2]], new float[channels[3]], output, rowLength));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? outputD.All(static v => v == 7.0) : output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            int[] Channels(int mean, int variance, int weight, int bias) => new[] { mean, variance, weight, bias };
            int length = kernel.ManyRows ? 2 * n : n;
            int[] good = Channels(n, n, n, n);
            Expect<ArgumentException>(length, length + 1, good, n, "output");
            Expect<ArgumentException>(length, length - 1, good, n, "output");
            Expect<ArgumentException>(length, length, Channels(n, n + 1, n, n), n, varianceName);
            Expect<ArgumentException>(length, length, Channels(n, n - 1, n, n), n, varianceName);
            if (kernel.IsBatch)
            {
                Expect<ArgumentException>(length, length, Channels(n + 1, n, n, n), n, "runningMean");
                Expect<ArgumentException>(length, length, Channels(0, n, n, n), n, "runningMean");
            }

            if (kernel.Affine)
            {
                Expect<ArgumentException>(length, length, Channels(n, n, n + 1, n), n, "weight");
                Expect<ArgumentException>(length, length, Channels(n, n, n, n - 1), n, "bias");
            }

            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, good, 0, "rowLength");
                Expect<ArgumentOutOfRangeException>(length, length, good, -n, "rowLength");
                if (kernel.Width == 0)
                {
                    Expect<ArgumentException>(length + 1, length + 1, good, n, "input");
                }
                else
                {
                    int m = n + 1;
                    Expect<ArgumentException>(2 * m, 2 * m, Channels(m, m, m, m), m, "rowLength");
                }
            }
            else if (kernel.Width != 0)
            {
                int m = n + 1;
                Expect<ArgumentException>(m, m, Channels(m, m, m, m), m, "input");
            }

            // The input and the output overlapping other than exactly: rejected.
            if (length >= 2)
            {
                if (kernel.IsDouble)
                {
                    double[] shared = new double[length + 1];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, shared.AsSpan(1, length), new double[n], new double[n], new double[n], new double[n], shared.AsSpan(0, length), n));
                    Assert.Contains(e.ParamName, new[] { "input", "output" });
                }
                else
                {
                    float[] shared = new float[length + 1];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, shared.AsSpan(1, length), new float[n], new float[n], new float[n], new float[n], shared.AsSpan(0, length), n));
                    Assert.Contains(e.ParamName, new[] { "input", "output" });
                }
            }

            // A running statistic that overlaps the output: a later row would read what an earlier row wrote.
            if (kernel.IsDouble)
            {
                double[] shared = new double[length + n];
                double[] output = shared;
                ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, new double[length], new double[n], shared.AsSpan(length - 1, n), new double[n], new double[n], shared.AsSpan(0, length), n));
                Assert.Equal(varianceName, e.ParamName);
                Assert.All(shared, static v => Assert.Equal(0.0, v));
            }
            else
            {
                float[] shared = new float[length + n];
                ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, new float[length], new float[n], shared.AsSpan(length - 1, n), new float[n], new float[n], shared.AsSpan(0, length), n));
                Assert.Equal(varianceName, e.ParamName);
                Assert.All(shared, static v => Assert.Equal(0f, v));
            }
        }
    }

    [Fact]
    public void SelectedPathIsTheDispatchersChoiceForEveryChannelNormKernel()
    {
        KernelPath expected = KernelCatalog.Get("SoftmaxAutoF").Selected;
        Assert.All(ChannelNormCatalog.All, k => Assert.Equal(expected, k.Selected));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void UnsupportedPathsThrowPlatformNotSupported(string name)
    {
        ChannelNormInfo kernel = ChannelNormCatalog.Get(name);
        foreach (string path in KernelCatalog.PathNames.Where(static p => !Harness.IsSupported(p)))
        {
            MethodInfo method = kernel.Paths[path];
            int n = kernel.Width != 0 ? kernel.Width : 4;
            Assert.Throws<PlatformNotSupportedException>(() =>
            {
                if (kernel.IsDouble)
                {
                    kernel.Run<double>(method, new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], n);
                }
                else
                {
                    kernel.Run<float>(method, new float[n], new float[n], new float[n], new float[n], new float[n], new float[n], n);
                }
            });
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Per-channel statistics and affine parameters, already rounded to the kernel's element type. Variance is ψ² for PowerNorm.</summary>
    internal sealed record Statistics(double[] Mean, double[] Variance, double[] Weight, double[] Bias);

    /// <summary>The textbook formula in double: γ·(x − μ)/sqrt(σ² + ε) + β, or γ·x/sqrt(ψ² + ε) + β.</summary>
    internal static double Oracle(ChannelNormInfo kernel, double x, Statistics s, int c)
    {
        double centered = kernel.IsBatch ? x - s.Mean[c] : x;
        double normalized = centered / Math.Sqrt(s.Variance[c] + kernel.Epsilon);
        return kernel.Affine ? (s.Weight[c] * normalized) + s.Bias[c] : normalized;
    }

    /// <summary>PyTorch's folded form (batch_norm_cpu_inference): x·scale + shift, scale = γ/sqrt(σ² + ε), shift = β − μ·scale.</summary>
    internal static double Folded(ChannelNormInfo kernel, double x, Statistics s, int c)
    {
        double scale = (kernel.Affine ? s.Weight[c] : 1.0) / Math.Sqrt(s.Variance[c] + kernel.Epsilon);
        double shift = (kernel.Affine ? s.Bias[c] : 0.0) - (kernel.IsBatch ? s.Mean[c] * scale : 0.0);
        return (x * scale) + shift;
    }

    /// <summary>
    /// The error of <paramref name="actual"/> in units of docs/accuracy.md: |y − exact| / (ε·(|x·scale| + |μ·scale| + |β|)),
    /// scale = γ/sqrt(σ² + ε), ε = 2⁻²⁴ or 2⁻⁵³: the size of the terms the folded form adds, each rounded once
    /// (the fold's error is relative to them, not to y: x ≈ μ cancels). At least the smallest subnormal.
    /// </summary>
    internal static double Units(ChannelNormInfo kernel, double actual, double expected, double x, Statistics s, int c)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        if (actual == expected)
        {
            return 0;
        }

        double scale = (kernel.Affine ? s.Weight[c] : 1.0) / Math.Sqrt(s.Variance[c] + kernel.Epsilon);
        double size = Math.Abs(x * scale) + (kernel.IsBatch ? Math.Abs(s.Mean[c] * scale) : 0) + (kernel.Affine ? Math.Abs(s.Bias[c]) : 0);
        double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
        double floor = kernel.IsDouble ? double.Epsilon : Math.ScaleB(1, -149);
        return Math.Abs(actual - expected) / Math.Max(epsilon * size, floor);
    }

    private static bool SameSpecial(double actual, double expected) => double.IsNaN(expected) ? double.IsNaN(actual) : actual == expected;

    private static double PathTolerance(ChannelNormInfo kernel) => kernel.IsDouble ? DoublePathTolerance : FloatPathTolerance;

    private static double Round(ChannelNormInfo kernel, double value) => kernel.IsDouble ? value : (float)value;

    private static double[] Round(ChannelNormInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    /// <summary>
    /// Statistics of <paramref name="n"/> channels: μ ~ 2·N(0,1) (near 10³ for "LargeMean"), σ² (or ψ²) log-normal
    /// from about 0.01 to 100 with every 13th channel 0 (ε keeps it finite; not for ε = 0 kernels), γ ~ 1 + N/2 with
    /// every 11th channel 0, β ~ N(0,1).
    /// </summary>
    private static Statistics MakeStatistics(ChannelNormInfo kernel, string distribution, int n, int seed)
    {
        var random = new Random(seed);
        double[] mean = Round(kernel, Enumerable.Range(0, n).Select(_ => distribution == "LargeMean" ? 1e3 * (1 + (0.01 * Inputs.Normal(random))) : 2 * Inputs.Normal(random)).ToArray());
        double[] variance = Round(kernel, Enumerable.Range(0, n).Select(i => i % 13 == 6 && kernel.Epsilon > 0 ? 0 : Math.Exp(1.5 * Inputs.Normal(random))).ToArray());
        double[] weight = Round(kernel, Enumerable.Range(0, n).Select(i => i % 11 == 5 ? 0 : 1 + (0.5 * Inputs.Normal(random))).ToArray());
        double[] bias = Round(kernel, Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray());
        return new Statistics(mean, variance, weight, bias);
    }

    private static double[] MakeInput(ChannelNormInfo kernel, string distribution, Statistics s, int length, int seed)
    {
        var random = new Random(seed);
        int n = s.Variance.Length;
        return distribution switch
        {
            "Typical" or "LargeMean" => Enumerable.Range(0, length).Select(i => (kernel.IsBatch ? s.Mean[i % n] : 0) + (Math.Sqrt(s.Variance[i % n]) * Inputs.Normal(random))).ToArray(),
            _ => Inputs.Make(distribution, length, seed),
        };
    }

    private static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(ChannelNormInfo kernel) =>
        Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    private static void Check(ChannelNormInfo kernel, IEnumerable<(int Length, int RowLength)> shapes)
    {
        var worstByPath = new Dictionary<string, double>();
        var failures = new List<string>();
        int seed = 1;
        foreach (string distribution in Distributions)
        {
            foreach ((int length, int rowLength) in shapes)
            {
                int channels = rowLength;
                int row = Math.Max(rowLength, 1);
                Statistics stats = MakeStatistics(kernel, distribution, channels, seed++);
                double[] x = Round(kernel, MakeInput(kernel, distribution, stats, length, seed++));
                double[] expected = Enumerable.Range(0, length).Select(i => Oracle(kernel, x[i], stats, i % row)).ToArray();
                foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                {
                    double[] y = Run(kernel, method, x, stats, row);
                    double worst = 0;
                    int where = -1;
                    for (int i = 0; i < length; i++)
                    {
                        double units = Units(kernel, y[i], expected[i], x[i], stats, i % row);
                        if (!(units <= worst))
                        {
                            worst = units;
                            where = i;
                        }
                    }

                    worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), worst);

                    // The Reference is the textbook formula in double rounded once: within one unit (float); the
                    // double kernels' Reference is the same formula as the oracle.
                    double bound = path == "Reference" ? 1 : PathTolerance(kernel);
                    if (!(worst <= bound) && failures.Count < 20)
                    {
                        failures.Add($"{path} {distribution} n={length} row={rowLength}: {worst:G4} units at [{where}] (x={x[where]:R}, y={y[where]:R}, expected {expected[where]:R})");
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ outputs beyond the tolerance:\n" + string.Join("\n", failures));
    }

    private static double[] Run(ChannelNormInfo kernel, MethodInfo method, double[] x, Statistics s, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, s.Mean, s.Variance, s.Weight, s.Bias, buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }
        else
        {
            var buffer = new float[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678f);
            kernel.Run<float>(method, ToFloat(x), ToFloat(s.Mean), ToFloat(s.Variance), ToFloat(s.Weight), ToFloat(s.Bias), buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
        }
    }

    private static double[] RunInPlace(ChannelNormInfo kernel, MethodInfo method, double[] x, Statistics s, int rowLength)
    {
        if (kernel.IsDouble)
        {
            double[] data = (double[])x.Clone();
            kernel.Run<double>(method, data, s.Mean, s.Variance, s.Weight, s.Bias, data, rowLength);
            return data;
        }

        float[] floats = ToFloat(x);
        kernel.Run<float>(method, floats, ToFloat(s.Mean), ToFloat(s.Variance), ToFloat(s.Weight), ToFloat(s.Bias), floats, rowLength);
        return floats.Select(static v => (double)v).ToArray();
    }

    private static float[] ToFloat(double[] values) => values.Select(static v => (float)v).ToArray();
}
