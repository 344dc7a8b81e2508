using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The losses of row statistics ([SphericalZLoss], [MultiMarginLoss]): every path against its Reference (in the units of
/// docs/accuracy.md), the Reference against the papers' and PyTorch's formulas written here, its gradient against central
/// differences, the edge cases of <see cref="LossTests"/>, and each loss's own (shift and scale invariance, a constant row,
/// the hinge at exactly 0, Crammer–Singer ties).
/// </summary>
public class RowLossTests
{
    public static IEnumerable<object[]> AllKernels => LossCatalog.RowLosses.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> GradientKernels => LossCatalog.RowLosses.Where(static k => k.HasGradient).Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> ManyRowKernels => LossCatalog.RowLosses.Where(static k => k.ManyRows).Select(static k => new object[] { k.Name });

    // −∞ scores make μ and σ undefined: the Z-loss is tested on them on its own.
    private static string[] DistributionsOf(LossInfo kernel) => kernel.Kind == "SphericalZ"
        ? new[] { "Normal4", "Uniform100", "Outlier", "Near1e4" }
        : LossTests.Distributions;

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        MethodInfo reference = kernel.Paths["Reference"];
        var worstLoss = new SortedDictionary<string, double>();
        var worstGradient = new SortedDictionary<string, double>();
        int seed = 1;
        double u = LossTests.Unit(kernel);
        foreach (int classes in LossTests.ClassCounts(kernel))
        {
            int[] rowCounts = !kernel.ManyRows ? new[] { 1 } : classes <= 300 ? new[] { 0, 1, 3, 17 } : new[] { 3 };
            foreach (int rows in rowCounts)
            {
                foreach (string distribution in DistributionsOf(kernel))
                {
                    (double[] logits, int[] targets) = LossTests.Make(kernel, distribution, rows, classes, seed++);
                    LossResult expected = kernel.Run(reference, logits, targets);
                    double magnitude = Math.Max(1, logits.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                    double weight = kernel.ClassWeights ? LossInfo.ClassWeightsFor(classes).Max() : 1;
                    int counted = kernel.ManyRows ? targets.Count(t => t != kernel.IgnoreIndex) : 1;
                    double scale = kernel.Reduction == LossReduction.Mean && counted > 0 ? 1.0 / counted : 1;
                    double rowsFactor = kernel.Reduction == LossReduction.Sum ? Math.Max(1, counted) : 1;

                    // Z-loss: z is known to u·(1 + √K) (μ and σ to a few units), the loss moves by at most as much (|dℓ/dz| ≤ 1).
                    // Hinges: each h = (z_k − z_y) + m to u·(|m| + 2·max|z|), its square to twice that times the hinge.
                    double hinge = 1 + Math.Abs(kernel.Parameter1) + (2 * magnitude);
                    double perRow = kernel.Kind == "SphericalZ" ? 1 + Math.Sqrt(classes) : weight * hinge * (kernel.Parameter2 == 2 ? 2 * hinge : 1);
                    foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
                    {
                        LossResult actual = kernel.Run(method, logits, targets);
                        string where = $"{name}.{path}, {rows}×{classes} {distribution}";
                        double lossUnits = LossTests.AssertClose(expected.Loss, actual.Loss, u * ((perRow * rowsFactor) + (double.IsFinite(expected.Loss) ? Math.Abs(expected.Loss) : 0)), where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, LossTests.AssertClose(expected.Losses[i], actual.Losses[i], u * (perRow + Math.Abs(expected.Losses[i])), $"{where}, losses[{i}]"));
                        }

                        double gradientUnits = 0;
                        for (int r = 0; r < (kernel.HasGradient ? Math.Max(rows, kernel.ManyRows ? 0 : 1) : 0); r++)
                        {
                            // The Z-loss gradient in units of its row's largest element; the hinges' in units of one hinge's.
                            if (kernel.ManyRows && targets[r] == kernel.IgnoreIndex)
                            {
                                continue;
                            }

                            // Z-loss: g_k = s/(Kσ)·(1 + z_c·z_k) − [k = c]·s/σ, each term known to a few units of its size (s ≤ 1).
                            double unit = kernel.Kind == "SphericalZ" ? u * scale * ZGradientSize(LossTests.Rounded(kernel, logits).AsSpan(r * classes, classes), targets[r]) : u * scale * weight * (kernel.Parameter2 == 2 ? 2 * hinge : 1);
                            for (int i = r * classes; i < (r + 1) * classes; i++)
                            {
                                gradientUnits = Math.Max(gradientUnits, LossTests.AssertClose(expected.Gradient[i], actual.Gradient[i], unit, $"{where}, gradient[{i}]"));
                            }
                        }

                        worstLoss[path] = Math.Max(worstLoss.GetValueOrDefault(path), lossUnits);
                        worstGradient[path] = Math.Max(worstGradient.GetValueOrDefault(path), gradientUnits);
                    }
                }
            }
        }

        string gradients = kernel.HasGradient ? "; gradient: " + string.Join(", ", worstGradient.Select(static p => $"{p.Key} {p.Value:F2}")) : string.Empty;
        TestContext.Current.TestOutputHelper?.WriteLine("loss: " + string.Join(", ", worstLoss.Select(static p => $"{p.Key} {p.Value:F2}")) + gradients);
    }

    // (1/σ)·(2 + |z_c|·max|z_k|/K): the size of the Z-loss gradient's terms in a row, per unit of s·scale.
    private static double ZGradientSize(ReadOnlySpan<double> row, int target)
    {
        double[] o = row.ToArray();
        double mu = o.Average(), sigma = Math.Sqrt(o.Select(v => (v - mu) * (v - mu)).Average());
        double zc = Math.Abs(o[target] - mu) / sigma, zk = o.Select(v => Math.Abs(v - mu) / sigma).Max();
        double size = (2 + (zc * zk / o.Length)) / sigma;
        return double.IsFinite(size) ? size : 1;
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesTheFormula(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        int seed = 100;
        foreach (int classes in LossTests.ClassCounts(kernel).Where(static k => k <= 1000 && k > 1))
        {
            foreach (string distribution in DistributionsOf(kernel))
            {
                int rows = kernel.ManyRows ? 9 : 1;
                (double[] logits, int[] targets) = LossTests.Make(kernel, distribution, rows, classes, seed++);
                double[] x = LossTests.Rounded(kernel, logits);
                double[] w = LossTests.Rounded(kernel, LossInfo.ClassWeightsFor(classes));
                LossResult actual = kernel.Run(kernel.Paths["Reference"], logits, targets);
                double[] losses = Enumerable.Range(0, rows).Select(r => targets[r] == kernel.IgnoreIndex ? 0 : Formula(kernel, x.AsSpan(r * classes, classes), targets[r], w)).ToArray();
                int counted = Enumerable.Range(0, rows).Count(r => targets[r] != kernel.IgnoreIndex);
                double expected = kernel.Reduction == LossReduction.Sum || !kernel.ManyRows ? losses.Sum() : losses.Sum() / counted;
                double Tolerance(double value) => (1e-11 * Math.Max(1, Math.Abs(value))) + (kernel.IsDouble ? 0 : 1e-7 * Math.Abs(value));
                if (kernel.Reduction != LossReduction.None || !kernel.ManyRows)
                {
                    LossTests.AssertWithin(expected, actual.Loss, Tolerance(expected), $"{name} {distribution} {rows}×{classes}");
                }

                for (int r = 0; r < actual.Losses.Length; r++)
                {
                    LossTests.AssertWithin(losses[r], actual.Losses[r], Tolerance(losses[r]), $"{name} {distribution} losses[{r}]");
                }
            }
        }
    }

    /// <summary>
    /// One row by the papers: the Z-loss with μ and σ as the plain two-pass mean and population deviation and
    /// softplus(t) = log(1 + e^t); PyTorch's multi_margin_loss (Σ over k ≠ y, divided by K) and Crammer–Singer's max.
    /// </summary>
    internal static double Formula(LossInfo kernel, ReadOnlySpan<double> row, int target, double[] w)
    {
        double[] o = row.ToArray();
        int k = o.Length;
        if (kernel.Kind == "SphericalZ")
        {
            double mu = o.Average();
            double sigma = Math.Sqrt(o.Select(v => (v - mu) * (v - mu)).Average());
            double z = (o[target] - mu) / sigma, a = kernel.Parameter1, b = kernel.Parameter2;
            double t = a * (b - z);
            return (t > 30 ? t : Math.Log(1 + Math.Exp(t))) / a;
        }

        double p = kernel.Parameter2, m = kernel.Parameter1, weight = kernel.ClassWeights ? w[target] : 1;
        IEnumerable<double> hinges = Enumerable.Range(0, k).Where(i => i != target).Select(i => Math.Pow(Math.Max(0, m - o[target] + o[i]), p));
        return kernel.Kind == "WestonWatkins" ? weight * hinges.Sum() / k : weight * hinges.DefaultIfEmpty(0).Max();
    }

    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name) => LossTests.CheckCentralDifferences(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void AllTargetsIgnoredGiveNaNMeanZeroSumAndZeroGradient(string name) => LossTests.CheckAllTargetsIgnored(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void TargetOutOfRangeThrowsAndWritesNothing(string name) => LossTests.CheckTargetOutOfRange(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void GradientMayReplaceTheLogits(string name) => LossTests.CheckGradientInPlace(LossCatalog.Get(name));

    [Fact]
    public void WrongSpanLengthsThrowNamingTheParameterAndWriteNothing()
    {
        LossInfo none = LossCatalog.Get(nameof(LossKernels.CrammerSingerNoneGradFRows));
        float[] logits = Enumerable.Range(0, 12).Select(static i => (float)i).ToArray();
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(none))
        {
            Expect(() => none.Call<float>(method, logits, new[] { 0, 1, 2 }, Filled(3), Filled(11)), "gradient", path);
            Expect(() => none.Call<float>(method, logits, new[] { 0, 1, 2 }, Filled(2), Filled(12)), "losses", path);
            Expect(() => none.Call<float>(method, logits, new[] { 0, 1, 2, 0, 1 }, Filled(5), Filled(12)), "logits", path);
        }

        LossInfo weighted = LossCatalog.Get(nameof(LossKernels.MarginSquaredClassWeightsMeanGradDRows));
        double[] x = new double[12];
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(weighted))
        {
            double[] gradient = Enumerable.Repeat(7.0, 12).ToArray();
            Expect(() => weighted.Call(method, x, new[] { 0, 1, 2 }, new LossSpans<double> { ClassWeights = new double[3], Gradient = gradient }), "classWeights", path);
            Assert.All(gradient, static g => Assert.Equal(7.0, g));
        }

        LossInfo z = LossCatalog.Get(nameof(LossKernels.ZLossNoneGradFRows));
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(z))
        {
            float[] losses = Filled(3);
            Expect(() => z.Call<float>(method, logits, new[] { 0, 1, 2 }, losses, Filled(13)), "gradient", path);
            Assert.All(losses, static l => Assert.Equal(float.Epsilon * 3, l));
        }
    }

    // A row of mean 1e4 and variance 1 in float: the Z-loss is the loss of the same row less 1e4 (exact in float), to a few
    // units of its z (a one-pass E[o²] − μ² in float would lose every digit of σ² here).
    [Theory]
    [InlineData(nameof(LossKernels.ZLossMeanGradFRows))]
    [InlineData(nameof(LossKernels.ZLossSumGradDU3Rows))]
    public void ZLossIsShiftAndScaleInvariant(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        const int classes = 1000;
        (double[] logits, int[] targets) = LossTests.Make(kernel, "Near1e4", 4, classes, 77);
        double[] x = LossTests.Rounded(kernel, logits);
        double[] centered = x.Select(static v => v - 1e4).ToArray();
        double[] scaled = centered.Select(static v => v * 8).ToArray();   // a power of two: exact
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult shifted = kernel.Run(method, x, targets), plain = kernel.Run(method, centered, targets), large = kernel.Run(method, scaled, targets);
            double largest = plain.Gradient.Select(Math.Abs).Max();
            double tolerance = 64 * LossTests.Unit(kernel) * (1 + Math.Sqrt(classes)) * 4;
            Assert.True(Math.Abs(shifted.Loss - plain.Loss) <= tolerance, $"{path}: {shifted.Loss:R} shifted, {plain.Loss:R} centered");
            Assert.True(Math.Abs(large.Loss - plain.Loss) <= tolerance, $"{path}: {large.Loss:R} scaled, {plain.Loss:R} centered");
            for (int i = 0; i < x.Length; i++)
            {
                // ∂ℓ/∂o scales as 1/σ: the scaled row's gradient is an eighth of the centered one's.
                Assert.True(Math.Abs((8 * large.Gradient[i]) - plain.Gradient[i]) <= (1e-3 * largest) + 1e-12, $"{path}: gradient[{i}]");
                Assert.True(Math.Abs(shifted.Gradient[i] - plain.Gradient[i]) <= (1e-3 * largest) + 1e-12, $"{path}: gradient[{i}]");
            }
        }
    }

    // σ = 0: a constant row, or a row of one class, has no z; its loss and gradient are NaN on every path. −∞ scores too.
    [Theory]
    [InlineData(nameof(LossKernels.ZLossGradD))]
    [InlineData(nameof(LossKernels.ZLossMeanGradFRows))]
    public void ZLossOfAConstantRowIsNaN(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        foreach (double[] row in new[] { Enumerable.Repeat(3.5, 20).ToArray(), new[] { 2.0 }, new[] { 1.0, double.NegativeInfinity, 0 } })
        {
            foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
            {
                LossResult result = kernel.Run(method, row, new[] { 0 });
                Assert.True(double.IsNaN(result.Loss), $"{path}: {result.Loss}");
                Assert.All(result.Gradient, g => Assert.True(double.IsNaN(g), $"{path}: {g}"));
            }
        }
    }

    // PyTorch's documented example: x = [0.1, 0.2, 0.4, 0.8], y = 3: ((1 − 0.8 + 0.1) + (1 − 0.8 + 0.2) + (1 − 0.8 + 0.4))/4 = 0.325.
    [Theory]
    [InlineData(nameof(LossKernels.MarginGradD), 0.325)]
    [InlineData(nameof(LossKernels.MarginMeanGradFRows), 0.325)]
    [InlineData(nameof(LossKernels.MarginSquaredSumGradFRows), (0.09 + 0.16 + 0.36) / 4)]
    [InlineData(nameof(LossKernels.CrammerSingerMeanGradFRows), 0.6)]
    public void PyTorchsExample(string name, double expected)
    {
        LossInfo kernel = LossCatalog.Get(name);
        double[] logits = { 0.1, 0.2, 0.4, 0.8 };
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, new[] { 3 });
            Assert.True(Math.Abs(result.Loss - expected) <= (kernel.IsDouble ? 1e-15 : 1e-7), $"{path}: {result.Loss:R}, expected {expected:R}");
        }
    }

    // The subgradient at a hinge of exactly 0 is 0 (PyTorch); Crammer–Singer's goes to the first of tied strongest classes;
    // a −∞ score adds nothing.
    [Fact]
    public void HingeAtZeroTiesAndMinusInfinity()
    {
        LossInfo ww = LossCatalog.Get(nameof(LossKernels.MarginMeanGradFRows));
        LossInfo cs = LossCatalog.Get(nameof(LossKernels.CrammerSingerMeanGradFRows));
        double[] logits = { 0, 1, 0.5, double.NegativeInfinity, 3, 1, 3, 3 };   // rows of 4: y = 1, y = 1
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(ww))
        {
            LossResult result = ww.Run(method, logits, new[] { 1, 1 });
            // Row 0: h = 0 (exactly: no gradient), 0.5, −∞. Row 1: h = 3 three times.
            Assert.Equal(new[] { 0, -0.125, 0.125, 0, 0.125, -0.375, 0.125, 0.125 }, result.Gradient.Select(static g => Math.Round(g, 12)).ToArray());
            Assert.Equal(((0.5 / 4) + (9.0 / 4)) / 2, result.Loss, 6);
        }

        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(cs))
        {
            LossResult result = cs.Run(method, logits, new[] { 1, 1 });
            Assert.Equal(new[] { 0, -0.5, 0.5, 0, 0.5, -0.5, 0, 0 }, result.Gradient);   // row 1: the first of the three 3s
            Assert.Equal((0.5 + 3) / 2, result.Loss, 6);
            LossResult targetTied = cs.Run(method, new double[] { 2, 5, 5, 1 }, new[] { 1 });
            Assert.Equal(new[] { 0, -1.0, 1.0, 0 }, targetTied.Gradient);   // the target ties the largest: the other 5 is the rival
        }
    }

    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        if (expected is not null)
        {
            Assert.Equal(expected, LossKernels.MarginMeanGradFRowsPaths.Selected.ToString());
            Assert.Equal(expected, LossKernels.ZLossMeanGradDRowsPaths.Selected.ToString());
        }
    }

    private static float[] Filled(int length) => Enumerable.Repeat(float.Epsilon * 3, length).ToArray();

    private static void Expect(Func<double> call, string parameter, string path)
    {
        ArgumentException argument = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.True(argument.ParamName == parameter, $"{path}: the exception names '{argument.ParamName}', not '{parameter}'");
    }
}
