using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Every path of every [Sparsemax] and [Entmax15] kernel (the dispatcher and Reference too) against an oracle
/// written here from the definition — τ by bisection on Σ max(z − τ, 0)^p = 1 in double, then recomputed in
/// closed form on the support that the bisection found — with nothing written outside the output; the KKT
/// conditions of the projection onto the simplex on every sparsemax output; then the edge cases of
/// docs/attributes.md (length 1, ties, constant rows, 1e30, −∞, NaN, +∞, in place, bad spans).
/// </summary>
public class SparseMapTests
{
    /// <summary>The tolerance of docs/accuracy.md: absolute error in units of 2⁻²⁴ (float) or 2⁻⁵³ (double); y ∈ [0, 1].</summary>
    public const double Tolerance = 4;

    private const int Guard = 16;

    /// <summary>
    /// The inputs: N(0,1) (few candidates), N(0,1)/100 (every element in the support), U(0,1) (every element a
    /// candidate: the rented buffer), U(−100,100), one outlier, −∞ masks, ties among 4 integers, U(−10⁴, 10⁴),
    /// values near ±10³⁰, a ramp (the slowest case of the threshold iteration), ±0, subnormals, a constant row.
    /// </summary>
    public static readonly string[] Distributions =
    {
        "Normal", "Dense", "Uniform01", "Uniform100", "Outlier", "Masked", "Ties", "Wide1e4", "Huge", "Ramp", "SignedZeros", "Subnormal", "Constant",
    };

    public static IEnumerable<object[]> OneRowKernels => SparseMapCatalog.Names(static k => !k.ManyRows);

    public static IEnumerable<object[]> ManyRowKernels => SparseMapCatalog.Names(static k => k.ManyRows);

    public static IEnumerable<object[]> AllKernels => SparseMapCatalog.Names();

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesOracleOnEveryPath(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
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

            lengths.Add(1000);
            lengths.Add(4099);
            lengths.Add(32768);
            lengths.Add(Inputs.SmallScale ? 20_011 : 100_003);
        }

