using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

public delegate void TopKRowKernel<T>(ReadOnlySpan<T> logits, Span<T> weights, Span<int> indices);

public delegate void TopKRowsKernel<T>(ReadOnlySpan<T> logits, Span<T> weights, Span<int> indices, int rowLength);

/// <summary>One generated [TopKSoftmax] kernel found by reflection, with the options of its attribute.</summary>
public sealed class TopKInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required int K { get; init; }

    public required bool Compact { get; init; }

    public required int Width { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public override string ToString() => this.Name;
}

/// <summary>
/// Every path of every [TopKSoftmax] kernel (and the dispatcher, and Reference) against an oracle written here: a full
/// stable sort of each row (NaN first, then descending, ties by index), the first K kept, and the softmax over them in
/// double; indices must match exactly, weights within the units of docs/accuracy.md, zeros exactly elsewhere, and the
/// kept weights sum to 1. Then the edge cases (ties, −∞, NaN, K = row length, rows of one, long rows, large logits) and
/// the argument checks.
/// </summary>
public class TopKSoftmaxTests
{
    private const int Guard = 8;
    private const double Tolerance = 4;

    public static readonly IReadOnlyList<TopKInfo> All = Discover().ToList();

    public static IEnumerable<object[]> Every => All.Select(static k => new object[] { k.Name });

    private static TopKInfo Get(string name) => All.Single(k => k.Name == name);

    private static IEnumerable<TopKInfo> Discover()
    {
        foreach (MethodInfo method in typeof(TopKSoftmaxKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<TopKSoftmaxAttribute>() is not { } attribute)
            {
                continue;
            }

            ParameterInfo[] parameters = method.GetParameters();
            yield return new TopKInfo
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                K = attribute.K,
                Compact = attribute.Compact,
                Width = attribute.Width,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(typeof(TopKSoftmaxKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!),
            };
        }
    }

    // ---- The oracle ----

    /// <summary>The row's indices in rank order: a stable sort (LINQ's OrderBy is stable) by NaN first, then by value, largest first.</summary>
    private static int[] Ranked(double[] row) =>
        Enumerable.Range(0, row.Length)
            .OrderBy(i => double.IsNaN(row[i]) ? 0 : 1)
            .ThenByDescending(i => double.IsNaN(row[i]) ? 0 : row[i])
            .ToArray();

    /// <summary>The K kept indices and their weights (softmax over the kept values, in double).</summary>
    private static (int[] Indices, double[] Weights) Oracle(double[] row, int k)
    {
        int[] kept = Ranked(row).Take(k).ToArray();
        double max = row[kept[0]];
        double[] e = kept.Select(i => Math.Exp(row[i] - max)).ToArray();
        double sum = 0, error = 0;
        foreach (double v in e)
        {
            // Neumaier's compensated sum (written here): the oracle's sum stays within an ulp for any K.
            double next = sum + v;
            error += Math.Abs(sum) >= Math.Abs(v) ? (sum - next) + v : (v - next) + sum;
            sum = next;
        }

        sum += error;
        return (kept, e.Select(v => v / sum).ToArray());
    }

    private static double Units(TopKInfo k, double actual, double expected)
    {
        if (actual.Equals(expected))
        {
            return 0;
        }

        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.PositiveInfinity;
        }

