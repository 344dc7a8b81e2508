using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The backward normalization kernels (Backward = true): every path (and the dispatcher) against the
/// generated Reference in the units of docs/accuracy.md; the double References against central finite
/// differences of the forward References; and the run-time behaviour of docs/attributes.md, "Backward"
/// (accumulation into dγ and dβ, dx in place of dy, argument checks that write nothing, rows of one,
/// constant rows, ε = 0).
/// </summary>
public class NormBackwardTests
{
    private const int Guard = 16;
    private const double Sentinel = 12345.678;

    /// <summary>The input families of the equivalence checks.</summary>
    public static readonly string[] Distributions = { "Normal", "Uniform100", "Mean1e4", "Wide1e4", "Outlier", "Constant", "SignedZeros", "Subnormal", "Scaled1e15", "Leading1e4" };

    public static IEnumerable<object[]> OneRowKernels => NormBackwardCatalog.Names(static k => !k.ManyRows);

    public static IEnumerable<object[]> ManyRowKernels => NormBackwardCatalog.Names(static k => k.ManyRows);

    public static IEnumerable<object[]> AllKernels => NormBackwardCatalog.Names();

    public static IEnumerable<object[]> LayerKernels => NormBackwardCatalog.Names(static k => k.IsLayer);

    public static IEnumerable<object[]> DoubleKernelsWithForward => NormBackwardCatalog.Names(static k => k.Partner is not null);

