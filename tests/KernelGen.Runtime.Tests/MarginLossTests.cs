using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// [MarginSoftmaxLoss] and [InfoNceLoss]: every path against its Reference (docs/accuracy.md's units, times s and the
/// target's slope ψ'), the Reference against the papers' formulas written here (ArcFace through cos(θ + m) = c·cos m − sin θ·sin m),
/// its gradient against central differences, the settings that are the cross-entropy (s = 1 and no margin; τ = 1), and
/// the edge cases of <see cref="LossTests"/>.
/// </summary>
public class MarginLossTests
{
    public static IEnumerable<object[]> AllKernels => LossCatalog.MarginLosses.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> GradientKernels => LossCatalog.MarginLosses.Where(static k => k.HasGradient).Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> ManyRowKernels => LossCatalog.MarginLosses.Where(static k => k.ManyRows).Select(static k => new object[] { k.Name });

    /// <summary>Cosines in (−1, 1); the target well aligned (the common late-training row, where p_y is near 1); some classes at −∞.</summary>
    public static readonly string[] Distributions = { "Uniform", "Aligned", "Masked" };

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        MethodInfo reference = kernel.Paths["Reference"];
        var worst = new SortedDictionary<string, double>();
        int seed = 1;
        foreach (int classes in LossTests.ClassCounts(kernel))
        {
            int[] rowCounts = !kernel.ManyRows ? new[] { 1 } : classes <= 300 ? new[] { 0, 1, 3, 17 } : new[] { 3 };
            foreach (int rows in rowCounts)
            {
                foreach (string distribution in Distributions)
                {
                    (double[] cosines, int[] targets) = Make(kernel, distribution, rows, classes, seed++);
                    LossResult expected = kernel.Run(reference, cosines, targets);
                    double s = kernel.Parameter1;
                    double weightFactor = Math.Max(1, (kernel.ClassWeights ? LossInfo.ClassWeightsFor(classes).Max() : 1) * (kernel.SampleWeights ? 2 : 1));
                    foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
                    {
                        LossResult actual = kernel.Run(method, cosines, targets);
                        string where = $"{name}.{path}, {rows}×{classes} {distribution}";
                        // The logits s·c are known to u·s (|c| ≤ 1, 4 with the InfoNCE similarities): the loss to that and u·|ℓ|.
                        double units = LossTests.AssertClose(expected.Loss, actual.Loss, LossTests.Unit(kernel) * weightFactor * ((4 * s) + (double.IsFinite(expected.Loss) ? Math.Abs(expected.Loss) : 0)), where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            units = Math.Max(units, LossTests.AssertClose(expected.Losses[i], actual.Losses[i], LossTests.Unit(kernel) * weightFactor * ((4 * s) + Math.Abs(expected.Losses[i])), $"{where}, losses[{i}]"));
                        }

                        // s·p_k, p_k known to u·(its exponent 4s): the gradient to u·s·(1 + 4s)·(the reduction's scale), ψ' ≤ 5 here.
                        double gradientUnit = LossTests.Unit(kernel) * LossTests.Scale(kernel, targets, classes) * 5 * s * Math.Max(1, 4 * s) * 0.25;
                        for (int i = 0; i < expected.Gradient.Length; i++)
                        {
                            units = Math.Max(units, LossTests.AssertClose(expected.Gradient[i], actual.Gradient[i], gradientUnit, $"{where}, gradient[{i}]"));
                        }

                        worst[path] = Math.Max(worst.GetValueOrDefault(path), units);
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worst.Select(static p => $"{p.Key} {p.Value:F2}")));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesThePapersFormula(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        int seed = 100;
        foreach (int classes in LossTests.ClassCounts(kernel).Where(static k => k <= 1000))
        {
            foreach (string distribution in Distributions)
            {
                int rows = kernel.ManyRows ? 9 : 1;
                (double[] cosines, int[] targets) = Make(kernel, distribution, rows, classes, seed++);
                double[] x = LossTests.Rounded(kernel, cosines);
                LossResult actual = kernel.Run(kernel.Paths["Reference"], cosines, targets);
                double[] w = LossTests.Rounded(kernel, LossInfo.ClassWeightsFor(classes)), sw = LossTests.Rounded(kernel, LossInfo.SampleWeightsFor(rows));
                double[] margins = LossTests.Rounded(kernel, LossInfo.MarginsFor(rows));
                var weighted = Enumerable.Range(0, rows).Select(r => (Loss: targets[r] == kernel.IgnoreIndex ? 0 : (kernel.ClassWeights ? w[targets[r]] : 1) * Formula(kernel, x.AsSpan(r * classes, classes), targets[r], margins[r]), ZTerm: 0.0, Lse: 0.0, Entropy: 0.0)).ToArray();
                double expected = LossTests.FormulaReduce(kernel, weighted, targets, w, sw);
                double Tolerance(double value) => (1e-12 * kernel.Parameter1 * 4) + (1e-12 * Math.Abs(value)) + (kernel.IsDouble ? 0 : 1e-7 * Math.Abs(value));
                LossTests.AssertWithin(expected, actual.Loss, double.IsFinite(expected) ? Tolerance(expected) : 0, $"{name} {distribution} {rows}×{classes}");
                for (int r = 0; r < actual.Losses.Length; r++)
                {
                    double row = targets[r] == kernel.IgnoreIndex ? 0 : (kernel.SampleWeights ? sw[r] : 1) * weighted[r].Loss;
                    LossTests.AssertWithin(row, actual.Losses[r], Tolerance(row), $"{name} {distribution} losses[{r}]");
                }
            }
        }
    }

    // Central differences in double on cosines inside (−0.9, 0.9) (away from the clamp at ±1 and the fallback's kink).
    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        if (!kernel.IsDouble)
        {
            return;     // finite differences need double; the float kernels share the emitter
        }

        int classes = kernel.Width != 0 ? kernel.Width : 7;
        int rows = kernel.ManyRows ? 4 : 1;
        (double[] cosines, int[] targets) = Make(kernel, "Uniform", rows, classes, 7);
        cosines = cosines.Select(static c => Math.Clamp(c, -0.85, 0.85)).ToArray();
        MethodInfo reference = kernel.Paths["Reference"];
        double[] gradient = kernel.Run(reference, cosines, targets).Gradient;
        double Objective(double[] c)
        {
            LossResult result = kernel.Run(reference, c, targets);
            return kernel.Reduction == LossReduction.None ? result.Losses.Sum() : result.Loss;
        }

        for (int i = 0; i < cosines.Length; i++)
        {
            const double h = 1e-6;
            double[] plus = (double[])cosines.Clone(), minus = (double[])cosines.Clone();
            plus[i] += h;
            minus[i] -= h;
            double difference = (Objective(plus) - Objective(minus)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(difference - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(gradient[i])), $"{name}: ∂L/∂c[{i}] = {gradient[i]:R}, central difference {difference:R}");
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void AllTargetsIgnoredGiveNaNMeanZeroSumAndZeroGradient(string name) => LossTests.CheckAllTargetsIgnored(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void TargetOutOfRangeThrowsAndWritesNothing(string name) => LossTests.CheckTargetOutOfRange(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void GradientMayReplaceTheCosines(string name) => LossTests.CheckGradientInPlace(LossCatalog.Get(name));

    // s = 1 without a margin, and τ = 1: the [CrossEntropy] kernel's loss and gradient on the same path, within rounding.
    [Theory]
    [InlineData(nameof(LossKernels.NormalizedSoftmaxS1MeanGradFRows))]
    [InlineData(nameof(LossKernels.InfoNceTau1MeanGradFRows))]
    public void WithoutMarginAtScaleOneItIsTheCrossEntropy(string name)
    {
        LossInfo kernel = LossCatalog.Get(name), crossEntropy = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanGradFRows));
        foreach (string distribution in LossTests.Distributions)
        {
            (double[] logits, int[] targets) = LossTests.Make(kernel, distribution, 9, 67, 21);
            double magnitude = Math.Max(1, logits.Where(double.IsFinite).Select(Math.Abs).Max());
            foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
            {
                LossResult actual = kernel.Run(method, logits, targets);
                LossResult expected = crossEntropy.Run(crossEntropy.Paths.TryGetValue(path, out MethodInfo? same) ? same : crossEntropy.Dispatcher, logits, targets);
                for (int i = 0; i < expected.Gradient.Length; i++)
                {
                    LossTests.AssertClose(expected.Gradient[i], actual.Gradient[i], LossTests.Unit(kernel) * LossTests.Scale(kernel, targets, 67) * magnitude, $"{name}.{path} {distribution}, gradient[{i}]");
                }

                LossTests.AssertClose(expected.Loss, actual.Loss, LossTests.Unit(kernel) * magnitude, $"{name}.{path} {distribution}");
            }
        }
    }

    // ArcFace past θ + m = π, at θ = 0 and θ = π, and a target cosine outside [−1, 1]: insightface's fallback, a finite slope, the clamp.
    [Fact]
    public void ArcFaceTargetEdgesFollowTheDocumentedRules()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.ArcFaceGradD));
        const double s = 30, m = 0.5;
        double[] others = { 0.1, -0.2, 0.3, 0.0 };
        foreach ((double target, double logit, double slope) in new[]
        {
            (-0.95, s * (-0.95 - (m * Math.Sin(m))), 1.0),                            // θ + m > π: c − m·sin m
            (-1.0, s * (-1.0 - (m * Math.Sin(m))), 1.0),
            (1.0, s * Math.Cos(m), Math.Sin(1e-4 + m) / Math.Sin(1e-4)),              // θ = 0: the slope at θ = 10⁻⁴
            (1.5, s * Math.Cos(m), Math.Sin(1e-4 + m) / Math.Sin(1e-4)),              // clamped to 1
        })
        {
            double[] cosines = others.Append(target).ToArray();
            double[] z = others.Select(c => s * c).Append(logit).ToArray();
            double lse = Math.Log(z.Sum(Math.Exp));
            double p = Math.Exp(logit - lse);
            foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
            {
                LossResult result = kernel.Run(method, cosines, new[] { 4 });
                LossTests.AssertWithin(lse - logit, result.Loss, 1e-12 * s, $"{path} c_y = {target}: loss");
                LossTests.AssertWithin(s * slope * (p - 1), result.Gradient[4], 1e-9 * Math.Max(1, s * slope), $"{path} c_y = {target}: target gradient");
                Assert.All(result.Gradient, g => Assert.True(double.IsFinite(g), $"{path}: {g}"));
            }
        }
    }

