using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The losses of the target probability ([CompSumLoss], [FocalLoss], [DiceLoss]): every path against its Reference
/// (in the units of docs/accuracy.md, scaled by h = −dℓ/d log p_y, which multiplies an error of log p_y), the Reference
/// against the papers' formulas written here from the softmax, its gradient against central differences, PyTorch's
/// edge cases as <see cref="LossTests"/> has them, and the parameters that reduce to the cross-entropy.
/// </summary>
public class TargetLossTests
{
    public static IEnumerable<object[]> AllKernels => LossCatalog.TargetLosses.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> GradientKernels => LossCatalog.TargetLosses.Where(static k => k.HasGradient).Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> ManyRowKernels => LossCatalog.TargetLosses.Where(static k => k.ManyRows).Select(static k => new object[] { k.Name });

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        MethodInfo reference = kernel.Paths["Reference"];
        var worstLoss = new SortedDictionary<string, double>();
        var worstGradient = new SortedDictionary<string, double>();
        int seed = 1;
        foreach (int classes in LossTests.ClassCounts(kernel))
        {
            int[] rowCounts = !kernel.ManyRows ? new[] { 1 } : classes <= 300 ? new[] { 0, 1, 3, 17 } : new[] { 3 };
            foreach (int rows in rowCounts)
            {
                foreach (string distribution in DistributionsOf(kernel))
                {
                    (double[] logits, int[] targets) = LossTests.Make(kernel, distribution, rows, classes, seed++);
                    LossResult expected = kernel.Run(reference, logits, targets);
                    double[] x = LossTests.Rounded(kernel, logits);
                    double outer = Enumerable.Range(0, rows).Where(r => targets[r] != kernel.IgnoreIndex)
                        .Select(r => Math.Abs(Formula(kernel, x.AsSpan(r * classes, classes), targets[r]).Outer)).Where(double.IsFinite).DefaultIfEmpty(1).Max();
                    double magnitude = Math.Max(1, logits.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                    double weightFactor = Math.Max(1, (kernel.ClassWeights ? LossInfo.ClassWeightsFor(classes).Max() : 1) * (kernel.SampleWeights ? 2 : 1));
                    foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
                    {
                        LossResult actual = kernel.Run(method, logits, targets);
                        string where = $"{name}.{path}, {rows}×{classes} {distribution}";
                        // log p_y is known to u·max|z|: the loss moves by h times that (and is known to u·|ℓ| at best).
                        double lossUnit = LossTests.Unit(kernel) * weightFactor * ((Math.Max(1, outer) * magnitude) + (double.IsFinite(expected.Loss) ? Math.Abs(expected.Loss) : 0));
                        double lossUnits = LossTests.AssertClose(expected.Loss, actual.Loss, lossUnit, where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, LossTests.AssertClose(expected.Losses[i], actual.Losses[i], LossTests.Unit(kernel) * weightFactor * ((Math.Max(1, outer) * magnitude) + Math.Abs(expected.Losses[i])), $"{where}, losses[{i}]"));
                        }

                        double gradientUnits = 0;
                        // h·(p − onehot) with h itself computed from log p_y: known to a few units of h.
                        double gradientUnit = LossTests.Unit(kernel) * LossTests.Scale(kernel, targets, classes) * 4 * Math.Max(1, outer);
                        for (int i = 0; i < expected.Gradient.Length; i++)
                        {
                            gradientUnits = Math.Max(gradientUnits, LossTests.AssertClose(expected.Gradient[i], actual.Gradient[i], gradientUnit, $"{where}, gradient[{i}]"));
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

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesThePapersFormula(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        int seed = 100;
        foreach (int classes in LossTests.ClassCounts(kernel).Where(static k => k <= 1000))
        {
            foreach (string distribution in DistributionsOf(kernel))
            {
                int rows = kernel.ManyRows ? 9 : 1;
                (double[] logits, int[] targets) = LossTests.Make(kernel, distribution, rows, classes, seed++);
                double[] x = LossTests.Rounded(kernel, logits);
                LossResult actual = kernel.Run(kernel.Paths["Reference"], logits, targets);
                double[] w = LossTests.Rounded(kernel, LossInfo.ClassWeightsFor(classes)), sw = LossTests.Rounded(kernel, LossInfo.SampleWeightsFor(rows));
                var formula = Enumerable.Range(0, rows).Select(r => Formula(kernel, x.AsSpan(r * classes, classes), targets[r])).ToArray();
                var weighted = formula.Select((f, r) => (Loss: targets[r] == kernel.IgnoreIndex ? 0 : (kernel.ClassWeights ? w[targets[r]] : 1) * f.Loss, ZTerm: 0.0, Lse: 0.0, Entropy: 0.0)).ToArray();
                double expected = LossTests.FormulaReduce(kernel, weighted, targets, w, sw);
                double magnitude = Math.Max(1, x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                double outer = formula.Select(static f => Math.Abs(f.Outer)).Where(double.IsFinite).DefaultIfEmpty(1).Max();
                double Tolerance(double value) => (1e-12 * magnitude * Math.Max(1, outer)) + (1e-12 * Math.Abs(value)) + (kernel.IsDouble ? 0 : 1e-7 * Math.Abs(value));
                LossTests.AssertWithin(expected, actual.Loss, double.IsFinite(expected) ? Tolerance(expected) : 0, $"{name} {distribution} {rows}×{classes}");
                for (int r = 0; r < actual.Losses.Length; r++)
                {
                    double row = targets[r] == kernel.IgnoreIndex ? 0 : (kernel.SampleWeights ? sw[r] : 1) * weighted[r].Loss;
                    LossTests.AssertWithin(row, actual.Losses[r], Tolerance(row), $"{name} {distribution} losses[{r}]");
                }
            }
        }
    }

    // On N(0, 1) logits: the sum-exponential loss grows as e^(LSE − z_y), and the differences' error with it.
    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name) => LossTests.CheckCentralDifferences(LossCatalog.Get(name), logitScale: 0.25);

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void AllTargetsIgnoredGiveNaNMeanZeroSumAndZeroGradient(string name) => LossTests.CheckAllTargetsIgnored(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void TargetOutOfRangeThrowsAndWritesNothing(string name) => LossTests.CheckTargetOutOfRange(LossCatalog.Get(name));

    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void GradientMayReplaceTheLogits(string name) => LossTests.CheckGradientInPlace(LossCatalog.Get(name));

    // τ = 1 is the cross-entropy, and so is the focal loss with γ = 0, α = 1: the [CrossEntropy] kernel's loss and gradient
    // on the same path, within rounding (−((z_y − m) − log Σ) against (m + log Σ) − z_y).
    [Theory]
    [InlineData(nameof(LossKernels.CompSumTau1MeanGradFRows))]
    [InlineData(nameof(LossKernels.FocalGamma0MeanGradFRows))]
    public void CrossEntropyLimitIsTheCrossEntropy(string name)
    {
        LossInfo kernel = LossCatalog.Get(name), crossEntropy = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanGradFRows));
        foreach (string distribution in new[] { "Normal4", "Uniform100", "Outlier", "Masked", "Near1e4" })
        {
            (double[] logits, int[] targets) = LossTests.Make(kernel, distribution, 9, 67, 21);
            foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
            {
                LossResult actual = kernel.Run(method, logits, targets);
                LossResult expected = crossEntropy.Run(crossEntropy.Paths.TryGetValue(path, out MethodInfo? same) ? same : crossEntropy.Dispatcher, logits, targets);
                for (int i = 0; i < expected.Gradient.Length; i++)
                {
                    // The same pass (h = 1) but for the target's own element, h·expm1(L) here, p_y − 1 there.
                    LossTests.AssertClose(expected.Gradient[i], actual.Gradient[i], LossTests.Unit(kernel) * LossTests.Scale(kernel, targets, 67), $"{name}.{path} {distribution}, gradient[{i}]");
                }

                double magnitude = Math.Max(1, logits.Where(double.IsFinite).Select(Math.Abs).Max());
                LossTests.AssertClose(expected.Loss, actual.Loss, LossTests.Unit(kernel) * magnitude, $"{name}.{path} {distribution}");
            }
        }
    }

    // The mean absolute error (τ = 2) is bounded: a target logit of −∞ (p_y = 0) gives ℓ = 1 and, as h = p_y = 0, a zero gradient.
    [Fact]
    public void MeanAbsoluteErrorOfAMaskedTargetIsOneWithNoGradient()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CompSumTau2NoneGradDRows));
        const int classes = 33;
        (double[] logits, int[] targets) = LossTests.Make(kernel, "Normal4", 2, classes, 4);
        targets = new[] { 5, 6 };
        logits[5] = double.NegativeInfinity;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.Equal(1.0, result.Losses[0]);
            Assert.All(result.Gradient.Take(classes), g => Assert.True(g == 0, $"{path}: {g}"));
            Assert.True(result.Losses[1] > 0 && result.Losses[1] < 1, $"{path}: {result.Losses[1]}");
        }
    }