        double epsilon = k.IsDouble ? Math.ScaleB(1.0, -53) : Math.ScaleB(1.0, -24);
        double tiny = k.IsDouble ? Math.ScaleB(1.0, -1022) : Math.ScaleB(1.0, -126);
        return Math.Abs(actual - expected) / ((epsilon * Math.Abs(expected)) + tiny);
    }

    // ---- Running a kernel into guarded buffers ----

    private static double[] Round(TopKInfo k, double[] x) => k.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static (double[] Weights, int[] Indices) Run(TopKInfo k, MethodInfo method, double[] x, int rowLength)
    {
        int rows = x.Length / rowLength;
        int weightCount = k.Compact ? rows * k.K : x.Length;
        var indices = new int[(rows * k.K) + (2 * Guard)];
        Array.Fill(indices, -12345);
        Span<int> indexSpan = indices.AsSpan(Guard, rows * k.K);
        double[] weights;
        if (k.IsDouble)
        {
            var buffer = new double[weightCount + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            Invoke(k, method, x, buffer.AsSpan(Guard, weightCount), indexSpan, rowLength);
            CheckGuards(buffer, 12345.678, weightCount, k);
            weights = buffer.AsSpan(Guard, weightCount).ToArray();
        }
        else
        {
            var buffer = new float[weightCount + (2 * Guard)];
            Array.Fill(buffer, 12345.678f);
            Invoke(k, method, x.Select(static v => (float)v).ToArray(), buffer.AsSpan(Guard, weightCount), indexSpan, rowLength);
            CheckGuards(buffer, 12345.678f, weightCount, k);
            weights = buffer.AsSpan(Guard, weightCount).ToArray().Select(static v => (double)v).ToArray();
        }

        CheckGuards(indices, -12345, rows * k.K, k);
        return (weights, indexSpan.ToArray());
    }

    private static void Invoke<T>(TopKInfo k, MethodInfo method, T[] x, Span<T> weights, Span<int> indices, int rowLength)
    {
        if (k.ManyRows)
        {
            ((TopKRowsKernel<T>)method.CreateDelegate(typeof(TopKRowsKernel<T>)))(x, weights, indices, rowLength);
        }
        else
        {
            ((TopKRowKernel<T>)method.CreateDelegate(typeof(TopKRowKernel<T>)))(x, weights, indices);
        }
    }

    private static void CheckGuards<T>(T[] buffer, T sentinel, int length, TopKInfo k)
        where T : IEquatable<T>
    {
        for (int i = 0; i < Guard; i++)
        {
            Assert.True(buffer[i].Equals(sentinel) && buffer[Guard + length + i].Equals(sentinel), $"{k.Name} wrote outside a span (length {length}).");
        }
    }

    private static IEnumerable<(string Name, MethodInfo Method)> Paths(TopKInfo k) => Harness.RunnablePaths(k.Paths, k.Dispatcher);

    /// <summary>Runs every path on <paramref name="x"/> and checks indices (exactly), weights (units), zeros and sums against the oracle.</summary>
    private static double CheckAll(TopKInfo k, double[] x, int rowLength, string what)
    {
        double worst = 0;
        x = Round(k, x);
        foreach ((string path, MethodInfo method) in Paths(k))
        {
            (double[] weights, int[] indices) = Run(k, method, x, rowLength);
            for (int row = 0; row * rowLength < x.Length; row++)
            {
                double[] logits = x.AsSpan(row * rowLength, rowLength).ToArray();
                (int[] expectedIndices, double[] expectedWeights) = Oracle(logits, k.K);
                string where = $"{k.Name}.{path}, {what}, rows of {rowLength}, row {row}";
                Assert.True(expectedIndices.SequenceEqual(indices.AsSpan(row * k.K, k.K).ToArray()), $"{where}: indices [{string.Join(", ", indices.AsSpan(row * k.K, k.K).ToArray())}], expected [{string.Join(", ", expectedIndices)}]");
                for (int j = 0; j < k.K; j++)
                {
                    double actual = k.Compact ? weights[(row * k.K) + j] : weights[(row * rowLength) + expectedIndices[j]];
                    double expected = Round(k, new[] { expectedWeights[j] })[0];
                    double units = Units(k, actual, expected);
                    Assert.True(units <= Tolerance, $"{where}, kept {j} (index {expectedIndices[j]}): {actual:R}, expected {expected:R} ({units:F2} units)");
                    worst = Math.Max(worst, units);
                }

                if (!k.Compact)
                {
                    for (int i = 0; i < rowLength; i++)
                    {
                        if (!expectedIndices.Contains(i))
                        {
                            Assert.True(weights[(row * rowLength) + i] == 0, $"{where}: [{i}] is not kept but has weight {weights[(row * rowLength) + i]:R}");
                        }
                    }
                }

                if (!expectedWeights.Any(double.IsNaN))
                {
                    double sum = k.Compact ? weights.AsSpan(row * k.K, k.K).ToArray().Sum() : weights.AsSpan(row * rowLength, rowLength).ToArray().Sum();
                    Assert.True(Math.Abs(sum - 1) <= k.K * (k.IsDouble ? 1e-15 : 1e-6), $"{where}: the weights sum to {sum:R}");
                }
            }
        }

        return worst;
    }

    private static IEnumerable<int> RowLengths(TopKInfo k) =>
        k.Width != 0 ? new[] { k.Width } : new[] { k.K, k.K + 1, 8, 15, 16, 17, 33, 64, 100, 256, 1000, 4099 }.Where(n => n >= k.K).Distinct();

    [Theory]
    [MemberData(nameof(Every))]
    public void EveryPathMatchesTheSortOracle(string name)
    {
        TopKInfo k = Get(name);
        int seed = 0;
        double worst = 0;
        foreach (int rowLength in RowLengths(k))
        {
            foreach (string distribution in new[] { "Normal", "Uniform100", "Wide1e4", "Masked", "Overflow90", "Subnormal" })
            {
                seed++;
                int rows = k.ManyRows ? 3 : 1;
                double[] x = Inputs.Make(distribution, rows * rowLength, seed);
                if (distribution == "Masked")
                {
                    // Not more −∞ than the row has to spare: the kept ones then include −∞, NaN weights (tested below).
                    for (int i = 0; i < x.Length; i += rowLength)
                    {
                        for (int j = 0; j < k.K; j++)
                        {
                            x[i + j] = 0.5 * j;
                        }
                    }
                }

                worst = Math.Max(worst, CheckAll(k, x, rowLength, distribution));
            }
        }

        Console.WriteLine($"{name}: worst {worst:F2} units");
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void IncreasingRowsMakeEveryVectorEnter(string name)
    {
        // Rising logits: every element ranks above the K-th best so far, the worst case of the skip test.
        TopKInfo k = Get(name);
        foreach (int rowLength in RowLengths(k).Take(6))
        {
            int rows = k.ManyRows ? 2 : 1;
            CheckAll(k, Enumerable.Range(0, rows * rowLength).Select(static i => (double)i).ToArray(), rowLength, "increasing");
            CheckAll(k, Enumerable.Range(0, rows * rowLength).Select(static i => -(double)i).ToArray(), rowLength, "decreasing");
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public void EdgeCases(string name)
    {
        TopKInfo k = Get(name);
        int n = k.Width != 0 ? k.Width : Math.Max(k.K + 3, 10);
        int rows = k.ManyRows ? 2 : 1;
        double[] Make(Func<int, double> value) => Enumerable.Range(0, rows * n).Select(i => value(i % n)).ToArray();
        var cases = new List<(string What, double[] X)>
        {
            ("all equal (ties: the lowest indices)", Make(static _ => 1.5)),
            ("two values, many ties", Make(static i => i % 3 == 0 ? 2 : 1)),
            ("a NaN (ranks first: NaN weights)", Make(i => i == n - 1 ? double.NaN : i)),
            ("two NaNs (the lower index first)", Make(i => i == 2 || i == n - 2 ? double.NaN : -i)),
            ("−∞ beside finite values", Make(i => i % 2 == 0 ? double.NegativeInfinity : i)),
            ("a row of −∞ (NaN weights, as softmax)", Make(static _ => double.NegativeInfinity)),
            ("+∞ (NaN weights, as softmax)", Make(static i => i == 1 ? double.PositiveInfinity : i)),
            ("large logits", Make(i => 1e4 * Math.Sin(i))),
            ("±0", Make(static i => i % 2 == 0 ? 0.0 : -0.0)),
        };

        foreach ((string what, double[] x) in cases)
        {
            CheckAll(k, x, n, what);
        }

        if (k.Width == 0)
        {
            // K = the row length: every entry kept, the softmax of the row, indices the full rank order.
            CheckAll(k, Make(i => Math.Cos(i) * 3).Take(rows * k.K).ToArray(), k.K, "K = the row length");
        }
    }

    [Fact]
    public void LongRowsAndRowsOfOne()
    {
        foreach (string name in new[] { nameof(TopKSoftmaxKernels.Top8DRows), nameof(TopKSoftmaxKernels.Top8CompactFRows), nameof(TopKSoftmaxKernels.Top2FRows) })
        {
            CheckAll(Get(name), Inputs.Make("Normal", 2 * 32768, 5), 32768, "rows of 32768");
        }

        TopKInfo one = Get(nameof(TopKSoftmaxKernels.Top1CompactD));
        foreach ((string path, MethodInfo method) in Paths(one))
        {
            (double[] weights, int[] indices) = Run(one, method, new[] { -3.0 }, 1);
            Assert.Equal(new[] { 1.0 }, weights);
            Assert.Equal(new[] { 0 }, indices);
        }
    }

    [Fact]
    public void ArgumentChecksWriteNothing()
    {
        var x = new float[8];
        var weights = Enumerable.Repeat(7f, 8).ToArray();
        var indices = Enumerable.Repeat(-1, 4).ToArray();

        // K > the row length: an ArgumentException, not a clamp (the shape of indices and weights depends on K).
        ArgumentException e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top2FRows(x, weights, new int[16], 1));
        Assert.Equal("rowLength", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top2F(x.AsSpan(0, 1), weights.AsSpan(0, 1), indices.AsSpan(0, 2)));
        Assert.Equal("logits", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top2FRows(x, weights, indices.AsSpan(0, 3), 4));
        Assert.Equal("indices", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top2FRows(x, weights.AsSpan(0, 7), indices, 4));
        Assert.Equal("weights", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top2FRows(x, weights, indices, 3));
        Assert.Equal("logits", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => TopKSoftmaxKernels.Top2FRows(x, weights, indices, 0));
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top8CompactFRows(new float[16], new float[15], new int[16], 8));
        Assert.Equal("weights", e.ParamName);
        var shared = new float[17];
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top8CompactFRows(shared.AsSpan(0, 16), shared.AsSpan(1, 16), new int[16], 8));
        Assert.Equal("weights", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top2F(shared.AsSpan(0, 8), shared.AsSpan(1, 8), indices.AsSpan(0, 2)));
        Assert.Equal("weights", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TopKSoftmaxKernels.Top4W64U2FRows(new float[60], new float[60], new int[4], 60));
        Assert.Equal("rowLength", e.ParamName);
        Assert.All(weights, static v => Assert.Equal(7f, v));
        Assert.All(indices, static v => Assert.Equal(-1, v));

        // In place: the weights may be the logits' memory (not compact).
        float[] logits = { 1, 5, 3, 4, 2 };
        var expectedWeights = new float[5];
        var expectedIndices = new int[2];
        TopKSoftmaxKernels.Top2FPaths.Reference(logits, expectedWeights, expectedIndices);
        float[] inPlace = (float[])logits.Clone();
        var inPlaceIndices = new int[2];
        TopKSoftmaxKernels.Top2F(inPlace, inPlace, inPlaceIndices);
        Assert.Equal(new[] { 1, 3 }, inPlaceIndices);
        Assert.Equal(expectedIndices, inPlaceIndices);
        Assert.Equal(expectedWeights, inPlace);
    }

    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        if (expected is not null)
        {
            Assert.Equal(expected, TopKSoftmaxKernels.Top2FPaths.Selected.ToString());
        }
    }
}