    private static string[] CheckedDistributions => Inputs.SmallScale ? new[] { "Normal", "Mean1e4", "Outlier", "Constant", "Leading1e4" } : Distributions;

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesReferenceOnEveryPath(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
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

        Check(kernel, lengths.Select(static n => (n, n)));
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelMatchesReferenceOnEveryPath(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 17, 64, 100, 1000 };
        int[] rowCounts = { 0, 1, 2, 5 };
        Check(kernel, rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r))));
    }

    [Theory]
    [MemberData(nameof(DoubleKernelsWithForward))]
    public void ReferenceMatchesFiniteDifferencesOfTheForwardReference(string name)
    {
        // L = Σ dy ⊙ y(x, γ, β) with the forward Reference in double; ∂L/∂x_i ≈ (L(x + h e_i) − L(x − h e_i))/(2h)
        // (the step taken as the difference of the two perturbed values, which double holds exactly).
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        NormInfo forward = kernel.Partner!;
        MethodInfo forwardReference = forward.Paths["Reference"];
        MethodInfo backwardReference = kernel.Forward.Paths["Reference"];
        int[] lengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 7, 17, 64 };
        string[] distributions = kernel.Epsilon == 0 ? new[] { "Normal", "Uniform100", "Mean1e4" } : new[] { "Normal", "Uniform100", "Mean1e4", "Constant" };
        var worst = new Dictionary<string, double> { ["dx"] = 0, ["dγ"] = 0, ["dβ"] = 0 };
        int seed = 500;
        foreach (string distribution in distributions)
        {
            foreach (int n in lengths)
            {
                double[] x = NormTests.MakeInput(distribution, n, seed++);
                (double[] weight, double[] bias) = NormTests.Parameters(kernel.Forward, n, seed++);
                double[] dy = Gradient(kernel, n, seed++);
                double Loss(double[] xs, double[] ws, double[] bs)
                {
                    double[] y = new double[n];
                    forward.Run<double>(forwardReference, xs, ws, bs, y, n);
                    double total = 0;
                    for (int i = 0; i < n; i++)
                    {
                        total += dy[i] * y[i];
                    }

                    return total;
                }

                (double[] dx, double[] dw, double[] db) = Run(kernel, backwardReference, x, weight, dy, n, null, null);
                if (n == 1 && kernel.IsLayer && kernel.Epsilon == 0)
                {
                    continue; // σ = 0 and ε = 0: NaN (ConstantRowsAndRowsOfOne checks it).
                }

                // The step follows the scale on which y bends: sqrt(σ² + ε) (LayerNorm), sqrt(mean(x²) + ε) (the others), so
                // that a constant row (where only ε keeps 1/σ finite) is not stepped past its curvature.
                double spread = kernel.IsLayer ? Math.Sqrt((StandardDeviation(x) * StandardDeviation(x)) + kernel.Epsilon) : Math.Sqrt((x.Sum(static v => v * v) / n) + kernel.Epsilon);
                double stepX = 1e-5 * (spread > 0 ? spread : 1);
                Compare("dx", dx, Differences(x, i => stepX, v => Loss(v, weight, bias)));
                if (kernel.HasWeight)
                {
                    Compare("dγ", dw, Differences(weight, j => 1e-5 * Math.Max(1, Math.Abs(weight[j])), v => Loss(x, v, bias)));
                }

                if (kernel.HasBias)
                {
                    Compare("dβ", db, Differences(bias, _ => 1e-5, v => Loss(x, weight, v)));
                }

                void Compare(string what, double[] analytic, double[] numeric)
                {
                    double scale = Math.Max(analytic.Max(static v => Math.Abs(v)), 1e-3);
                    double error = analytic.Zip(numeric, static (a, b) => Math.Abs(a - b)).Max() / scale;
                    worst[what] = Math.Max(worst[what], error);
                    Assert.True(error <= 1e-6, $"{name} {distribution} n={n}: {what} differs from the finite differences by {error:G3} of its largest element\nanalytic {string.Join(", ", analytic.Take(8))}\nnumeric  {string.Join(", ", numeric.Take(8))}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worst.Select(static p => $"{p.Key} {p.Value:G3}")));
    }

    [Theory]
    [MemberData(nameof(LayerKernels))]
    public void LargeMeanGivesTheGradientsOfZeroMean(string name)
    {
        // A row with mean 1e4 and variance 1 against the same deviations about 0 (x − 1e4 is exact in float for
        // these values): x̂ is the same, so dx, dγ and dβ must agree to 2 × the tolerance, on every path.
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 1000;
        int length = kernel.ManyRows ? 2 * n : n;
        var random = new Random(41);
        double[] shifted = Round(kernel, Enumerable.Range(0, length).Select(_ => 1e4 + Inputs.Normal(random)).ToArray());
        double[] centered = shifted.Select(static v => v - 1e4).ToArray();
        (double[] weight, _) = NormTests.Parameters(kernel.Forward, n, 42);
        double[] dy = Gradient(kernel, length, 43);
        (double[] dxScale, double[] dwScale, double[] dbScale) = Scales(kernel, centered, weight, dy, n);
        double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
        double tolerance = 2 * (kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward))
        {
            (double[] ax, double[] aw, double[] ab) = Run(kernel, method, shifted, weight, dy, n, null, null);
            (double[] bx, double[] bw, double[] bb) = Run(kernel, method, centered, weight, dy, n, null, null);
            foreach ((string what, double[] a, double[] b, double[] scale) in new[] { ("dx", ax, bx, dxScale), ("dγ", aw, bw, dwScale), ("dβ", ab, bb, dbScale) })
            {
                double worst = Enumerable.Range(0, a.Length).Select(i => Math.Abs(a[i] - b[i]) / (epsilon * scale[i])).DefaultIfEmpty(0).Max();
                Assert.True(worst <= tolerance, $"{path}: {what} of the mean-1e4 rows differs from the mean-0 rows by {worst:G4} units");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ParameterGradientsAccumulate(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * n : n;
        double[] x = Round(kernel, NormTests.MakeInput("Normal", length, 31));
        (double[] weight, _) = NormTests.Parameters(kernel.Forward, n, 32);
        double[] dy = Gradient(kernel, length, 33);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward))
        {
            (double[] dx1, double[] dw1, double[] db1) = Run(kernel, method, x, weight, dy, n, null, null);

            // Twice into the same dγ, dβ: twice the contribution (one rounding per row each time); dx is overwritten.
            double[] dw = (double[])dw1.Clone(), db = (double[])db1.Clone();
            (double[] dx2, double[] dw2, double[] db2) = Run(kernel, method, x, weight, dy, n, dw, db);
            Assert.Equal(dx1, dx2);
            // Each call rounds once per row: within 2·(rows + 1) units of the terms' magnitudes (Scales) of twice the first.
            double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
            int rows = length / n;
            (_, double[] dwScale, double[] dbScale) = Scales(kernel, x, weight, dy, n);
            for (int j = 0; j < dw1.Length; j++)
            {
                Assert.True(Math.Abs(dw2[j] - (2 * dw1[j])) <= 4 * (rows + 1) * epsilon * dwScale[j], $"{path}: dγ[{j}] = {dw2[j]:R} after two calls, once {dw1[j]:R}");
            }

            for (int j = 0; j < db1.Length; j++)
            {
                Assert.True(Math.Abs(db2[j] - (2 * db1[j])) <= 4 * (rows + 1) * epsilon * dbScale[j], $"{path}: dβ[{j}] = {db2[j]:R} after two calls, once {db1[j]:R}");
            }

            // A dγ that starts at 1.5: 1.5 + the contribution.
            if (kernel.HasWeight)
            {
                double[] start = Enumerable.Repeat(1.5, n).ToArray();
                (_, double[] dw3, _) = Run(kernel, method, x, weight, dy, n, start, null);
                for (int j = 0; j < n; j++)
                {
                    Assert.True(Math.Abs(dw3[j] - (1.5 + dw1[j])) <= 2 * (rows + 1) * epsilon * (1.5 + dwScale[j]), $"{path}: dγ[{j}] from 1.5 is {dw3[j]:R}, contribution {dw1[j]:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InputGradientInPlaceOfOutputGradient(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * n : n;
        double[] x = Round(kernel, NormTests.MakeInput("Normal", length, 34));
        (double[] weight, _) = NormTests.Parameters(kernel.Forward, n, 35);
        double[] dy = Gradient(kernel, length, 36);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward))
        {
            (double[] dx, double[] dw, double[] db) = Run(kernel, method, x, weight, dy, n, null, null);
            (double[] dxInPlace, double[] dwInPlace, double[] dbInPlace) = RunInPlace(kernel, method, x, weight, dy, n);
            Assert.Equal(dx, dxInPlace);
            Assert.Equal(dw, dwInPlace);
            Assert.Equal(db, dbInPlace);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ConstantRowsAndRowsOfOne(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        int rows = kernel.ManyRows ? 2 : 1;
        double[] constant = Enumerable.Repeat(kernel.IsDouble ? 0.1 : (double)0.1f, rows * n).ToArray();
        (double[] weight, _) = NormTests.Parameters(kernel.Forward, n, 37);
        double[] dy = Gradient(kernel, rows * n, 38);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward))
        {
            (double[] dx, double[] dw, double[] db) = Run(kernel, method, constant, weight, dy, n, null, null);
            if (kernel.IsLayer && kernel.Epsilon == 0)
            {
                // σ = 0 and ε = 0: x̂ = 0·∞, NaN (as the forward kernel).
                Assert.All(dx, v => Assert.True(double.IsNaN(v), $"{path}: ε = 0 and a constant row give NaN"));
            }
            else if (kernel.IsLayer)
            {
                // x − μ is exactly 0: x̂ = 0, so dγ gets exactly 0 and dβ gets Σ dy; dx = (g − mean(g))/sqrt(ε) (checked against Reference elsewhere).
                Assert.All(dw, v => Assert.True(v == 0, $"{path}: dγ of a constant row is {v:R}"));
                for (int j = 0; j < db.Length; j++)
                {
                    double expected = Enumerable.Range(0, rows).Sum(r => dy[(r * n) + j]);
                    Assert.True(Math.Abs(db[j] - expected) <= 4 * Math.Abs(expected) * (kernel.IsDouble ? 1e-16 : 1e-7), $"{path}: dβ[{j}] = {db[j]:R}, Σ dy = {expected:R}");
                }
            }

            if (!kernel.IsLayer && kernel.Epsilon == 0)
            {
                // A row of zeros and ε = 0: 1/0 scales, NaN (as the forward kernel).
                (double[] zeroDx, _, _) = Run(kernel, method, new double[rows * n], weight, dy, n, null, null);
                Assert.All(zeroDx, v => Assert.True(double.IsNaN(v), $"{path}: ε = 0 and a zero row give NaN, got {v:R}"));
            }
        }

        if (kernel.IsLayer && kernel.Width is 0 or 1)
        {
            // Rows of one element: x̂ = 0 and g − mean(g) = 0, so the Reference gives dx = 0 exactly and dγ = 0; dβ = dy.
            double[] x = Round(kernel, new[] { 3.5, -2.25, 1e4, 0.0 });
            double[] gradient = Gradient(kernel, 4, 39);
            (double[] w1, _) = NormTests.Parameters(kernel.Forward, 1, 40);
            int count = kernel.ManyRows ? 4 : 1;
            (double[] dx, double[] dw, double[] db) = Run(kernel, kernel.Forward.Paths["Reference"], x.Take(count).ToArray(), w1, gradient.Take(count).ToArray(), 1, null, null);
            Assert.All(dx, v => Assert.True(kernel.Epsilon == 0 ? double.IsNaN(v) : v == 0, $"Reference: dx of a row of one is {v:R}"));
            if (kernel.Epsilon != 0)
            {
                Assert.All(dw, v => Assert.Equal(0.0, v));
            }
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void NaNAndInfinityStayInTheirRow(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        double[] clean = Round(kernel, NormTests.MakeInput("Normal", 3 * n, 44));
        double[] x = (double[])clean.Clone();
        x[n + (n / 2)] = double.NaN;
        x[(2 * n) + (n / 3)] = double.PositiveInfinity;
        (double[] weight, _) = NormTests.Parameters(kernel.Forward, n, 45);
        double[] dy = Gradient(kernel, 3 * n, 46);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward))
        {
            (double[] expected, _, _) = Run(kernel, method, clean, weight, dy, n, null, null);
            (double[] dx, double[] dw, double[] db) = Run(kernel, method, x, weight, dy, n, null, null);
            Assert.Equal(expected.Take(n), dx.Take(n));
            Assert.All(dx.Skip(n), v => Assert.True(double.IsNaN(v), $"{path}: a NaN or ∞ leaves its row's dx NaN, got {v:R}"));
            Assert.All(db, v => Assert.False(double.IsNaN(v), $"{path}: dβ += dy stays finite"));
            if (kernel.HasWeight)
            {
                Assert.All(kernel.IsLayer ? dw : new[] { dw[n / 2], dw[n / 3] }, v => Assert.True(double.IsNaN(v), $"{path}: dγ where x̂ is NaN"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        int length = kernel.ManyRows ? 2 * n : n;
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward))
        {
            // Lengths: (x, γ, dy, dx, dγ, dβ, rowLength) and the parameter the exception must name.
            void Expect<TException>(int x, int w, int dy, int dx, int dw, int db, int rowLength, string parameter)
                where TException : ArgumentException
            {
                double[] dxs = Enumerable.Repeat(7.0, dx).ToArray(), dws = Enumerable.Repeat(7.0, dw).ToArray(), dbs = Enumerable.Repeat(7.0, db).ToArray();
                TException e = Assert.Throws<TException>(() => Call(kernel, method, new double[x], new double[w], new double[dy], dxs, dws, dbs, rowLength));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(dxs.Concat(dws).Concat(dbs).All(static v => v == 7.0), $"{path} wrote to an output of a rejected call");
            }

            Expect<ArgumentException>(length, n, length, length + 1, n, n, n, "inputGradient");
            Expect<ArgumentException>(length, n, length - 1, length, n, n, n, "outputGradient");
            if (kernel.HasWeight)
            {
                Expect<ArgumentException>(length, n + 1, length, length, n, n, n, "weight");
                Expect<ArgumentException>(length, n, length, length, n - 1, n, n, "weightGradient");
            }

            if (kernel.HasBias)
            {
                Expect<ArgumentException>(length, n, length, length, n, n + 1, n, "biasGradient");
            }

            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, n, length, length, n, n, 0, "rowLength");
            }

            // Overlaps: dx partly over dy, dx over x, dγ over dy, dβ over dγ, dγ over γ.
            ExpectOverlap(kernel, method, length, n, "partial", "inputGradient");
            ExpectOverlap(kernel, method, length, n, "input", "inputGradient");
            if (kernel.HasWeight)
            {
                ExpectOverlap(kernel, method, length, n, "weightGradientOverOutputGradient", "weightGradient");
                ExpectOverlap(kernel, method, length, n, "weightGradientOverWeight", "weightGradient");
            }

            if (kernel.HasBias)
            {
                ExpectOverlap(kernel, method, length, n, "biasGradientOverWeightGradient", "biasGradient");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void SelectedIsTheDispatchersChoiceAndMissingPathsThrow(string name)
    {
        NormBackwardInfo kernel = NormBackwardCatalog.Get(name);
        Assert.Equal(KernelCatalog.Get("SoftmaxAutoF").Selected, kernel.Forward.Selected);
        int n = kernel.Width != 0 ? kernel.Width : 4;
        foreach (string path in KernelCatalog.PathNames.Where(static p => !Harness.IsSupported(p)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => Call(kernel, kernel.Forward.Paths[path], new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], n));
        }
    }

    // ------------------------------------------------------------------ the equivalence check

    private static void Check(NormBackwardInfo kernel, IEnumerable<(int Length, int RowLength)> shapes)
    {
        double tolerance = kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance;
        var worst = new Dictionary<string, double>();
        var failures = new List<string>();
        int seed = 1;
        List<(int Length, int RowLength)> all = shapes.ToList();
        foreach (string distribution in CheckedDistributions)
        {
            if (kernel.Epsilon == 0 && distribution == "Subnormal")
            {
                continue;
            }

            foreach ((int length, int rowLength) in all)
            {
                int row = Math.Max(rowLength, 1);
                double[] x = Round(kernel, NormTests.MakeInput(distribution, length, seed++));
                (double[] weight, _) = NormTests.Parameters(kernel.Forward, rowLength, seed++);
                double[] dy = Gradient(kernel, length, seed++);
                (double[] dxScale, double[] dwScale, double[] dbScale) = Scales(kernel, x, weight, dy, row);
                (double[] rx, double[] rw, double[] rb) = Run(kernel, kernel.Forward.Paths["Reference"], x, weight, dy, row, null, null);
                foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel.Forward).Where(static p => p.Name != "Reference"))
                {
                    (double[] dx, double[] dw, double[] db) = Run(kernel, method, x, weight, dy, row, null, null);
                    Measure(path + " dx", dx, rx, dxScale);
                    Measure(path + " dγ", dw, rw, dwScale);
                    Measure(path + " dβ", db, rb, dbScale);
                }

                void Measure(string what, double[] actual, double[] expected, double[] scale)
                {
                    double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
                    double floor = kernel.IsDouble ? double.Epsilon : Math.ScaleB(1, -149);
                    for (int i = 0; i < actual.Length; i++)
                    {
                        double units = double.IsNaN(actual[i]) && double.IsNaN(expected[i]) ? 0
                            : actual[i] == expected[i] ? 0
                            : Math.Abs(actual[i] - expected[i]) / Math.Max(epsilon * scale[i], floor);
                        if (double.IsNaN(units))
                        {
                            units = double.PositiveInfinity;
                        }

                        worst[what] = Math.Max(worst.GetValueOrDefault(what), units);
                        if (!(units <= tolerance) && failures.Count < 20)
                        {
                            failures.Add($"{what} {distribution} n={length} row={rowLength}: {units:G4} units at [{i}] ({actual[i]:R}, Reference {expected[i]:R})");
                        }
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worst.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ gradients beyond {tolerance} units:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// The size of each gradient's rounding errors, in the units of docs/accuracy.md (one unit = ε times this):
    /// dx_i: (1/σ)·(|g_i| + (1 + |x̂_i|)·mean(|g|·(1 + |x̂|))) for LayerNorm (the mean's error is absolute in x̂),
    /// r·(|g_i| + |x̂_i|·mean|g·x̂|) for RmsNorm, s·(|g_i| + |ŷ_i|·Σ|g·ŷ|) for L2Normalize;
    /// dγ_j: Σ over rows of |dy|·(1 + |x̂|) (LayerNorm) or |dy·x̂|; dβ_j: Σ over rows of |dy|.
    /// </summary>
    private static (double[] Dx, double[] Dw, double[] Db) Scales(NormBackwardInfo kernel, double[] x, double[] weight, double[] dy, int row)
    {
        var dx = new double[x.Length];
        var dw = new double[kernel.HasWeight ? weight.Length : 0];
        var db = new double[kernel.HasBias ? weight.Length : 0];
        for (int start = 0; start + row <= x.Length; start += row)
        {
            double[] xs = x.AsSpan(start, row).ToArray();
            double scale, shift;
            if (kernel.IsLayer)
            {
                double mean = xs.Average();
                double variance = xs.Sum(v => (v - mean) * (v - mean)) / row;
                scale = 1 / Math.Sqrt(variance + kernel.Epsilon);
                shift = mean;
            }
            else
            {
                double squares = xs.Sum(static v => v * v);
                scale = kernel.IsL2 ? 1 / Math.Max(Math.Sqrt(squares), kernel.Epsilon) : 1 / Math.Sqrt((squares / row) + kernel.Epsilon);
                shift = 0;
            }

            var normalized = xs.Select(v => (v - shift) * scale).ToArray();
            var g = Enumerable.Range(0, row).Select(i => Math.Abs(dy[start + i] * (kernel.HasWeight ? weight[i] + kernel.WeightOffset : 1))).ToArray();
            double spread = kernel.IsLayer ? Enumerable.Range(0, row).Sum(i => g[i] * (1 + Math.Abs(normalized[i]))) / row
                : Enumerable.Range(0, row).Sum(i => g[i] * Math.Abs(normalized[i])) / (kernel.IsL2 ? 1 : row);
            for (int i = 0; i < row; i++)
            {
                dx[start + i] = scale * (g[i] + ((kernel.IsLayer ? 1 + Math.Abs(normalized[i]) : Math.Abs(normalized[i])) * spread));
                if (kernel.HasWeight)
                {
                    dw[i] += Math.Abs(dy[start + i]) * (kernel.IsLayer ? 1 + Math.Abs(normalized[i]) : Math.Abs(normalized[i]));
                }

                if (kernel.HasBias)
                {
                    db[i] += Math.Abs(dy[start + i]);
                }
            }
        }

        return (dx, dw, db);
    }

    // ------------------------------------------------------------------ running

    private static double[] Round(NormBackwardInfo kernel, double[] values) => NormTests.Round(kernel.Forward, values);

    private static double[] Gradient(NormBackwardInfo kernel, int length, int seed)
    {
        var random = new Random(seed);
        return Round(kernel, Enumerable.Range(0, length).Select(_ => Inputs.Normal(random)).ToArray());
    }

    private static double[] Differences(double[] values, Func<int, double> step, Func<double[], double> loss)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double[] up = (double[])values.Clone(), down = (double[])values.Clone();
            double h = step(i);
            up[i] += h;
            down[i] -= h;
            result[i] = (loss(up) - loss(down)) / (up[i] - down[i]);
        }

        return result;
    }

    private static double StandardDeviation(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
    }

    /// <summary>Runs into guarded buffers (dγ and dβ start at the given values, or 0); fails if anything outside them was written.</summary>
    private static (double[] Dx, double[] Dw, double[] Db) Run(NormBackwardInfo kernel, MethodInfo method, double[] x, double[] weight, double[] dy, int rowLength, double[]? dwStart, double[]? dbStart)
    {
        int columns = kernel.HasWeight ? weight.Length : 0;
        double[] dx = Guarded(x.Length, null);
        double[] dw = Guarded(columns, kernel.HasWeight ? dwStart : null);
        double[] db = Guarded(kernel.HasBias ? columns : 0, kernel.HasBias ? dbStart : null);
        Call(kernel, method, x, weight, dy, dx.AsSpan(Guard, x.Length), dw.AsSpan(Guard, dw.Length - (2 * Guard)), db.AsSpan(Guard, db.Length - (2 * Guard)), rowLength, guarded: (dx, dw, db));
        foreach (double[] buffer in new[] { dx, dw, db })
        {
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(buffer.Length - Guard)).All(static v => v == Sentinel), $"{kernel.Name}.{method.Name} wrote outside its outputs");
        }

        return (dx.AsSpan(Guard, x.Length).ToArray(), dw.AsSpan(Guard, dw.Length - (2 * Guard)).ToArray(), db.AsSpan(Guard, db.Length - (2 * Guard)).ToArray());

        static double[] Guarded(int length, double[]? start)
        {
            var buffer = new double[length + (2 * Guard)];
            Array.Fill(buffer, Sentinel);
            if (start is not null)
            {
                start.CopyTo(buffer, Guard);
            }
            else
            {
                Array.Clear(buffer, Guard, length);
            }

            return buffer;
        }
    }

    private static (double[] Dx, double[] Dw, double[] Db) RunInPlace(NormBackwardInfo kernel, MethodInfo method, double[] x, double[] weight, double[] dy, int rowLength)
    {
        double[] shared = (double[])dy.Clone();
        double[] dw = new double[kernel.HasWeight ? weight.Length : 0];
        double[] db = new double[kernel.HasBias ? weight.Length : 0];
        Call(kernel, method, x, weight, shared, shared, dw, db, rowLength, inPlace: true);
        return (shared, dw, db);
    }

    /// <summary>
    /// Calls a kernel on double data, converting to float and back for float kernels (every written span is
    /// copied back; with <paramref name="inPlace"/>, dy and dx are one float buffer).
    /// </summary>
    private static void Call(NormBackwardInfo kernel, MethodInfo method, double[] x, double[] weight, double[] dy, Span<double> dx, Span<double> dw, Span<double> db, int rowLength, bool inPlace = false, (double[], double[], double[])? guarded = null)
    {
        if (kernel.IsDouble)
        {
            kernel.Run<double>(method, x, weight, inPlace ? dx : dy, dx, dw, db, rowLength);
            return;
        }

        // Float: guarded buffers are converted whole (sentinels included) so a write outside shows after the copy back.
        float[] F(ReadOnlySpan<double> v) => v.ToArray().Select(static e => (float)e).ToArray();
        if (guarded is { } g)
        {
            float[] fdx = F(g.Item1), fdw = F(g.Item2), fdb = F(g.Item3);
            kernel.Run<float>(method, F(x), F(weight), F(dy), fdx.AsSpan(Guard, dx.Length), fdw.AsSpan(Guard, dw.Length), fdb.AsSpan(Guard, db.Length), rowLength);
            Back(fdx, g.Item1);
            Back(fdw, g.Item2);
            Back(fdb, g.Item3);
            return;
        }

        // Copied back even when the call throws, so that a rejected call that wrote something shows.
        float[] sx = F(dx), sw = F(dw), sb = F(db);
        try
        {
            kernel.Run<float>(method, F(x), F(weight), inPlace ? sx : F(dy), sx, sw, sb, rowLength);
        }
        finally
        {
            Back(sx, dx);
            Back(sw, dw);
            Back(sb, db);
        }

        static void Back(float[] source, Span<double> destination)
        {
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = source[i] == (float)Sentinel ? Sentinel : source[i];
            }
        }
    }

    /// <summary>Builds one overlapping call from a shared buffer and expects an ArgumentException naming <paramref name="parameter"/>.</summary>
    private static void ExpectOverlap(NormBackwardInfo kernel, MethodInfo method, int length, int n, string kind, string parameter)
    {
        if (kernel.IsDouble)
        {
            ExpectOverlap<double>(kernel, method, length, n, kind, parameter, 7.0);
        }
        else
        {
            ExpectOverlap<float>(kernel, method, length, n, kind, parameter, 7f);
        }
    }

    private static void ExpectOverlap<T>(NormBackwardInfo kernel, MethodInfo method, int length, int n, string kind, string parameter, T fill)
        where T : struct, IEquatable<T>
    {
        T[] pool = Enumerable.Repeat(fill, (4 * length) + (4 * n) + 8).ToArray();
        T[] x = new T[length], w = new T[n], dy = new T[length], dx = Enumerable.Repeat(fill, length).ToArray(), dw = Enumerable.Repeat(fill, n).ToArray(), db = Enumerable.Repeat(fill, n).ToArray();
        ArgumentException e;
        switch (kind)
        {
            case "partial":
                e = Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, x, w, pool.AsSpan(0, length), pool.AsSpan(1, length), dw, db, n));
                break;
            case "input":
                e = Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, pool.AsSpan(0, length), w, dy, pool.AsSpan(0, length), dw, db, n));
                break;
            case "weightGradientOverOutputGradient":
                e = Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, x, w, pool.AsSpan(0, length), dx, pool.AsSpan(length - 1, n), db, n));
                break;
            case "weightGradientOverWeight":
                e = Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, x, pool.AsSpan(0, n), dy, dx, pool.AsSpan(0, n), db, n));
                break;
            default:
                e = Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, x, w, dy, dx, pool.AsSpan(0, n), pool.AsSpan(n - 1, n), n));
                break;
        }

        Assert.Equal(parameter, e.ParamName);
        Assert.True(pool.All(v => v.Equals(fill)) && dx.All(v => v.Equals(fill)) && dw.All(v => v.Equals(fill)) && db.All(v => v.Equals(fill)), $"{method.Name} wrote during a rejected call ({kind})");
    }
}
