using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>One generated softmax-variant kernel found by reflection, with the options of its attribute.</summary>
public sealed class VariantInfo
{
    public required string Name { get; init; }

    /// <summary>The attribute's short name: StableMax, SoftplusNormalize, SigmoidNormalize, TaylorSoftmax, SphericalSoftmax.</summary>
    public required string Kind { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool Backward { get; init; }

    public required bool Log { get; init; }

    public required double Scale { get; init; }

    public required int TrainingLength { get; init; }

    public required double Bias { get; init; }

    public required int Order { get; init; }

    public required double Epsilon { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public bool Normalizes => this.Kind != "SigmoidNormalize";

    public override string ToString() => this.Name;
}

/// <summary>
/// Every path of every [StableMax] (and log-StableMax), [SoftplusNormalize], [SigmoidNormalize], [TaylorSoftmax] and
/// [SphericalSoftmax] kernel, forward and backward (and the dispatcher, and Reference), against an oracle written here from
/// the formulas in double — s(x) by its definition, σ as 1/(1 + exp(−(x + b))), softplus with a log1p of its own (the atanh
/// series), the Taylor polynomial term by term — with nothing written outside the output. The oracle's gradients are checked
/// against central finite differences of the oracle's forward. Then the edge cases of docs/attributes.md (NaN, ±∞, rows of
/// −∞, in place, bad spans).
/// </summary>
public class SoftmaxVariantTests
{
    private const int Guard = 16;
    private const double Tolerance = 16;

    public static readonly IReadOnlyList<VariantInfo> All = Discover().ToList();

    public static IEnumerable<object[]> Forward => All.Where(static k => !k.Backward).Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> Backward => All.Where(static k => k.Backward).Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> Every => All.Select(static k => new object[] { k.Name });

    private static VariantInfo Get(string name) => All.Single(k => k.Name == name);

    private static IEnumerable<VariantInfo> Discover()
    {
        foreach (MethodInfo method in typeof(SoftmaxVariantKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            Attribute? attribute = method.GetCustomAttributes().FirstOrDefault(static a => a.GetType().Namespace == "KernelGen");
            if (attribute is null)
            {
                continue;
            }

            T Option<T>(string name, T fallback) => attribute.GetType().GetProperty(name) is { } p ? (T)p.GetValue(attribute)! : fallback;
            Type paths = typeof(SoftmaxVariantKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new VariantInfo
            {
                Name = method.Name,
                Kind = attribute.GetType().Name.Replace("Attribute", string.Empty, StringComparison.Ordinal),
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Backward = Option("Backward", false),
                Log = Option("Log", false),
                Scale = Option("Scale", 1.0),
                TrainingLength = Option("TrainingLength", 0),
                Bias = Option("Bias", double.NaN),
                Order = Option("Order", 2),
                Epsilon = Option("Epsilon", 0.0),
                Width = Option("Width", 0),
                Unroll = Option("Unroll", 0),
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
            };
        }
    }

    // ---- The oracle, from the formulas, in double ----

    /// <summary>log(1 + t) for 0 ≤ t ≤ 1 as 2·atanh(t/(2 + t)) by its series (|w| ≤ 1/3: 40 terms are far past double).</summary>
    private static double Log1pSeries(double t)
    {
        double w = t / (2 + t), w2 = w * w, term = w, total = 0;
        for (int k = 0; k < 40; k++)
        {
            total += term / ((2 * k) + 1);
            term *= w2;
        }

        return 2 * total;
    }

    private static double Softplus(double u) =>
        double.IsNaN(u) ? u : double.IsPositiveInfinity(u) ? u : Math.Max(u, 0) + Log1pSeries(Math.Exp(-Math.Abs(u)));

    private static double ScaleOf(VariantInfo k, int n) => k.TrainingLength != 0 ? k.Scale * Math.Log(n) / Math.Log(k.TrainingLength) : k.Scale;

    private static double BiasOf(VariantInfo k, int n) => double.IsNaN(k.Bias) ? -Math.Log(n) : k.Bias;

    private static double Taylor(double x, int order, bool magnitude = false)
    {
        double term = 1, total = 1;
        for (int i = 1; i <= order; i++)
        {
            term *= (magnitude ? Math.Abs(x) : x) / i;
            total += term;
        }

        return total;
    }

    private static double G(VariantInfo k, double x, int n) => k.Kind switch
    {
        "StableMax" => x >= 0 ? x + 1 : 1 / (1 - x),
        "SoftplusNormalize" => Softplus(ScaleOf(k, n) * x),
        "TaylorSoftmax" => Taylor(x, k.Order),
        _ => (x * x) + k.Epsilon,
    };

    private static double GPrime(VariantInfo k, double x, int n) => k.Kind switch
    {
        "StableMax" => x >= 0 ? 1 : 1 / ((1 - x) * (1 - x)),
        "SoftplusNormalize" => ScaleOf(k, n) / (1 + Math.Exp(-ScaleOf(k, n) * x)),
        "TaylorSoftmax" => Taylor(x, k.Order - 1),
        _ => 2 * x,
    };

    // How many roundings of g(x) relative to g: 1 but for the scaled softplus (the product c·x) and the Taylor polynomial (its terms' cancellation).
    private static double Condition(VariantInfo k, double x, int n) => k.Kind switch
    {
        "SoftplusNormalize" => 1 + Math.Abs(ScaleOf(k, n) * x),
        "TaylorSoftmax" => Taylor(x, k.Order, magnitude: true) / Taylor(x, k.Order),
        "SigmoidNormalize" => 1 + Math.Abs(x + BiasOf(k, n)),
        _ => 1,
    };

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Neumaier's compensated sum (written here, not the runtime's): the oracle's sums of 10⁵ terms stay within an ulp.</summary>
    private static double Sum(IEnumerable<double> terms)
    {
        double sum = 0, error = 0;
        foreach (double v in terms)
        {
            double next = sum + v;
            error += Math.Abs(sum) >= Math.Abs(v) ? (sum - next) + v : (v - next) + sum;
            sum = next;
        }

        return double.IsFinite(sum) ? sum + error : sum;
    }

    /// <summary>The forward oracle of one row.</summary>
    private static double[] Oracle(VariantInfo k, ReadOnlySpan<double> x)
    {
        int n = x.Length;
        var y = new double[n];
        if (!k.Normalizes)
        {
            for (int i = 0; i < n; i++)
            {
                y[i] = Sigmoid(x[i] + BiasOf(k, n));
            }

            return y;
        }

        double[] row = x.ToArray();
        double s = Sum(row.Select(v => G(k, v, n)));
        for (int i = 0; i < n; i++)
        {
            y[i] = k.Log ? Math.Log(G(k, x[i], n)) - Math.Log(s) : G(k, x[i], n) / s;
        }

        return y;
    }

    /// <summary>The backward oracle of one row: the vector-Jacobian product dy·∂y/∂x.</summary>
    private static double[] OracleBackward(VariantInfo k, ReadOnlySpan<double> x, ReadOnlySpan<double> dy)
    {
        int n = x.Length;
        var dx = new double[n];
        if (!k.Normalizes)
        {
            for (int i = 0; i < n; i++)
            {
                double z = x[i] + BiasOf(k, n);
                dx[i] = dy[i] * Sigmoid(z) * Sigmoid(-z);
            }

            return dx;
        }

        double[] xs = x.ToArray(), dys = dy.ToArray();
        double s = Sum(xs.Select(v => G(k, v, n)));
        double dot = Sum(xs.Select((v, i) => dys[i] * G(k, v, n)));
        double total = Sum(dys);

        for (int i = 0; i < n; i++)
        {
            dx[i] = k.Log
                ? (dy[i] / (1 + Math.Abs(x[i]))) - (GPrime(k, x[i], n) * total / s)
                : GPrime(k, x[i], n) * (dy[i] - (dot / s)) / s;
        }

        return dx;
    }

    /// <summary>What the units of a row's outputs need: the worst condition of g over the row, S, Σ|dy|·g and Σ|dy|.</summary>
    private readonly record struct RowStats(double WorstCondition, double Sum, double Weighted, double DySum);

    private static RowStats Stats(VariantInfo k, ReadOnlySpan<double> x, ReadOnlySpan<double> dy)
    {
        int n = x.Length;
        double worstCondition = 1, s = 0, weighted = 0, dySum = 0;
        if (k.Normalizes)
        {
            for (int j = 0; j < n; j++)
            {
                double g = G(k, x[j], n);
                worstCondition = Math.Max(worstCondition, Condition(k, x[j], n));
                s += g;
                if (!dy.IsEmpty)
                {
                    weighted += Math.Abs(dy[j]) * g;
                    dySum += Math.Abs(dy[j]);
                }
            }
        }

        return new RowStats(worstCondition, s, weighted, dySum);
    }

    /// <summary>The error of each output in units (docs/accuracy.md, "Softmax variants"); NaN must match NaN, ±∞ match exactly.</summary>
    private static double Units(VariantInfo k, RowStats stats, ReadOnlySpan<double> x, ReadOnlySpan<double> dy, double actual, double expected, int i)
    {
        if (actual.Equals(expected))
        {
            return 0;
        }

        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            return double.PositiveInfinity;
        }

        int n = x.Length;
        double epsilon = k.IsDouble ? Math.ScaleB(1.0, -53) : Math.ScaleB(1.0, -24);
        double tiny = k.IsDouble ? Math.ScaleB(1.0, -1022) : Math.ScaleB(1.0, -126);    // below the smallest normal: absolute (accuracy.md)
        double condition = Condition(k, x[i], n) + stats.WorstCondition;
        double s = stats.Sum;
        double scale;
        if (dy.IsEmpty)
        {
            scale = !k.Normalizes ? Math.Abs(expected)
                : k.Log ? 1 + Math.Abs(Math.Log(G(k, x[i], n))) + Math.Abs(Math.Log(s))
                : Math.Abs(expected);
        }
        else
        {
            // The backward's own roundings (g', the difference dy − ⟨dy, y⟩, the products) on top of the forward's.
            condition += 4;
            double gPrime = k.Kind == "TaylorSoftmax" ? Taylor(x[i], k.Order - 1, magnitude: true) : Math.Abs(GPrime(k, x[i], n));
            scale = !k.Normalizes ? Math.Abs(expected)
                : k.Log ? (Math.Abs(dy[i]) / (1 + Math.Abs(x[i]))) + (gPrime * stats.DySum / s)
                : gPrime * (Math.Abs(dy[i]) + (stats.Weighted / s)) / s;
        }

        return Math.Abs(actual - expected) / ((epsilon * condition * scale) + tiny);
    }

    // ---- Running a kernel on doubles, rounded to its element type, into guarded buffers ----

    private static double[] Round(VariantInfo k, double[] x) => k.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static double[] Run(VariantInfo k, MethodInfo method, double[] x, double[]? dy, int rowLength)
    {
        if (k.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            Span<double> output = buffer.AsSpan(Guard, x.Length);
            Invoke(k, method, x, dy, output, rowLength);
            CheckGuards(buffer, 12345.678, x.Length, k);
            return output.ToArray();
        }
        else
        {
            var buffer = new float[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678f);
            Span<float> output = buffer.AsSpan(Guard, x.Length);
            Invoke(k, method, x.Select(static v => (float)v).ToArray(), dy?.Select(static v => (float)v).ToArray(), output, rowLength);
            CheckGuards(buffer, 12345.678f, x.Length, k);
            return output.ToArray().Select(static v => (double)v).ToArray();
        }
    }

    private static void Invoke<T>(VariantInfo k, MethodInfo method, T[] x, T[]? dy, Span<T> output, int rowLength)
    {
        switch ((k.Backward, k.ManyRows))
        {
            case (false, false): ((RowKernel<T>)method.CreateDelegate(typeof(RowKernel<T>)))(x, output); break;
            case (false, true): ((RowsKernel<T>)method.CreateDelegate(typeof(RowsKernel<T>)))(x, output, rowLength); break;
            case (true, false): ((PlainBackwardRowKernel<T>)method.CreateDelegate(typeof(PlainBackwardRowKernel<T>)))(x, dy, output); break;
            case (true, true): ((PlainBackwardRowsKernel<T>)method.CreateDelegate(typeof(PlainBackwardRowsKernel<T>)))(x, dy, output, rowLength); break;
        }
    }

    private static void CheckGuards<T>(T[] buffer, T sentinel, int length, VariantInfo k)
        where T : IEquatable<T>
    {
        for (int i = 0; i < Guard; i++)
        {
            Assert.True(buffer[i].Equals(sentinel) && buffer[Guard + length + i].Equals(sentinel), $"{k.Name} wrote outside its output (length {length}).");
        }
    }

    private static IEnumerable<(string Name, MethodInfo Method)> Paths(VariantInfo k) => Harness.RunnablePaths(k.Paths, k.Dispatcher);

    // The input families: those of the softmax tests that every variant is defined on (−∞ masks only where g(−∞) = 0 or σ(−∞) = 0).
    private static string[] Distributions(VariantInfo k)
    {
        // Softplus: not rows whose every softplus(c·x) underflows (c·x below about −87 in float): their sum is 0 and the
        // kernels give NaN where the double oracle does not (docs/attributes.md); U(−100, 100) rows of one or two can be such.
        var names = k.Kind == "SoftplusNormalize"
            ? new List<string> { "Normal", "Outlier", "Overflow90" }
            : new List<string> { "Normal", "Uniform100", "Outlier", "Wide1e4", "Overflow90" };
        if (k.Kind is "StableMax" or "SoftplusNormalize" or "SigmoidNormalize")
        {
            names.Add("Masked");
        }

        if (!(k.Kind == "SphericalSoftmax" && k.Epsilon == 0))
        {
            // ε = 0: a row of zeros is 0/0, and squares of subnormals underflow (docs/attributes.md).
            names.Add("SignedZeros");
            names.Add("Subnormal");
        }

        return names.ToArray();
    }

    /// <summary>Runs every path on rows of <paramref name="cases"/> (total length, row length) and returns the worst units.</summary>
    private static double Check(VariantInfo k, IEnumerable<(int Length, int RowLength)> cases, bool allDistributions)
    {
        double worst = 0;
        string[] distributions = Distributions(k);
        int seed = 0;
        foreach ((int length, int rowLength) in cases)
        {
            IEnumerable<string> chosen = allDistributions ? distributions : new[] { distributions[seed % distributions.Length] };
            foreach (string distribution in chosen)
            {
                seed++;
                double[] x = Round(k, Inputs.Make(distribution, length, seed));
                double[]? dy = k.Backward ? Round(k, Inputs.Make("Normal", length, seed + 1000)) : null;
                foreach ((string path, MethodInfo method) in Paths(k))
                {
                    double[] actual = Run(k, method, x, dy, rowLength);
                    for (int start = 0; start < length; start += rowLength)
                    {
                        ReadOnlySpan<double> row = x.AsSpan(start, rowLength);
                        ReadOnlySpan<double> dyRow = dy is null ? default : dy.AsSpan(start, rowLength);
                        double[] expected = k.Backward ? OracleBackward(k, row, dyRow) : Oracle(k, row);
                        RowStats stats = Stats(k, row, dyRow);
                        for (int i = 0; i < rowLength; i++)
                        {
                            double units = Units(k, stats, row, dyRow, actual[start + i], expected[i], i);
                            Assert.True(units <= Tolerance, $"{k.Name}.{path}, {distribution}, length {length} (rows of {rowLength}), [{start + i}]: x = {x[start + i]:R} gives {actual[start + i]:R}, expected {expected[i]:R} ({units:F2} units)");
                            worst = Math.Max(worst, units);
                        }
                    }
                }
            }
        }

        return worst;
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void EveryPathMatchesTheOracle(string name)
    {
        VariantInfo k = Get(name);
        var cases = new List<(int, int)>();
        if (k.Width != 0)
        {
            cases.AddRange(new[] { 0, 1, 2, 5 }.Select(rows => (rows * k.Width, k.Width)));
        }
        else if (k.ManyRows)
        {
            foreach (int rowLength in new[] { 1, 2, 3, 17, 64, 100, 1000 })
            {
                cases.AddRange(new[] { 0, 1, 2, 5 }.Select(rows => (rows * rowLength, rowLength)));
            }
        }
        else
        {
            int block = (k.Unroll == 0 ? 8 : k.Unroll) * (k.IsDouble ? 8 : 16);
            for (int n = 0; n <= (3 * block) + 1; n += Inputs.SmallScale ? 7 : 1)
            {
                cases.Add((n, Math.Max(n, 1)));
            }
        }

        double worst = Check(k, cases, allDistributions: false);
        if (k.Width == 0)
        {
            worst = Math.Max(worst, Check(k, new[] { (1000, 1000), (4099, 4099) }, allDistributions: true));
            int big = Inputs.SmallScale ? 20_011 : 100_003;
            worst = Math.Max(worst, Check(k, new[] { (big, big) }, allDistributions: false));
        }

        Console.WriteLine($"{name}: worst {worst:F2} units");
    }

    [Theory]
    [MemberData(nameof(Backward))]
    public void OracleGradientMatchesCentralDifferences(string name)
    {
        // The oracle's dx against (L(x + h·e_j) − L(x − h·e_j))/2h of L = Σ dy_i·y_i(x), all in double: the formulas of the
        // backward kernels (and of docs/attributes.md) are the gradient of the forward.
        VariantInfo k = Get(name);
        VariantInfo forward = new()
        {
            Name = k.Name, Kind = k.Kind, IsDouble = true, ManyRows = false, Backward = false, Log = k.Log, Scale = k.Scale,
            TrainingLength = k.TrainingLength, Bias = k.Bias, Order = k.Order, Epsilon = k.Epsilon, Width = 0, Unroll = 0,
            Dispatcher = k.Dispatcher, Paths = k.Paths,
        };
        var random = new Random(5);
        foreach (int n in new[] { 1, 2, 7, 20 })
        {
            for (int trial = 0; trial < 5; trial++)
            {
                // Away from StableMax's kink at 0 (s is C¹ there but not C²).
                double[] x = Enumerable.Range(0, n).Select(_ => (random.NextDouble() < 0.5 ? -1 : 1) * (0.05 + (random.NextDouble() * 4))).ToArray();
                double[] dy = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray();
                double[] dx = OracleBackward(k, x, dy);
                double Loss(double[] at) => Oracle(forward, at).Zip(dy, static (a, b) => a * b).Sum();
                for (int j = 0; j < n; j++)
                {
                    double h = 1e-5 * Math.Max(1, Math.Abs(x[j]));
                    double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                    plus[j] += h;
                    minus[j] -= h;
                    double numeric = (Loss(plus) - Loss(minus)) / (2 * h);
                    double scale = dy.Sum(Math.Abs) + 1e-3;
                    Assert.True(Math.Abs(numeric - dx[j]) <= 1e-6 * scale, $"{name}: n = {n}, dx[{j}] = {dx[j]:R}, central difference {numeric:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Forward))]
    public void StableMaxMatchesItsDefinitionExactlyWhereItIsExact(string name)
    {
        // Independent of the oracle's sums: a row of one element is 1 (log 0), and StableMax of (0, −1, 1) is (1, 1/2, 2)/3.5.
        VariantInfo k = Get(name);
        if (k.Kind != "StableMax" || k.Width != 0)
        {
            return;
        }

        foreach ((string path, MethodInfo method) in Paths(k))
        {
            double[] one = Run(k, method, new[] { 3.0 }, null, 1);
            Assert.True(Math.Abs(one[0] - (k.Log ? 0 : 1)) <= 2e-7, $"{path}: a row of one element gives {one[0]:R}");
            double[] three = Run(k, method, new[] { 0.0, -1.0, 1.0 }, null, 3);
            double[] expected = new[] { 1 / 3.5, 0.5 / 3.5, 2 / 3.5 }.Select(v => k.Log ? Math.Log(v) : v).ToArray();
            for (int i = 0; i < 3; i++)
            {
                Assert.True(Math.Abs(three[i] - expected[i]) <= 4e-7 * Math.Max(1, Math.Abs(expected[i])), $"{path}: [{i}] = {three[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void NaNAndInfinitiesFollowTheDocumentedRules(string name)
    {
        VariantInfo k = Get(name);
        int n = k.Width != 0 ? k.Width : 37;
        int rows = k.ManyRows ? 3 : 1;
        foreach (double special in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            double[] x = Round(k, Inputs.Make("Normal", rows * n, 31));
            double[]? dy = k.Backward ? Round(k, Inputs.Make("Normal", rows * n, 32)) : null;
            int at = n / 2;      // in the first row; the other rows must be unaffected
            x[at] = special;
            foreach ((string path, MethodInfo method) in Paths(k))
            {
                double[] y = Run(k, method, x, dy, n);
                for (int i = 0; i < rows * n; i++)
                {
                    double expected = Expected(k, x, dy, n, i, special);
                    string what = $"{path}: {special} at [{at}], output [{i}] = {y[i]:R}, expected {expected:R}";
                    if (double.IsNaN(expected) || double.IsInfinity(expected) || expected == 0)
                    {
                        Assert.True(y[i].Equals(expected) || (expected == 0 && y[i] == 0), what);
                    }
                    else
                    {
                        int start = i / n * n;
                        ReadOnlySpan<double> dyRow = dy is null ? default : dy.AsSpan(start, n);
                        double units = Units(k, Stats(k, x.AsSpan(start, n), dyRow), x.AsSpan(start, n), dyRow, y[i], expected, i - start);
                        Assert.True(units <= Tolerance, what);
                    }
                }
            }
        }
    }

    // What docs/attributes.md promises for a NaN or ±∞ input: rows without it follow the oracle; in its row,
    // a normalizing forward kernel gives NaN everywhere for NaN, for +∞ NaN at that entry (∞/∞) and 0 (log: −∞) elsewhere,
    // and for −∞ weight 0 (log: −∞) there where g(−∞) = 0. Sigmoid attention: only that element (σ(+∞) = 1, σ(−∞) = 0).
    private static double Expected(VariantInfo k, double[] x, double[]? dy, int n, int i, double special)
    {
        int start = i / n * n;
        double[] row = x.AsSpan(start, n).ToArray();
        if (k.Backward)
        {
            // The formula's own arithmetic in double gives NaN (∞·0, ∞/∞) or exact values where the kernels do.
            return OracleBackward(k, row, dy.AsSpan(start, n))[i - start];
        }

        if (!k.Normalizes || !row.Any(double.IsInfinity) || row.Any(double.IsNaN))
        {
            return Oracle(k, row)[i - start];
        }

        double gSpecial = G(k, special, n);
        if (gSpecial == 0)
        {
            return Oracle(k, row)[i - start];
        }

        bool isSpecial = double.IsInfinity(x[i]);
        return isSpecial ? double.NaN : k.Log ? double.NegativeInfinity : 0;
    }

    [Theory]
    [MemberData(nameof(Forward))]
    public void ARowOfMinusInfinityIsNaNOrZeroAsDocumented(string name)
    {
        // Normalizing variants with g(−∞) = 0 (StableMax, softplus): 0/0 = NaN, as PyTorch's softmax of such a row.
        // Taylor and spherical: g(−∞) = ∞, ∞/∞ = NaN. Sigmoid attention: σ(−∞) = 0.
        VariantInfo k = Get(name);
        int n = k.Width != 0 ? k.Width : 9;
        double[] x = Enumerable.Repeat(double.NegativeInfinity, n).ToArray();
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            double[] y = Run(k, method, x, null, n);
            Assert.All(y, v => Assert.True(k.Normalizes ? double.IsNaN(v) : v == 0, $"{path}: {v:R}"));
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void InPlaceGivesTheSameResult(string name)
    {
        VariantInfo k = Get(name);
        int n = k.Width != 0 ? k.Width : 301;
        int rows = k.ManyRows ? 3 : 1;
        double[] x = Round(k, Inputs.Make("Uniform100", rows * n, 41));
        double[]? dy = k.Backward ? Round(k, Inputs.Make("Normal", rows * n, 42)) : null;
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            double[] apart = Run(k, method, x, dy, n);
            double[] same = k.Backward ? RunBackwardInPlace(k, method, x, dy!, n) : RunForwardInPlace(k, method, x, n);
            Assert.Equal(apart, same);
        }
    }

    private static double[] RunForwardInPlace(VariantInfo k, MethodInfo method, double[] x, int n)
    {
        if (k.IsDouble)
        {
            double[] data = (double[])x.Clone();
            Invoke(k, method, data, null, data, n);
            return data;
        }

        float[] f = x.Select(static v => (float)v).ToArray();
        Invoke(k, method, f, null, f, n);
        return f.Select(static v => (double)v).ToArray();
    }

    private static double[] RunBackwardInPlace(VariantInfo k, MethodInfo method, double[] x, double[] dy, int n)
    {
        // dx may be dy's memory.
        if (k.IsDouble)
        {
            double[] data = (double[])dy.Clone();
            Invoke(k, method, x, data, data, n);
            return data;
        }

        float[] f = dy.Select(static v => (float)v).ToArray();
        Invoke(k, method, x.Select(static v => (float)v).ToArray(), f, f, n);
        return f.Select(static v => (double)v).ToArray();
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void BadSpansThrowAndWriteNothing(string name)
    {
        VariantInfo k = Get(name);
        int n = k.Width != 0 ? k.Width : 10;
        int length = k.ManyRows ? 2 * n : n;
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            void Expect<TException>(int input, int output, int dyLength, int rowLength)
                where TException : ArgumentException
            {
                var written = new double[output];
                Array.Fill(written, 7.0);
                var y = new double[output];
                Array.Fill(y, 7.0);
                if (k.IsDouble)
                {
                    Assert.ThrowsAny<TException>(() => Invoke(k, method, new double[input], k.Backward ? new double[dyLength] : null, y.AsSpan(), rowLength));
                    Assert.All(y, static v => Assert.Equal(7.0, v));
                }
                else
                {
                    var yf = new float[output];
                    Array.Fill(yf, 7f);
                    Assert.ThrowsAny<TException>(() => Invoke(k, method, new float[input], k.Backward ? new float[dyLength] : null, yf.AsSpan(), rowLength));
                    Assert.All(yf, static v => Assert.Equal(7f, v));
                }
            }

            Expect<ArgumentException>(length, length + 1, length, n);
            Expect<ArgumentException>(length, length - 1, length, n);
            if (k.Backward)
            {
                Expect<ArgumentException>(length, length, length - 1, n);
            }

            if (k.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, length, 0);
                Expect<ArgumentException>(length + 1, length + 1, length + 1, n);
            }

            if (k.Width != 0 && !k.ManyRows)
            {
                Expect<ArgumentException>(n + 1, n + 1, n + 1, n);
            }

            // Empty: nothing to do, no exception.
            if (k.Width == 0 || k.ManyRows)
            {
                if (k.IsDouble)
                {
                    Invoke(k, method, Array.Empty<double>(), k.Backward ? Array.Empty<double>() : null, Span<double>.Empty, n);
                }
                else
                {
                    Invoke(k, method, Array.Empty<float>(), k.Backward ? Array.Empty<float>() : null, Span<float>.Empty, n);
                }
            }
        }
    }
}
