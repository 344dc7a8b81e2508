using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Every path of every normalization kernel (and the dispatcher, and Reference) against the exact
/// oracle, with nothing written outside the output; then the run-time behaviour of api.md and the
/// edge cases of docs/attributes.md (large means, constant rows, rows of one, ε = 0).
/// </summary>
public class NormTests
{
    private const int Guard = 16;

    /// <summary>
    /// The input families: those of the softmax tests that make sense here, plus a large mean, constant rows, and rows whose
    /// first 64 elements sit near 1e4 and the rest near 0 ("Leading1e4": LayerNorm's vector rows sum x − k about the mean
    /// k of the row's first vector, and must then take the variance again about the mean).
    /// </summary>
    public static readonly string[] Distributions =
    {
        "Normal", "Uniform100", "Mean1e4", "Wide1e4", "Outlier", "Constant", "SignedZeros", "Subnormal", "Scaled1e15", "Leading1e4",
    };

    /// <summary>
    /// The inputs of the equivalence checks: all of them natively; under emulation (the arm64 run, where
    /// the exact oracle is ~20× slower) the ones that exercise distinct numerics.
    /// </summary>
    public static string[] CheckedDistributions => Inputs.SmallScale ? new[] { "Normal", "Mean1e4", "Outlier", "Constant", "Subnormal", "Leading1e4" } : Distributions;

    public static IEnumerable<object[]> OneRowKernels => NormCatalog.Names(static k => !k.ManyRows && !k.HasResidual);

    public static IEnumerable<object[]> ManyRowKernels => NormCatalog.Names(static k => k.ManyRows && !k.HasResidual);

    /// <summary>The kernels without a residual (<see cref="ResidualNormTests"/> covers the fused residual form).</summary>
    public static IEnumerable<object[]> AllKernels => NormCatalog.Names(static k => !k.HasResidual);

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesOracleOnEveryPath(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
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
            lengths.Add(Inputs.SmallScale ? 20_011 : 100_003);
        }