    // Similarities of 1e4 (one 5 above the rest) at τ = 1: finite and as the formula says, on every path.
    [Fact]
    public void LargeSimilaritiesDoNotOverflow()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.InfoNceTau1MeanGradFRows));
        const int classes = 1000;
        double[] logits = Enumerable.Repeat(1e4, 2 * classes).ToArray();
        logits[3] = 1e4 + 5;
        int[] targets = { 3, 4 };
        double[] x = LossTests.Rounded(kernel, logits);
        double expected = (Formula(kernel, x.AsSpan(0, classes), 3, 0) + Formula(kernel, x.AsSpan(classes, classes), 4, 0)) / 2;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.All(result.Gradient, g => Assert.True(double.IsFinite(g), $"{path}: {g}"));
            Assert.True(Math.Abs(result.Loss - expected) <= 1e-4 * Math.Abs(expected), $"{path}: {result.Loss:R}, expected {expected:R}");
        }
    }

    // A target cosine of −∞ with no angular margin: s·(−∞) = −∞, an infinite loss (as the cross-entropy of a −∞ target logit).
    [Fact]
    public void NegativeInfiniteTargetCosineGivesAnInfiniteLoss()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CosFaceSumGradFU3Rows));
        double[] cosines = { 0.5, double.NegativeInfinity, 0.25, 0.1, double.NegativeInfinity, 0.3 };
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            Assert.Equal(double.PositiveInfinity, kernel.Run(method, cosines, new[] { 1, 2 }).Loss);
            LossResult finite = kernel.Run(method, cosines, new[] { 0, 2 });
            Assert.True(double.IsFinite(finite.Loss), $"{path}: {finite.Loss}");
            Assert.True(finite.Gradient[1] == 0 && finite.Gradient[4] == 0, $"{path}: a −∞ class gets a zero gradient");
        }
    }

    // The per-row margins span of the wrong length: an ArgumentException naming it, nothing written.
    [Fact]
    public void MarginsOfTheWrongLengthThrowAndWriteNothing()
    {
        float[] cosines = { 0.5f, 0.1f, 0.2f, 0.3f, 0.4f, 0.6f };
        float[] gradient = Enumerable.Repeat(7f, 6).ToArray();
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(LossCatalog.Get(nameof(LossKernels.ElasticArcMeanGradFRows))))
        {
            var call = (Func<ReadOnlySpan<float>, ReadOnlySpan<int>, ReadOnlySpan<float>, Span<float>, float>)method.CreateDelegate(typeof(Func<ReadOnlySpan<float>, ReadOnlySpan<int>, ReadOnlySpan<float>, Span<float>, float>));
            ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => call(cosines, new[] { 0, 1 }, new[] { 0.5f }, gradient));
            Assert.Equal("margins", e.ParamName);
            e = Assert.ThrowsAny<ArgumentException>(() => call(cosines, new[] { 0, 1 }, new[] { 0.5f, 0.4f }, gradient.AsSpan(1)));
            Assert.Equal("gradient", e.ParamName);
            Assert.All(gradient, g => Assert.True(g == 7f, $"{path}: written"));
        }
    }

    // The ISA matrix sets KERNELGEN_EXPECTED_PATH: this class alone still proves which path it ran.
    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        if (expected is not null)
        {
            Assert.Equal(expected, LossKernels.ArcFaceMeanGradFRowsPaths.Selected.ToString());
        }
    }

    [Fact]
    public void EveryDeclaredKernelIsChecked() => Assert.Equal(15, LossCatalog.MarginLosses.Count);

    // ------------------------------------------------------------------------------------------- helpers

    internal static (double[] Cosines, int[] Targets) Make(LossInfo kernel, string distribution, int rows, int classes, int seed)
    {
        (double[] cosines, int[] targets) = LossTests.Make(kernel, "Normal4", rows, classes, seed);
        var random = new Random(seed);
        for (int i = 0; i < cosines.Length; i++)
        {
            cosines[i] = distribution == "Masked" && random.NextDouble() < 0.3 ? double.NegativeInfinity : (random.NextDouble() * 1.98) - 0.99;
            if (distribution == "Aligned")
            {
                cosines[i] *= 0.3;
            }
        }

        for (int r = 0; r < rows; r++)
        {
            if (targets[r] != kernel.IgnoreIndex)
            {
                cosines[(r * classes) + targets[r]] = distribution == "Aligned" ? 0.95 + (0.045 * random.NextDouble()) : (random.NextDouble() * 1.98) - 0.99;
            }
        }

        return (cosines, targets);
    }

    /// <summary>
    /// One row's loss by the papers, in double and unweighted: z_k = s·c_k; the target's ArcFace logit from the angle-sum
    /// identity with insightface's threshold (c ≤ cos(π − m): c − m·sin m), the combined/SphereFace one as cos(m1·acos c + m2) − m3;
    /// ℓ = log Σ e^z − z_y.
    /// </summary>
    internal static double Formula(LossInfo kernel, ReadOnlySpan<double> c, int target, double rowMargin)
    {
        double s = kernel.Parameter1, m1 = kernel.M1, m2 = kernel.PerRowMargin == 1 ? rowMargin : kernel.M2, m3 = kernel.PerRowMargin == 2 ? rowMargin : kernel.M3;
        double cy = c[target], psi;
        if (m1 == 1 && m2 == 0)
        {
            psi = cy - m3;
        }
        else if (m1 == 1)
        {
            double sine = Math.Sqrt(1 - (cy * cy));
            psi = (cy > Math.Cos(Math.PI - m2) ? (cy * Math.Cos(m2)) - (sine * Math.Sin(m2)) : cy - (Math.Sin(Math.PI - m2) * m2)) - m3;
        }
        else
        {
            psi = Math.Cos((m1 * Math.Acos(cy)) + m2) - m3;
        }

        double[] z = new double[c.Length];
        for (int k = 0; k < z.Length; k++)
        {
            z[k] = k == target ? s * psi : s * c[k];
        }

        double max = z.Max();
        return max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[target];
    }
}