    // Dice with α = 0, γ = 1 by hand: ℓ = 1 − (2p + 1)/(p + 2) on a row whose p_y is known.
    [Fact]
    public void DiceWithoutAdjustmentIsThePlainSmoothedDice()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.DiceAlpha0MeanGradDRows));
        double[] logits = { Math.Log(3), 0, 0, double.NegativeInfinity, 0, Math.Log(5), 0, 0 };   // row 0: p_0 = 3/5; row 1: p_1 = 5/8
        int[] targets = { 0, 1 };
        double Dice(double p) => 1 - (((2 * p) + 1) / (p + 2));
        double expected = (Dice(3.0 / 5) + Dice(5.0 / 8)) / 2;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(Math.Abs(result.Loss - expected) <= 1e-15, $"{path}: {result.Loss:R}, expected {expected:R}");
        }
    }

    // Logits of 1e4 (one class 5 above the rest): finite, and as the formula says, on every path.
    [Theory]
    [InlineData(nameof(LossKernels.FocalMeanGradFRows))]
    [InlineData(nameof(LossKernels.CompSumTau0MeanGradDRows))]
    [InlineData(nameof(LossKernels.DiceAlpha1Gamma0MeanGradFRows))]
    public void LargeLogitsDoNotOverflow(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        const int classes = 1000;
        double[] logits = Enumerable.Repeat(1e4, 2 * classes).ToArray();
        logits[3] = 1e4 + 5;
        int[] targets = { 3, 4 };
        double[] x = LossTests.Rounded(kernel, logits);
        double expected = (Formula(kernel, x.AsSpan(0, classes), 3).Loss + Formula(kernel, x.AsSpan(classes, classes), 4).Loss) / 2;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(double.IsFinite(result.Loss), $"{path}: {result.Loss}");
            Assert.All(result.Gradient, g => Assert.True(double.IsFinite(g), $"{path}: {g}"));
            Assert.True(Math.Abs(result.Loss - expected) <= 1e-4 * Math.Abs(expected), $"{path}: {result.Loss:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void EveryDeclaredKernelIsChecked() => Assert.True(LossCatalog.TargetLosses.Count >= 17, $"found {LossCatalog.TargetLosses.Count} kernels");

    // ------------------------------------------------------------------------------------------- helpers

    /// <summary>
    /// The families of logits a kernel is defined on: all of <see cref="LossTests.Distributions"/>, except that the comp-sum
    /// losses with τ &lt; 1 grow as e^((1 − τ)·(LSE − z_y)) and overflow with wide logits.
    /// </summary>
    private static IEnumerable<string> DistributionsOf(LossInfo kernel) => LossTests.Distributions.Where(d =>
        !(kernel.Kind == "CompSum" && kernel.Parameter1 < 1 && d is "Uniform100" or "Outlier"));

    /// <summary>
    /// One row by the papers, in double, from p_y = softmax(z)_y (a = −log p_y = LSE − z_y): the comp-sum loss
    /// ((1 + u)^(1 − τ) − 1)/(1 − τ) with 1 + u = e^a (log(1 + u) for τ = 1), the focal loss −α·(1 − p)^γ·log p, the Dice loss
    /// 1 − (2p̃ + γ)/(p̃ + 1 + γ) with p̃ = (1 − p)^α·p; and h = −dℓ/d log p_y differentiated by hand. Unweighted.
    /// </summary>
    internal static (double Loss, double Outer) Formula(LossInfo kernel, ReadOnlySpan<double> z, int target)
    {
        if (target == kernel.IgnoreIndex)
        {
            return (0, 0);
        }

        double m = z.ToArray().Max();
        double lse = m + Math.Log(z.ToArray().Sum(v => Math.Exp(v - m)));
        double a = lse - z[target], p = Math.Exp(-a);
        double first = kernel.Parameter1, second = kernel.Parameter2;
        switch (kernel.Kind)
        {
            case "CompSum":
                return first == 1 ? (a, 1) : ((Math.Pow(Math.Exp(a), 1 - first) - 1) / (1 - first), Math.Pow(Math.Exp(a), 1 - first));
            case "Focal":
                return (second * Math.Pow(1 - p, first) * a, second * (Math.Pow(1 - p, first) + (first * p * a * Math.Pow(1 - p, first - 1))));
            default:
                double adjusted = Math.Pow(1 - p, first) * p;
                double slope = first == 0 ? p : p * (Math.Pow(1 - p, first) - (first * p * Math.Pow(1 - p, first - 1)));
                return (1 - (((2 * adjusted) + second) / (adjusted + 1 + second)), (2 + second) / Math.Pow(1 + second + adjusted, 2) * slope);
        }
    }
}