        Check(kernel, lengths.Select(static n => (n, n)), CheckedDistributions);
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelMatchesOracleOnEveryPath(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 17, 64, 100, 1000 };
        int[] rowCounts = { 0, 1, 2, 5 };
        Check(kernel, rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r))), CheckedDistributions);
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelGivesEachRowAsItGivesItAlone(string name)
    {
        // The rows loop may take rows two at a time (LayerNorm with γ and β: {Path}RowPair, one output pass over both),
        // or as a chain (RmsNorm and L2Normalize, rows of at most 8 KiB: {Path}RowChain, each row's Σx² summed in the
        // output pass of the row before it): every row must come out as the same kernel gives it alone, bit for bit, for
        // even and odd counts of rows. Rows of 1025 and 2049 are one past the chain's limit (doubles, floats), 1024 and
        // 2048 at it. In cache; out of cache (streaming stores) StreamingTests checks the same.
        NormInfo kernel = NormCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 3, 17, 100, 1000, 1024, 1025, 2048, 2049 };
        var random = new Random(29);
        foreach (int n in rowLengths)
        {
            foreach (int rows in new[] { 2, 3, 5 })
            {
                double[] x = Round(kernel, Enumerable.Range(0, rows * n).Select(i => (3 * Inputs.Normal(random)) + (i / n)).ToArray());

                // Row 1 starts with an outlier: LayerNorm's k (the mean of the first vector) is far from μ and its pass 2 runs
                // (in {Path}RowPair, for the second row of the pair).
                x[n] += 1000;
                (double[] weight, double[] bias) = Parameters(kernel, n, 13);
                foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                {
                    double[] all = Run(kernel, method, x, weight, bias, n);
                    for (int r = 0; r < rows; r++)
                    {
                        double[] one = Run(kernel, method, x.AsSpan(r * n, n).ToArray(), weight, bias, n);
                        Assert.True(one.AsSpan().SequenceEqual(all.AsSpan(r * n, n)), $"{path}, {rows} rows of {n}: row {r} differs from the row alone");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void LargeMeanNormalizesAsWellAsZeroMean(string name)
    {
        // A row with mean 1e4 and variance 1 against the same deviations about 0: x − 1e4 is exact in
        // float for these values, so both rows have the same x̂ and the outputs must agree to the tolerance.
        NormInfo kernel = NormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 1000;
        var random = new Random(11);
        double[] shifted = Round(kernel, Enumerable.Range(0, n).Select(_ => 1e4 + Inputs.Normal(random)).ToArray());
        double[] centered = shifted.Select(static v => v - 1e4).ToArray();
        (double[] weight, double[] bias) = Parameters(kernel, n, 12);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] a = Run(kernel, method, shifted, weight, bias, n);
            double[] b = Run(kernel, method, centered, weight, bias, n);
            if (kernel.IsLayer)
            {
                double worst = Enumerable.Range(0, n).Max(i => Math.Abs(a[i] - b[i]) / Unit(kernel, b[i], 1, weight.Length == 0 ? 1 : weight[i], bias.Length == 0 ? 0 : bias[i]));
                Assert.True(worst <= 2 * Tolerance(kernel), $"{path}: the mean-1e4 row differs from the mean-0 row by {worst:G4} units");
            }

            Assert.True(Worst(kernel, shifted, weight, bias, a, n).Units <= Tolerance(kernel), $"{path}: mean-1e4 row beyond tolerance");
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ConstantRowsAndRowsOfOne(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        double[] constant = Enumerable.Repeat(kernel.IsDouble ? 0.1 : (double)0.1f, n).ToArray();
        (double[] weight, double[] bias) = Parameters(kernel, n, 13);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, constant, weight, bias, n);
            for (int i = 0; i < n; i++)
            {
                double beta = bias.Length == 0 ? 0 : bias[i];
                if (kernel.IsLayer)
                {
                    // x − μ is exactly 0: y = β with ε > 0; with ε = 0 it is 0·∞ = NaN, as PyTorch gives.
                    Assert.True(kernel.Epsilon > 0 ? y[i] == beta : double.IsNaN(y[i]), $"{path} constant row: y[{i}] = {y[i]:R}, β = {beta:R}");
                }
                else
                {
                    double expected = NormOracle.Expected(kernel, constant, weight, bias).Y[i];
                    Assert.True(Math.Abs(y[i] - expected) <= Tolerance(kernel) * Unit(kernel, expected, 0, 0, 0), $"{path} constant row: y[{i}] = {y[i]:R}, expected {expected:R}");
                }
            }

            double[] zeros = new double[n];
            double[] z = Run(kernel, method, zeros, weight, bias, n);
            for (int i = 0; i < n; i++)
            {
                double beta = bias.Length == 0 ? 0 : bias[i];
                bool nan = kernel.Epsilon == 0;
                Assert.True(nan ? double.IsNaN(z[i]) : z[i] == beta, $"{path} zero row: y[{i}] = {z[i]:R}");
            }
        }

        if (kernel.Width is 0 or 1)
        {
            // Rows of one element: x − μ = 0 (LayerNorm gives β), and RmsNorm gives γ·x/sqrt(x² + ε).
            int rows = kernel.ManyRows ? 4 : 1;
            double[] x = Round(kernel, new[] { 3.5, -2.25, 1e4, 0.0 }.Take(rows).ToArray());
            (double[] w1, double[] b1) = Parameters(kernel, 1, 14);
            foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
            {
                double[] y = Run(kernel, method, x, w1, b1, 1);
                for (int r = 0; r < rows; r++)
                {
                    double[] expected = NormOracle.Expected(kernel, x.AsSpan(r, 1), w1, b1).Y;
                    bool bothNaN = double.IsNaN(expected[0]) && double.IsNaN(y[r]);
                    Assert.True(bothNaN || Math.Abs(y[r] - expected[0]) <= Tolerance(kernel) * Unit(kernel, expected[0], 0, w1.Length == 0 ? 1 : w1[0], b1.Length == 0 ? 0 : b1[0]),
                        $"{path} row of one [{r}] x = {x[r]:R}: {y[r]:R}, expected {expected[0]:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void NaNAndInfinityStayInTheirRow(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        var random = new Random(15);
        double[] x = Round(kernel, Enumerable.Range(0, 3 * n).Select(_ => Inputs.Normal(random)).ToArray());
        x[n + (n / 2)] = double.NaN;
        x[(2 * n) + (n / 3)] = double.PositiveInfinity;
        (double[] weight, double[] bias) = Parameters(kernel, n, 16);
        double[] clean = NormOracleRow(kernel, x.AsSpan(0, n), weight, bias);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, weight, bias, n);
            Assert.All(y.Skip(n).Take(n), v => Assert.True(double.IsNaN(v), $"{path}: a NaN input leaves its row NaN"));

            // An infinite element: its row is NaN (LayerNorm: ∞ − ∞; RmsNorm: x/∞ is 0 except ∞/∞).
            if (kernel.IsLayer)
            {
                Assert.All(y.Skip(2 * n), v => Assert.True(double.IsNaN(v), $"{path}: an infinite input makes its row NaN"));
            }
            else
            {
                Assert.True(double.IsNaN(y[(2 * n) + (n / 3)]), $"{path}: ∞/∞ is NaN");
                Assert.All(y.Skip(2 * n).Where((_, i) => i != n / 3), v => Assert.True(v == 0, $"{path}: x/∞ is 0, got {v:R}"));
            }

            for (int i = 0; i < n; i++)
            {
                Assert.True(Math.Abs(y[i] - clean[i]) <= Tolerance(kernel) * Unit(kernel, clean[i], 1, weight.Length == 0 ? 1 : weight[i], bias.Length == 0 ? 0 : bias[i]), $"{path}: the clean row changed");
            }
        }
    }

    [Fact]
    public void CompressedEqualsRmsNormOfTheFullZeroMeanVector()
    {
        // CRMSNorm of the stored x′ (n elements) is RMSNorm of x = (x′, −Σx′) (n + 1 elements, zero mean), restricted
        // to its first n: the paper's equivalence, checked against the plain RMSNorm oracle (no compression in it).
        NormInfo kernel = NormCatalog.Get(nameof(NormKernels.RmsNormCompressedPlainDEps0));
        Assert.True(kernel.Compressed && !kernel.HasWeight && kernel.Epsilon == 0);
        foreach (int n in new[] { 1, 2, 7, 64, 1000 })
        {
            var random = new Random(n);
            double[] stored = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random) + 0.5).ToArray();
            double[] full = stored.Append(-stored.Sum()).ToArray();
            double[] expected = NormOracle.RmsNorm(full, ReadOnlySpan<double>.Empty, 0, 0);
            foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
            {
                double[] y = Run(kernel, method, stored, Array.Empty<double>(), Array.Empty<double>(), n);
                for (int i = 0; i < n; i++)
                {
                    Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-13 * Math.Max(1, Math.Abs(expected[i])), $"{path}, n = {n}: y[{i}] = {y[i]:R}, RMSNorm of the full vector {expected[i]:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * n : n;
        double[] x = Round(kernel, Inputs.Make("Normal", length, 17));
        (double[] weight, double[] bias) = Parameters(kernel, n, 18);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] expected = Run(kernel, method, x, weight, bias, n);
            double[] actual = RunInPlace(kernel, method, x, weight, bias, n);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            void Expect<TException>(int inputLength, int outputLength, int weightLength, int rowLength, string parameter)
                where TException : ArgumentException
            {
                float[] input = new float[inputLength];
                double[] inputD = new double[inputLength];
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                double[] outputD = Enumerable.Repeat(7.0, outputLength).ToArray();
                TException e = kernel.IsDouble
                    ? Assert.Throws<TException>(() => kernel.Run<double>(method, inputD, new double[weightLength], new double[weightLength], outputD, rowLength))
                    : Assert.Throws<TException>(() => kernel.Run<float>(method, input, new float[weightLength], new float[weightLength], output, rowLength));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? outputD.All(static v => v == 7.0) : output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            int length = kernel.ManyRows ? 2 * n : n;
            Expect<ArgumentException>(length, length + 1, n, n, "output");
            if (kernel.HasWeight)
            {
                Expect<ArgumentException>(length, length, n + 1, n, "weight");
                Expect<ArgumentException>(length, length, n - 1, n, "weight");
            }

            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, n, 0, "rowLength");
                if (kernel.Width == 0)
                {
                    Expect<ArgumentException>(length + 1, length + 1, n, n, "input");
                }
                else
                {
                    Expect<ArgumentException>(2 * (n + 1), 2 * (n + 1), n + 1, n + 1, "rowLength");
                }
            }
            else if (kernel.Width != 0)
            {
                Expect<ArgumentException>(n + 1, n + 1, n + 1, n + 1, "input");
            }

            if (kernel.HasWeight)
            {
                // A weight that overlaps the output: later rows would read what earlier rows wrote.
                if (kernel.IsDouble)
                {
                    double[] shared = new double[length + n];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, new double[length], shared.AsSpan(length - 1, n), new double[n], shared.AsSpan(0, length), n));
                    Assert.Equal("weight", e.ParamName);
                }
                else
                {
                    float[] shared = new float[length + n];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, new float[length], shared.AsSpan(length - 1, n), new float[n], shared.AsSpan(0, length), n));
                    Assert.Equal("weight", e.ParamName);
                }
            }
        }
    }

    [Fact]
    public void SelectedPathIsTheDispatchersChoiceForEveryNormKernel()
    {
        // Every norm kernel emits every path here, so it must select what the softmax kernels select.
        KernelPath expected = KernelCatalog.Get("SoftmaxAutoF").Selected;
        Assert.All(NormCatalog.All, k => Assert.Equal(expected, k.Selected));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void UnsupportedPathsThrowPlatformNotSupported(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        foreach (string path in KernelCatalog.PathNames.Where(static p => !Harness.IsSupported(p)))
        {
            MethodInfo method = kernel.Paths[path];
            int n = kernel.Width != 0 ? kernel.Width : 4;
            Assert.Throws<PlatformNotSupportedException>(() =>
            {
                if (kernel.IsDouble)
                {
                    kernel.Run<double>(method, new double[n], new double[n], new double[n], new double[n], n);
                }
                else
                {
                    kernel.Run<float>(method, new float[n], new float[n], new float[n], new float[n], n);
                }
            });
        }
    }

    // ------------------------------------------------------------------ helpers

    internal static double Tolerance(NormInfo kernel) => kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance;

    /// <summary>
    /// One unit of docs/accuracy.md for an output: ε·(|γ|·(1 + |x̂|) + |β|) for LayerNorm (the mean's
    /// error is absolute in x̂), ε·|y| for RmsNorm (its errors are relative); ε = 2⁻²⁴ or 2⁻⁵³.
    /// </summary>
    internal static double Unit(NormInfo kernel, double expected, double normalized, double weight, double bias)
    {
        double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
        double floor = kernel.IsDouble ? double.Epsilon : Math.ScaleB(1, -149);
        double scale = kernel.IsLayer ? (Math.Abs(weight) * (1 + Math.Abs(normalized))) + Math.Abs(bias) : Math.Abs(expected);
        return Math.Max(epsilon * scale, floor);
    }

    internal static double[] Round(NormInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    internal static (double[] Weight, double[] Bias) Parameters(NormInfo kernel, int n, int seed)
    {
        var random = new Random(seed);
        double[] weight = kernel.HasWeight ? Round(kernel, Enumerable.Range(0, n).Select(i => i % 11 == 5 ? 0 : 1 + (0.5 * Inputs.Normal(random))).ToArray()) : Array.Empty<double>();
        double[] bias = kernel.HasBias ? Round(kernel, Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray()) : Array.Empty<double>();
        return (weight, bias);
    }

    internal static double[] MakeInput(string distribution, int length, int seed)
    {
        var random = new Random(seed);
        return distribution switch
        {
            "Mean1e4" => Enumerable.Range(0, length).Select(_ => 1e4 + Inputs.Normal(random)).ToArray(),
            "Constant" => Enumerable.Repeat(-3.3, length).ToArray(),
            "Leading1e4" => Enumerable.Range(0, length).Select(i => (i < 64 ? 1e4 : 0) + Inputs.Normal(random)).ToArray(),
            "Scaled1e15" => Enumerable.Range(0, length).Select(_ => 1e15 * Inputs.Normal(random)).ToArray(),
            _ => Inputs.Make(distribution, length, seed),
        };
    }

    internal static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(NormInfo kernel) =>
        Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    private static double[] NormOracleRow(NormInfo kernel, ReadOnlySpan<double> x, double[] weight, double[] bias) =>
        NormOracle.Expected(kernel, x, weight, bias).Y;

    private static void Check(NormInfo kernel, IEnumerable<(int Length, int RowLength)> shapes, IEnumerable<string> distributions)
    {
        double tolerance = Tolerance(kernel);
        var worstByPath = new Dictionary<string, double>();
        var failures = new List<string>();
        int seed = 1;
        foreach (string distribution in distributions)
        {
            // With ε = 0 a float row of subnormals has a variance that float cannot hold (documented: NaN or ∞).
            if (kernel.Epsilon == 0 && !kernel.IsDouble && distribution == "Subnormal")
            {
                continue;
            }

            foreach ((int length, int rowLength) in shapes)
            {
                int row = Math.Max(rowLength, 1);
                double[] x = Round(kernel, MakeInput(distribution, length, seed++));
                (double[] weight, double[] bias) = Parameters(kernel, rowLength, seed++);
                var expected = new List<(double[] Y, double[] Normalized)>();
                for (int start = 0; start < length; start += row)
                {
                    expected.Add(NormOracle.Expected(kernel, x.AsSpan(start, row), weight, bias));
                }

                foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                {
                    double[] y = Run(kernel, method, x, weight, bias, row);
                    (double units, int index) = Worst(kernel, expected, weight, bias, y, row);
                    worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), units);
                    if (!(units <= tolerance) && failures.Count < 20)
                    {
                        failures.Add($"{path} {distribution} n={length} row={rowLength}: {units:G4} units at [{index}] (x={x[index]:R}, y={y[index]:R}, expected {expected[index / row].Y[index % row]:R})");
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ outputs beyond {tolerance} units:\n" + string.Join("\n", failures));
    }

    private static (double Units, int Index) Worst(NormInfo kernel, double[] x, double[] weight, double[] bias, double[] y, int row)
    {
        var expected = new List<(double[] Y, double[] Normalized)>();
        for (int start = 0; start < x.Length; start += row)
        {
            expected.Add(NormOracle.Expected(kernel, x.AsSpan(start, row), weight, bias));
        }

        return Worst(kernel, expected, weight, bias, y, row);
    }

    private static (double Units, int Index) Worst(NormInfo kernel, List<(double[] Y, double[] Normalized)> expected, double[] weight, double[] bias, double[] y, int row)
    {
        double worst = 0;
        int where = -1;
        for (int i = 0; i < y.Length; i++)
        {
            (double[] ey, double[] normalized) = expected[i / row];
            double r = ey[i % row];
            double units = double.IsNaN(r) && double.IsNaN(y[i]) ? 0
                : r == y[i] ? 0
                : Math.Abs(y[i] - r) / Unit(kernel, r, normalized[i % row], weight.Length == 0 ? 1 : weight[i % row], bias.Length == 0 ? 0 : bias[i % row]);
            if (!(units <= worst))
            {
                worst = units;
                where = i;
                if (double.IsNaN(units))
                {
                    return (double.PositiveInfinity, where);
                }
            }
        }

        return (worst, where);
    }

    private static double[] Run(NormInfo kernel, MethodInfo method, double[] x, double[] weight, double[] bias, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, weight, bias, buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }
        else
        {
            var buffer = new float[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678f);
            kernel.Run<float>(method, ToFloat(x), ToFloat(weight), ToFloat(bias), buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
        }
    }

    private static double[] RunInPlace(NormInfo kernel, MethodInfo method, double[] x, double[] weight, double[] bias, int rowLength)
    {
        if (kernel.IsDouble)
        {
            double[] data = (double[])x.Clone();
            kernel.Run<double>(method, data, weight, bias, data, rowLength);
            return data;
        }

        float[] floats = ToFloat(x);
        kernel.Run<float>(method, floats, ToFloat(weight), ToFloat(bias), floats, rowLength);
        return floats.Select(static v => (double)v).ToArray();
    }

    private static float[] ToFloat(double[] values) => values.Select(static v => (float)v).ToArray();
}