        Check(kernel, lengths.Select(static n => (n, n)));
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelMatchesOracleOnEveryPath(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 17, 64, 100, 1000 };
        int[] rowCounts = { 0, 1, 2, 5 };
        Check(kernel, rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r))));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void SparsemaxOutputsMeetTheKktConditionsAndEntmaxItsFixedPoint(string name)
    {
        // Sparsemax is the Euclidean projection onto the simplex: y ≥ 0, Σ y = 1, x_i − y_i = τ on the support and
        // x_i ≤ τ off it. 1.5-entmax: y_i = max(x_i/2 − τ, 0)² with Σ y = 1, so sqrt(y_i) − x_i/2 = −τ on the support.
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 301;
        double eps = kernel.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);
        foreach (string distribution in new[] { "Normal", "Dense", "Uniform01", "Ties" })
        {
            double[] x = Round(kernel, MakeInput(distribution, n, 31));
            foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
            {
                double[] y = kernel.Run(method, x, n);
                Assert.True(y.All(static v => v >= 0), $"{path}/{distribution}: a negative output");
                int support = y.Count(static v => v > 0);
                Assert.True(Math.Abs(y.Sum() - 1) <= 4 * Tolerance * eps * n, $"{path}/{distribution}: Σ y = {y.Sum():R}");
                double[] t = Enumerable.Range(0, n).Where(i => y[i] > 0)
                    .Select(i => kernel.IsEntmax ? (x[i] / 2) - Math.Sqrt(y[i]) : x[i] - y[i]).ToArray();
                double tau = t.Average();
                double spread = kernel.IsEntmax ? 1e-3 : 4 * Tolerance * eps * (1 + x.Where(double.IsFinite).Max(Math.Abs));
                if (kernel.IsEntmax)
                {
                    // sqrt amplifies the rounding of small outputs: the equation is checked where y is not tiny.
                    t = Enumerable.Range(0, n).Where(i => y[i] > 1e-4).Select(i => (x[i] / 2) - Math.Sqrt(y[i])).ToArray();
                    spread = (kernel.IsDouble ? 1e-12 : 1e-4);
                }

                Assert.True(t.Max() - t.Min() <= spread, $"{path}/{distribution}: τ on the support spreads over [{t.Min():R}, {t.Max():R}]");
                for (int i = 0; i < n; i++)
                {
                    double scaled = kernel.IsEntmax ? x[i] / 2 : x[i];
                    Assert.True(y[i] > 0 || scaled <= tau + spread, $"{path}/{distribution}: x[{i}] = {x[i]:R} is above τ = {tau:R} but its output is 0");
                }

                Assert.True(support >= 1);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EdgeCasesHaveTheirDocumentedResults(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 5;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            // A constant row: every element 1/n (length 1: y = 1).
            foreach (double value in new[] { 0.0, 2.5, -1e30, 1e30 })
            {
                double[] y = kernel.Run(method, Enumerable.Repeat(value, n).ToArray(), n);
                double expected = kernel.IsEntmax ? 1.0 / n : 1.0 / n;
                Assert.All(y, v => Assert.True(Math.Abs(v - expected) <= Tolerance * Eps(kernel), $"{path}: constant {value}: {v:R}, expected {expected:R}"));
            }

            // Huge values: the maps are shift-invariant, so a row near 1e30 gives what the same row near 0 gives.
            if (n >= 3)
            {
                double[] x = new double[n];
                Array.Fill(x, -1e30);
                x[0] = 1e30;
                x[n - 1] = 1e30;
                double[] y = kernel.Run(method, x, n);
                Assert.True(Math.Abs(y[0] - 0.5) <= Tolerance * Eps(kernel) && Math.Abs(y[n - 1] - 0.5) <= Tolerance * Eps(kernel), $"{path}: two maxima at 1e30 give {y[0]:R} and {y[n - 1]:R}");
                Assert.All(y.Skip(1).Take(n - 2), static v => Assert.Equal(0.0, v));
            }

            // −∞ entries get 0; a NaN or +∞ makes the row NaN; a row of −∞ only is NaN (as softmax).
            if (n >= 2)
            {
                double[] x = MakeInput("Normal", n, 40);
                x[1] = double.NegativeInfinity;
                double[] y = kernel.Run(method, x, n);
                Assert.Equal(0.0, y[1]);
                Assert.True(Math.Abs(y.Sum() - 1) <= 2 * Tolerance * Eps(kernel) * n, $"{path}: masked row sums to {y.Sum():R}");
            }

            foreach (double bad in new[] { double.NaN, double.PositiveInfinity })
            {
                double[] x = MakeInput("Normal", n, 41);
                x[n / 2] = bad;
                Assert.All(kernel.Run(method, x, n), v => Assert.True(double.IsNaN(v), $"{path}: a row with {bad} gives {v:R}"));
            }

            Assert.All(kernel.Run(method, Enumerable.Repeat(double.NegativeInfinity, n).ToArray(), n), static v => Assert.True(double.IsNaN(v)));
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ANaNRowLeavesTheOtherRowsAlone(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 40;
        double[] x = Round(kernel, MakeInput("Normal", 3 * n, 42));
        x[n + (n / 2)] = double.NaN;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = kernel.Run(method, x, n);
            for (int row = 0; row < 3; row++)
            {
                double[] expected = Oracle(kernel, x.AsSpan(row * n, n));
                for (int i = 0; i < n; i++)
                {
                    double actual = y[(row * n) + i];
                    Assert.True(row == 1 ? double.IsNaN(actual) : Math.Abs(actual - expected[i]) <= Tolerance * Eps(kernel), $"{path}: row {row} [{i}] = {actual:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void TiesShareTheMassEqually(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 9;
        if (n < 3)
        {
            return;
        }

        // Three equal maxima far above the rest: 1/3 each. Two maxima 0.5 apart from a third value: sparsemax
        // gives y = (0.5, 0.5, 0) + the shared shift, checked by the oracle.
        double[] x = Enumerable.Repeat(-10.0, n).ToArray();
        x[0] = x[n / 2] = x[n - 1] = 4;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = kernel.Run(method, x, n);
            foreach (int i in new[] { 0, n / 2, n - 1 })
            {
                Assert.True(Math.Abs(y[i] - (1.0 / 3)) <= Tolerance * Eps(kernel), $"{path}: tie [{i}] = {y[i]:R}");
            }

            Assert.Equal(n - 3, y.Count(static v => v == 0));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 300;
        int length = kernel.ManyRows ? 3 * n : n;
        foreach (string distribution in new[] { "Normal", "Uniform01" })
        {
            double[] x = Round(kernel, MakeInput(distribution, length, 43));
            foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
            {
                Assert.Equal(kernel.Run(method, x, n), kernel.RunInPlace(method, x, n));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            void Expect<TException>(int inputLength, int outputLength, int rowLength, string parameter)
                where TException : ArgumentException
            {
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                double[] outputD = Enumerable.Repeat(7.0, outputLength).ToArray();
                TException e = kernel.IsDouble
                    ? Assert.Throws<TException>(() => kernel.Run<double>(method, new double[inputLength], outputD, rowLength))
                    : Assert.Throws<TException>(() => kernel.Run<float>(method, new float[inputLength], output, rowLength));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? outputD.All(static v => v == 7.0) : output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            int length = kernel.ManyRows ? 2 * n : n;
            Expect<ArgumentException>(length, length + 1, n, "output");
            Expect<ArgumentException>(length, length - 1, n, "output");
            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, 0, "rowLength");
                if (kernel.Width == 0)
                {
                    Expect<ArgumentException>(length + 1, length + 1, n, "input");
                }
            }

            if (kernel.Width > 1 && !kernel.ManyRows)
            {
                Expect<ArgumentException>(n - 1, n - 1, n, "input");
            }

            // Partial overlap of input and output is rejected.
            if (length >= 2)
            {
                if (kernel.IsDouble)
                {
                    double[] shared = new double[length + 1];
                    Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, shared.AsSpan(1, length), shared.AsSpan(0, length), n));
                }
                else
                {
                    float[] shared = new float[length + 1];
                    Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, shared.AsSpan(1, length), shared.AsSpan(0, length), n));
                }
            }
        }
    }

    [Fact]
    public void SelectedPathIsTheDispatchersChoiceForEverySparseMapKernel()
    {
        KernelPath expected = KernelCatalog.Get("SoftmaxAutoF").Selected;
        Assert.All(SparseMapCatalog.All.Where(k => k.Paths.ContainsKey(expected.ToString())), k => Assert.Equal(expected, k.Selected));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void UnsupportedPathsThrowPlatformNotSupported(string name)
    {
        SparseMapInfo kernel = SparseMapCatalog.Get(name);
        foreach (string path in KernelCatalog.PathNames.Where(p => kernel.Paths.ContainsKey(p) && !Harness.IsSupported(p)))
        {
            int n = kernel.Width != 0 ? kernel.Width : 4;
            Assert.Throws<PlatformNotSupportedException>(() => kernel.Run(kernel.Paths[path], new double[n], n));
        }
    }

    [Fact]
    public void TheThresholdSearchMatchesTheSortOnSlowShapes()
    {
        // Shapes where each round of the threshold iteration drops few candidates (a ramp, geometric clusters near the
        // bound): the runtime's τ against the closed form on the support found by bisection, through the kernels.
        foreach (SparseMapInfo kernel in SparseMapCatalog.All.Where(static k => k.Width == 0 && !k.ManyRows))
        {
            foreach (int n in new[] { 1 << 10, 1 << 17 })
            {
                double[] ramp = Enumerable.Range(0, n).Select(i => -(double)i / n).ToArray();
                double[] geometric = Enumerable.Range(0, n).Select(i => -(kernel.IsEntmax ? 2 : 1) * (1 - Math.Pow(0.5, 1 + (i % 40)))).ToArray();
                foreach (double[] raw in new[] { ramp, geometric })
                {
                    double[] x = Round(kernel, raw);
                    double[] expected = Oracle(kernel, x);
                    foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                    {
                        double[] y = kernel.Run(method, x, n);
                        double worst = Enumerable.Range(0, n).Max(i => Math.Abs(y[i] - expected[i])) / Eps(kernel);
                        Assert.True(worst <= Tolerance, $"{kernel.Name}.{path}, n = {n}: {worst:F2} units");
                    }
                }
            }
        }
    }

    [Fact]
    public void TheIterationAndTheSortGiveTheSameThreshold()
    {
        // SparseThreshold's two ways to τ — the iteration (Michelot's for sparsemax, Newton + closed form for 1.5-entmax)
        // and the sort-based algorithm it falls back to — on candidates of many shapes, each round count from 0 (sort only).
        var random = new Random(50);
        foreach (int n in new[] { 1, 2, 3, 10, 257, 5000 })
        {
            foreach (string shape in new[] { "Uniform", "Ties", "Sparse" })
            {
                foreach (bool entmax in new[] { false, true })
                {
                    double[] candidates = Enumerable.Range(0, n).Select(_ => shape switch
                    {
                        "Uniform" => -random.NextDouble(),
                        "Ties" => -random.Next(3) / 4.0,
                        _ => random.Next(10) == 0 ? -random.NextDouble() * 0.1 : -0.5 - (random.NextDouble() * 0.5),
                    }).ToArray();
                    candidates[random.Next(n)] = 0;
                    double Threshold(int rounds)
                    {
                        double[] copy = (double[])candidates.Clone();
                        return entmax ? Runtime.SparseThreshold.Entmax15(copy, rounds) : Runtime.SparseThreshold.Sparsemax(copy, rounds);
                    }

                    double sorted = Threshold(0);
                    double mass = candidates.Sum(v => v > sorted ? (entmax ? (v - sorted) * (v - sorted) : v - sorted) : 0);
                    Assert.True(Math.Abs(mass - 1) <= 1e-13, $"{shape}, n = {n}, entmax {entmax}: the sorted τ = {sorted:R} gives mass {mass:R}");
                    foreach (int rounds in new[] { 1, 2, 3, Runtime.SparseThreshold.MaximumRounds })
                    {
                        double iterated = Threshold(rounds);
                        Assert.True(Math.Abs(iterated - sorted) <= 1e-15, $"{shape}, n = {n}, entmax {entmax}, {rounds} rounds: τ = {iterated:R}, sorted {sorted:R}");
                    }
                }
            }
        }
    }

    /// <summary>ε of the element type: 2⁻²⁴ or 2⁻⁵³.</summary>
    private static double Eps(SparseMapInfo kernel) => kernel.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);

    private static double[] Round(SparseMapInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(SparseMapInfo kernel) => Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    private static double[] MakeInput(string distribution, int length, int seed)
    {
        var random = new Random(seed);
        double[] x = distribution switch
        {
            "Dense" => Inputs.Make("Normal", length, seed).Select(static v => v / 100).ToArray(),
            "Uniform01" => Enumerable.Range(0, length).Select(_ => random.NextDouble()).ToArray(),
            "Ties" => Enumerable.Range(0, length).Select(_ => (double)random.Next(4)).ToArray(),
            "Huge" => Enumerable.Range(0, length).Select(_ => random.Next(3) == 0 ? 1e30 : -1e30 * random.NextDouble()).ToArray(),
            "Ramp" => Enumerable.Range(0, length).Select(i => 3.0 * i / Math.Max(1, length)).ToArray(),
            "Constant" => Enumerable.Repeat(2.5, length).ToArray(),
            _ => Inputs.Make(distribution, length, seed),
        };
        return x;
    }

    private static void Check(SparseMapInfo kernel, IEnumerable<(int Length, int RowLength)> shapes)
    {
        double worst = 0;
        string where = string.Empty;
        var worstByPath = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach ((int length, int rowLength) in shapes)
        {
            foreach (string distribution in Distributions)
            {
                if (length > 5000 && distribution is "SignedZeros" or "Subnormal" or "Constant" or "Ties")
                {
                    continue;
                }

                double[] x = Round(kernel, MakeInput(distribution, length, length + 7));
                var expected = new double[length];
                for (int start = 0; start < length; start += rowLength)
                {
                    Oracle(kernel, x.AsSpan(start, rowLength)).CopyTo(expected, start);
                }

                foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                {
                    double[] y = Run(kernel, method, x, rowLength);
                    for (int i = 0; i < length; i++)
                    {
                        double units = Math.Abs(y[i] - expected[i]) / Eps(kernel);
                        worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), double.IsNaN(units) ? double.PositiveInfinity : units);
                        if (!(units <= worst))
                        {
                            worst = units;
                            where = $"{path}, {distribution}, length {length}, row length {rowLength}, [{i}]: {y[i]:R} vs {expected[i]:R}";
                        }
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(worst <= Tolerance, $"{kernel.Name}: worst {worst:F2} units at {where}");
    }

    // Runs into a guarded buffer: fails if anything outside the output was written.
    private static double[] Run(SparseMapInfo kernel, MethodInfo method, double[] x, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }

        float[] input = x.Select(static v => (float)v).ToArray();
        var output = new float[x.Length + (2 * Guard)];
        Array.Fill(output, 12345.678f);
        kernel.Run<float>(method, input, output.AsSpan(Guard, x.Length), rowLength);
        Assert.True(output.Take(Guard).Concat(output.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
        return output.Skip(Guard).Take(x.Length).Select(static v => (double)v).ToArray();
    }

    /// <summary>
    /// The oracle, from the definition: with p = 1 (sparsemax, z = x − m) or p = 2 (1.5-entmax, z = (x − m)/2), τ solves
    /// Σ max(z − τ, 0)^p = 1 and lies in [−1, 0]: bisection finds the support S = {z &gt; τ}, then τ is recomputed in
    /// closed form on S — (Σ_S z − 1)/|S|, or the smaller root of Σ_S (z − τ)² = 1 — with compensated sums.
    /// </summary>
    private static double[] Oracle(SparseMapInfo kernel, ReadOnlySpan<double> x)
    {
        var y = new double[x.Length];
        if (x.Length == 0)
        {
            return y;
        }

        double m = double.NegativeInfinity;
        foreach (double v in x)
        {
            m = double.IsNaN(v) ? double.NaN : Math.Max(m, v);
        }

        if (!double.IsFinite(m))
        {
            Array.Fill(y, double.NaN);
            return y;
        }

        double[] z = x.ToArray().Select(v => kernel.IsEntmax ? (v - m) / 2 : v - m).ToArray();
        double Mass(double t) => z.Sum(v => v > t ? (kernel.IsEntmax ? (v - t) * (v - t) : v - t) : 0);
        double low = -1, high = 0;
        for (int iteration = 0; iteration < 200 && high - low > 0; iteration++)
        {
            double middle = (low + high) / 2;
            if (middle <= low || middle >= high)
            {
                break;
            }

            if (Mass(middle) >= 1)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        double[] support = z.Where(v => v > low).ToArray();
        double tau;
        (double sum, double error) = Neumaier(support);
        if (kernel.IsEntmax)
        {
            double mean = (sum + error) / support.Length;
            (double squares, double squaresError) = Neumaier(support.Select(v => (v - mean) * (v - mean)));
            tau = mean - Math.Sqrt(Math.Max((1 - (squares + squaresError)) / support.Length, 0));
        }
        else
        {
            tau = ((sum - 1) + error) / support.Length;
        }

        for (int i = 0; i < z.Length; i++)
        {
            double d = Math.Max(z[i] - tau, 0);
            y[i] = kernel.IsEntmax ? d * d : d;
        }

        return y;
    }

    private static (double Sum, double Error) Neumaier(IEnumerable<double> values)
    {
        double sum = 0, error = 0;
        foreach (double v in values)
        {
            double next = sum + v;
            error += Math.Abs(sum) >= Math.Abs(v) ? (sum - next) + v : (v - next) + sum;
            sum = next;
        }

        return (sum, error);
    }
}
