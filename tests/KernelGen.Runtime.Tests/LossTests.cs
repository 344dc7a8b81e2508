using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Every path of every cross-entropy kernel (and the dispatcher) against its Reference, in units of
/// docs/accuracy.md; the Reference against the formula written independently here (−Σ q_k log p_k)
/// and its gradient against central finite differences; then PyTorch's edge cases and the argument checks.
/// </summary>
public class LossTests
{
    /// <summary>The tolerance of docs/accuracy.md for the losses and their gradients, in units.</summary>
    public const double Tolerance = 16;

    public static IEnumerable<object[]> AllKernels => LossCatalog.Names();

    public static IEnumerable<object[]> GradientKernels => LossCatalog.Names(static k => k.HasGradient);

    public static IEnumerable<object[]> ManyRowKernels => LossCatalog.Names(static k => k.ManyRows);

    /// <summary>The logits families: N(0,1)·4, wide uniform, a 1e4 outlier per row, masked (−inf) classes, all near 1e4.</summary>
    public static readonly string[] Distributions = { "Normal4", "Uniform100", "Outlier", "Masked", "Near1e4" };

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        MethodInfo reference = kernel.Paths["Reference"];
        var worstLoss = new SortedDictionary<string, double>();
        var worstGradient = new SortedDictionary<string, double>();
        int seed = 1;
        foreach (int classes in ClassCounts(kernel))
        {
            int[] rowCounts = !kernel.ManyRows ? new[] { 1 } : classes <= 300 ? new[] { 0, 1, 3, 17 } : new[] { 3 };
            foreach (int rows in rowCounts)
            {
                foreach (string distribution in Distributions)
                {
                    (double[] logits, int[] targets) = Make(kernel, distribution, rows, classes, seed++);
                    LossResult expected = kernel.Run(reference, logits, targets);
                    foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
                    {
                        LossResult actual = kernel.Run(method, logits, targets);
                        string where = $"{name}.{path}, {rows}×{classes} {distribution}";
                        double scale = Scale(kernel, targets, classes);
                        double magnitude = Math.Max(1, logits.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                        double zFactor = 1 + (2 * kernel.ZLoss * (magnitude + Math.Log(classes)));   // the z-loss term scales the gradient by 1 + 2c·LSE
                        // A soft-capped logit c·tanh(x/c) is known to u·min(c, |x|) (it is computed in the element type): p moves by that much.
                        double capFactor = kernel.Softcap == 0 ? 1 : Math.Max(1, Math.Min(kernel.Softcap, magnitude));
                        double weightFactor = Math.Max(1, MaxWeight(kernel, classes) * MaxSample(kernel, rows));   // a row's loss is s_i·(w-weighted loss)
                        // A loss is known to u·max|z| (the logits' own rounding), a sum of losses to u·|sum| at best.
                        double lossUnits = AssertClose(expected.Loss, actual.Loss, Unit(kernel) * Math.Max(magnitude, double.IsFinite(expected.Loss) ? Math.Abs(expected.Loss) : 0), where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, AssertClose(expected.Losses[i], actual.Losses[i], Unit(kernel) * magnitude * weightFactor, $"{where}, losses[{i}]"));
                        }

                        for (int i = 0; i < expected.Lse.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, AssertClose(expected.Lse[i], actual.Lse[i], Unit(kernel) * magnitude, $"{where}, lse[{i}]"));
                        }

                        for (int i = 0; i < expected.Entropy.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, AssertClose(expected.Entropy[i], actual.Entropy[i], Unit(kernel) * magnitude, $"{where}, entropy[{i}]"));
                        }

                        Assert.Equal(expected.Predictions, actual.Predictions);
                        double gradientUnits = 0;
                        for (int i = 0; i < expected.Gradient.Length; i++)
                        {
                            gradientUnits = Math.Max(gradientUnits, AssertClose(expected.Gradient[i], actual.Gradient[i], Unit(kernel) * scale * zFactor * capFactor, $"{where}, gradient[{i}]"));
                        }

                        worstLoss[path] = Math.Max(worstLoss.GetValueOrDefault(path), lossUnits);
                        worstGradient[path] = Math.Max(worstGradient.GetValueOrDefault(path), gradientUnits);
                    }
                }
            }
        }

        // The worst units per path, for docs/accuracy.md (run with -showLiveOutput).
        string gradients = kernel.HasGradient ? "; gradient: " + string.Join(", ", worstGradient.Select(static p => $"{p.Key} {p.Value:F2}")) : string.Empty;
        TestContext.Current.TestOutputHelper?.WriteLine("loss: " + string.Join(", ", worstLoss.Select(static p => $"{p.Key} {p.Value:F2}")) + gradients);
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesTheFormula(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
        int seed = 100;
        foreach (int classes in ClassCounts(kernel).Where(static k => k <= 1000))
        {
            foreach (string distribution in Distributions)
            {
                int rows = kernel.ManyRows ? 9 : 1;
                (double[] logits, int[] targets) = Make(kernel, distribution, rows, classes, seed++);
                double[] x = Rounded(kernel, logits);
                LossResult actual = kernel.Run(kernel.Paths["Reference"], logits, targets);
                double[] w = Rounded(kernel, LossInfo.ClassWeightsFor(classes)), sw = Rounded(kernel, LossInfo.SampleWeightsFor(rows));
                var formula = Enumerable.Range(0, rows).Select(r => FormulaRow(kernel, x.AsSpan(r * classes, classes), targets[r], w)).ToArray();
                double expected = FormulaReduce(kernel, formula, targets, w, sw);
                // The Reference computes in double from the rounded logits, then rounds its result to the element type.
                double magnitude = Math.Max(1, x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                double Tolerance(double value) => (1e-12 * magnitude) + (kernel.IsDouble ? 0 : 1e-7 * Math.Abs(value));
                AssertWithin(expected, actual.Loss, double.IsFinite(expected) ? Tolerance(expected) : 0, $"{name} {distribution} {rows}×{classes}");
                for (int r = 0; r < actual.Losses.Length; r++)
                {
                    double row = targets[r] == kernel.IgnoreIndex ? 0 : (kernel.SampleWeights ? sw[r] : 1) * (formula[r].Loss + formula[r].ZTerm);
                    AssertWithin(row, actual.Losses[r], Tolerance(row), $"{name} {distribution} losses[{r}]");
                }

                for (int r = 0; r < actual.Lse.Length; r++)
                {
                    AssertWithin(formula[r].Lse, actual.Lse[r], Tolerance(formula[r].Lse), $"{name} {distribution} lse[{r}]");
                }

                for (int r = 0; r < actual.Entropy.Length; r++)
                {
                    AssertWithin(formula[r].Entropy, actual.Entropy[r], Tolerance(formula[r].Entropy), $"{name} {distribution} entropy[{r}]");
                }

                for (int r = 0; r < actual.Predictions.Length; r++)
                {
                    // torch.argmax: the first maximum (the first NaN if any), of the logits as given.
                    double[] row = x.Skip(r * classes).Take(classes).ToArray();
                    int first = Array.FindIndex(row, double.IsNaN);
                    int argmax = first >= 0 ? first : Array.IndexOf(row, row.Max());
                    Assert.True(argmax == actual.Predictions[r], $"{name} {distribution} predictions[{r}]: {actual.Predictions[r]}, expected {argmax}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name) => CheckCentralDifferences(LossCatalog.Get(name));

    internal static void CheckCentralDifferences(LossInfo kernel, double logitScale = 1)
    {
        if (!kernel.IsDouble)
        {
            return;     // finite differences need double; the float kernels share the emitter
        }

        int classes = kernel.Width != 0 ? kernel.Width : 7;
        int rows = kernel.ManyRows ? 4 : 1;
        (double[] logits, int[] targets) = Make(kernel, "Normal4", rows, classes, 7);
        logits = logits.Select(v => v * logitScale).ToArray();
        MethodInfo reference = kernel.Paths["Reference"];
        double[] gradient = kernel.Run(reference, logits, targets).Gradient;
        double Objective(double[] z)
        {
            LossResult result = kernel.Run(reference, z, targets);
            return kernel.Reduction == LossReduction.None ? result.Losses.Sum() : result.Loss;
        }

        for (int i = 0; i < logits.Length; i++)
        {
            double h = 1e-5 * Math.Max(1, Math.Abs(logits[i]));
            double[] plus = (double[])logits.Clone(), minus = (double[])logits.Clone();
            plus[i] += h;
            minus[i] -= h;
            double difference = (Objective(plus) - Objective(minus)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(difference - gradient[i]) <= 1e-8 * Math.Max(1, Math.Abs(gradient[i])), $"{kernel.Name}: ∂L/∂z[{i}] = {gradient[i]:R}, central difference {difference:R}");
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void AllTargetsIgnoredGiveNaNMeanZeroSumAndZeroGradient(string name) => CheckAllTargetsIgnored(LossCatalog.Get(name));

    internal static void CheckAllTargetsIgnored(LossInfo kernel)
    {
        int classes = kernel.Width != 0 ? kernel.Width : 5;
        (double[] logits, _) = Make(kernel, "Normal4", 3, classes, 3);
        int[] targets = Enumerable.Repeat(kernel.IgnoreIndex, 3).ToArray();
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            LossResult result = kernel.Run(method, logits, targets);
            switch (kernel.Reduction)
            {
                case LossReduction.Mean: Assert.True(double.IsNaN(result.Loss), $"{path}: mean over no counted row is NaN (PyTorch), got {result.Loss}"); break;
                case LossReduction.Sum: Assert.Equal(0.0, result.Loss); break;
                default: Assert.All(result.Losses, static l => Assert.Equal(0.0, l)); break;
            }

            Assert.All(result.Gradient, static g => Assert.Equal(0.0, g));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void TargetOutOfRangeThrowsAndWritesNothing(string name) => CheckTargetOutOfRange(LossCatalog.Get(name));

    internal static void CheckTargetOutOfRange(LossInfo kernel)
    {
        int classes = kernel.Width != 0 ? kernel.Width : 6;
        foreach (int bad in new[] { classes, -1 == kernel.IgnoreIndex ? -2 : -1, int.MaxValue })
        {
            foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
            {
                int rows = kernel.ManyRows ? 3 : 1;
                (double[] logits, int[] targets) = Make(kernel, "Normal4", rows, classes, 5);
                targets[rows - 1] = bad;
                Assert.Throws<ArgumentOutOfRangeException>(() => RunSentinel(kernel, method, logits, targets, out _, out _));
                RunSentinelNoThrowCheck(kernel, method, logits, targets, path);
            }
        }
    }

    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void GradientMayReplaceTheLogits(string name) => CheckGradientInPlace(LossCatalog.Get(name));

    internal static void CheckGradientInPlace(LossInfo kernel)
    {
        int classes = kernel.Width != 0 ? kernel.Width : 37;
        int rows = kernel.ManyRows ? 5 : 1;
        (double[] logits, int[] targets) = Make(kernel, "Normal4", rows, classes, 11);
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult separate = kernel.Run(method, logits, targets);
            double loss;
            double[] inPlace;
            if (kernel.IsDouble)
            {
                double[] buffer = (double[])logits.Clone();
                loss = kernel.Call<double>(method, buffer, targets, new double[kernel.Reduction == LossReduction.None && kernel.ManyRows ? rows : 0], buffer);
                inPlace = buffer;
            }
            else
            {
                float[] buffer = logits.Select(static v => (float)v).ToArray();
                loss = kernel.Call<float>(method, buffer, targets, new float[kernel.Reduction == LossReduction.None && kernel.ManyRows ? rows : 0], buffer);
                inPlace = buffer.Select(static v => (double)v).ToArray();
            }

            Assert.Equal(separate.Loss, loss);
            Assert.Equal(separate.Gradient, inPlace);
            Assert.True(path.Length > 0);
        }
    }

    [Fact]
    public void LargeLogitsDoNotOverflow()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanGradFRows));
        const int classes = 1000;
        double[] logits = Enumerable.Repeat(1e4, 2 * classes).ToArray();
        logits[3] = 1e4 + 5;
        int[] targets = { 3, 4 };
        double[] x = Rounded(kernel, logits);
        double expected = (FormulaLoss(kernel, x.AsSpan(0, classes), 3) + FormulaLoss(kernel, x.AsSpan(classes, classes), 4)) / 2;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(double.IsFinite(result.Loss), $"{path}: {result.Loss}");
            AssertClose(expected, result.Loss, 16 * Unit(kernel) * 1e4, path);
            Assert.All(result.Gradient, static g => Assert.True(double.IsFinite(g)));
        }
    }

    [Fact]
    public void MaskedClassesGetNoWeightAndNoGradient()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanGradFRows));
        const int classes = 50;
        (double[] logits, int[] targets) = Make(kernel, "Normal4", 2, classes, 21);
        targets = new[] { 1, 2 };
        var masked = new[] { 0, 7, 49, 50, 77, 99 };
        foreach (int i in masked)
        {
            logits[i] = double.NegativeInfinity;
        }

        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(double.IsFinite(result.Loss), $"{path}: {result.Loss}");
            foreach (int i in masked)
            {
                Assert.Equal(0.0, result.Gradient[i]);
            }
        }
    }

    [Fact]
    public void LabelSmoothingWithNegativeInfinityIsInfiniteAsPyTorch()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyNoneSmoothGradFRows));
        (double[] logits, int[] targets) = Make(kernel, "Normal4", 2, 9, 4);
        targets = new[] { 1, 2 };
        logits[5] = double.NegativeInfinity;   // row 0 only
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(double.IsPositiveInfinity(result.Losses[0]), $"{path}: (ε/K)·Σ log p_k with a −inf logit is −inf: the loss is +inf, got {result.Losses[0]}");
            Assert.True(double.IsFinite(result.Losses[1]), path);
        }
    }

    [Fact]
    public void LabelSmoothingWithIgnoreIndexAveragesTheCountedRows()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanSmoothZGradFU3Rows));
        const int classes = 40;
        (double[] logits, _) = Make(kernel, "Normal4", 4, classes, 8);
        int[] targets = { 3, kernel.IgnoreIndex, 39, kernel.IgnoreIndex };
        double[] x = Rounded(kernel, logits);
        double expected = (FormulaLoss(kernel, x.AsSpan(0, classes), 3) + FormulaLoss(kernel, x.AsSpan(2 * classes, classes), 39)) / 2;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            AssertClose(expected, result.Loss, Tolerance * Unit(kernel) * 10, path);
            Assert.All(result.Gradient.Skip(classes).Take(classes), static g => Assert.Equal(0.0, g));
            Assert.All(result.Gradient.Skip(3 * classes), static g => Assert.Equal(0.0, g));
        }
    }

    [Fact]
    public void NaNLogitMakesOnlyItsRowNaN()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyNoneFRows));
        (double[] logits, int[] targets) = Make(kernel, "Normal4", 3, 33, 12);
        targets = new[] { 0, 1, 2 };
        LossResult clean = kernel.Run(kernel.Dispatcher, logits, targets);
        logits[33 + 20] = double.NaN;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(double.IsNaN(result.Losses[1]), path);
            Assert.Equal(clean.Losses[0], result.Losses[0], 1e-6);
            Assert.Equal(clean.Losses[2], result.Losses[2], 1e-6);
        }
    }

    [Fact]
    public void BadSpansThrowAndWriteNothing()
    {
        LossInfo none = LossCatalog.Get(nameof(LossKernels.CrossEntropyNoneSmoothGradFRows));
        LossInfo mean = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanGradFRows));
        LossInfo width = LossCatalog.Get(nameof(LossKernels.CrossEntropyMeanGradDW10Rows));
        float[] logits = Enumerable.Range(0, 12).Select(static i => (float)i).ToArray();
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(none))
        {
            ExpectArgumentException(() => none.Call<float>(method, logits, new[] { 0, 1, 2 }, Filled(3), Filled(11)), "gradient", path);
            ExpectArgumentException(() => none.Call<float>(method, logits, new[] { 0, 1, 2 }, Filled(2), Filled(12)), "losses", path);
            ExpectArgumentException(() => none.Call<float>(method, logits, new[] { 0, 1, 2, 0, 1 }, Filled(5), Filled(12)), "logits", path);
            ExpectArgumentException(() => none.Call<float>(method, logits, Array.Empty<int>(), Filled(0), Filled(12)), "targets", path);

            // The gradient may be the logits themselves, but not a shifted view of them.
            float[] shared = new float[13];
            ExpectArgumentException(() => none.Call<float>(method, shared.AsSpan(0, 12), new[] { 0, 1, 2 }, Filled(3), shared.AsSpan(1, 12)), "gradient", path);
            float[] lossesInGradient = Filled(12);
            ExpectArgumentException(() => none.Call<float>(method, logits, new[] { 0, 1, 2 }, lossesInGradient.AsSpan(0, 3), lossesInGradient), "losses", path);
        }

        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(mean))
        {
            ExpectArgumentException(() => mean.Call<float>(method, logits, new[] { 0, 1, 2 }, default, Filled(13)), "gradient", path);
        }

        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(width))
        {
            double[] wrong = new double[12];
            ExpectArgumentException(() => width.Call<double>(method, wrong, new[] { 0, 1 }, default, new double[12]), "logits", path);
        }
    }

    [Fact]
    public void ZeroClassWeightOnATargetRemovesItsRow()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyClassWeightsMeanGradFRows));
        const int classes = 21;
        (double[] logits, _) = Make(kernel, "Normal4", 3, classes, 31);
        int[] targets = { 4, 9, 4 };
        double[] w = LossInfo.ClassWeightsFor(classes);
        w[4] = 0;
        double[] x = Rounded(kernel, logits), wr = Rounded(kernel, w);
        // Only row 1 weighs: the weighted mean is its own loss, w_9·ℓ_1 / w_9.
        double expected = FormulaRow(kernel, x.AsSpan(classes, classes), 9, wr).Loss / wr[9];
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            LossResult result = kernel.Run(method, logits, targets, w);
            AssertClose(expected, result.Loss, Unit(kernel) * Math.Max(1, logits.Max(Math.Abs)), path);
            Assert.All(result.Gradient.Take(classes).Concat(result.Gradient.Skip(2 * classes)), static g => Assert.Equal(0.0, g));
            Assert.Contains(result.Gradient.Skip(classes).Take(classes), static g => g != 0);
        }
    }

    [Fact]
    public void AllWeightsZeroGiveANaNMeanAsPyTorch()
    {
        LossInfo classWeighted = LossCatalog.Get(nameof(LossKernels.CrossEntropyClassWeightsMeanGradFRows));
        LossInfo sampleWeighted = LossCatalog.Get(nameof(LossKernels.CrossEntropySampleWeightsMeanGradDRows));
        (double[] logits, int[] targets) = Make(classWeighted, "Normal4", 5, 13, 32);
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(classWeighted).Append(("Reference", classWeighted.Paths["Reference"])))
        {
            LossResult result = classWeighted.Run(method, logits, targets, new double[13]);
            Assert.True(double.IsNaN(result.Loss), $"{path}: Σ w_y = 0 gives 0/0");
            Assert.All(result.Gradient.Take(13), g => Assert.False(double.IsFinite(g), $"{path}: the gradient of 0/0 is not finite, as PyTorch's"));
        }

        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(sampleWeighted).Append(("Reference", sampleWeighted.Paths["Reference"])))
        {
            Assert.True(double.IsNaN(sampleWeighted.Run(method, logits, targets, null, new double[5]).Loss), $"{path}: Σ s_i = 0 gives 0/0");
        }
    }

    [Fact]
    public void SmoothingWithAZeroWeightOnAMaskedClassIsNaNAsPyTorch()
    {
        // (ε/K)·Σ_k w_k·(−log p_k) with w_k = 0 and log p_k = −∞: 0·∞ = NaN, as PyTorch's −(input·weight).sum().
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyClassWeightsSmoothSumGradDRows));
        (double[] logits, _) = Make(kernel, "Normal4", 2, 9, 34);
        int[] targets = { 1, 2 };
        logits[5] = double.NegativeInfinity;   // row 0, class 5
        double[] w = LossInfo.ClassWeightsFor(9);
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            Assert.True(double.IsPositiveInfinity(kernel.Run(method, logits, targets, w).Loss), $"{path}: w_5 > 0 gives +∞");
            w[5] = 0;
            Assert.True(double.IsNaN(kernel.Run(method, logits, targets, w).Loss), $"{path}: w_5 = 0 gives 0·∞ = NaN");
            w[5] = 1;
        }
    }

    [Fact]
    public void SoftcapSaturatesHugeLogitsToAUniformRow()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropySoftcapMeanGradFRows));
        const int classes = 1000;
        double[] logits = Enumerable.Repeat(1e4, 2 * classes).ToArray();
        logits[3] = 1e4 + 5;
        int[] targets = { 3, 4 };
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            // c·tanh(1e4/c) = c exactly for every logit: the row is uniform, the loss log K, and tanh' = 0 stops the gradient.
            LossResult result = kernel.Run(method, logits, targets);
            AssertClose(Math.Log(classes), result.Loss, Unit(kernel) * kernel.Softcap, path);
            Assert.All(result.Gradient, static g => Assert.Equal(0.0, g));
        }
    }

    [Fact]
    public void SoftcapOfMaskedLogitsIsMinusTheCap()
    {
        // −∞ becomes c·tanh(−∞) = −c: a soft-capped kernel does not mask (as Gemma 2 / torch.tanh).
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyNoneOutputsSoftcapGradFRows));
        double[] logits = { 1, 2, double.NegativeInfinity, 0.5 };
        int[] targets = { 1 };
        double[] z = { 20 * Math.Tanh(1 / 20.0), 20 * Math.Tanh(2 / 20.0), -20, 20 * Math.Tanh(0.5 / 20.0) };
        double lse = Math.Log(z.Sum(Math.Exp));
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            LossResult result = kernel.Run(method, logits, targets);
            AssertClose(lse - z[1], result.Losses[0], Unit(kernel) * 20, path);
            AssertClose(lse, result.Lse[0], Unit(kernel) * 20, path);
            Assert.Equal(0.0, result.Gradient[2]);   // tanh'(−∞) = 0
        }
    }

    [Fact]
    public void NaNLogitMakesItsRowsOutputsNaNAndItsPrediction()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyNoneOutputsSoftcapGradFRows));
        (double[] logits, int[] targets) = Make(kernel, "Normal4", 3, 40, 33);
        targets = new[] { 0, 1, kernel.IgnoreIndex };
        LossResult clean = kernel.Run(kernel.Dispatcher, logits, targets);
        logits[40 + 17] = double.NaN;
        logits[40 + 30] = double.NaN;
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            LossResult result = kernel.Run(method, logits, targets);
            Assert.True(double.IsNaN(result.Losses[1]) && double.IsNaN(result.Lse[1]) && double.IsNaN(result.Entropy[1]), path);
            Assert.Equal(17, result.Predictions[1]);   // torch.argmax: the first NaN
            Assert.Equal(clean.Predictions[0], result.Predictions[0]);
            Assert.Equal(clean.Lse[0], result.Lse[0], 1e-5);
            Assert.Equal(clean.Entropy[2], result.Entropy[2], 1e-5);   // an ignored row still gets its LSE and entropy
            Assert.True(result.Lse[2] != 0 && double.IsFinite(result.Lse[2]), path);
        }
    }

    [Fact]
    public void PredictionsTakeTheLowestIndexOnATie()
    {
        LossInfo kernel = LossCatalog.Get(nameof(LossKernels.CrossEntropyPredictionsClassWeightsSumFW10Rows));
        double[] logits = new double[30];
        logits[3] = logits[7] = 2;            // row 0: a tie between 3 and 7
        logits[10] = 5;                       // row 1: the first element
        Array.Fill(logits, double.NegativeInfinity, 20, 10);
        logits[29] = -1;                      // row 2: all −∞ but the last
        int[] targets = { 3, 0, 9 };
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(kernel).Append(("Reference", kernel.Paths["Reference"])))
        {
            Assert.Equal(new[] { 3, 0, 9 }, kernel.Run(method, logits, targets).Predictions);
        }
    }

    [Fact]
    public void BadWeightAndOutputSpansThrowAndWriteNothing()
    {
        LossInfo weighted = LossCatalog.Get(nameof(LossKernels.CrossEntropyWeightsSmoothZGradFU3Rows));
        LossInfo outputs = LossCatalog.Get(nameof(LossKernels.CrossEntropyNoneOutputsSoftcapGradFRows));
        float[] logits = Enumerable.Range(0, 12).Select(static i => (float)i).ToArray();
        int[] targets = { 0, 1, 2 };
        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(weighted))
        {
            float[] gradient = Filled(12);
            ExpectArgumentException(() => weighted.Call(method, logits, targets, new LossSpans<float> { ClassWeights = Filled(3), SampleWeights = Filled(3), Gradient = gradient }), "classWeights", path);
            ExpectArgumentException(() => weighted.Call(method, logits, targets, new LossSpans<float> { ClassWeights = Filled(4), SampleWeights = Filled(2), Gradient = gradient }), "sampleWeights", path);
            float[] shared = Filled(16);
            ExpectArgumentException(() => weighted.Call(method, logits, targets, new LossSpans<float> { ClassWeights = shared.AsSpan(8, 4), SampleWeights = Filled(3), Gradient = shared.AsSpan(0, 12) }), "gradient", path);
            Assert.All(gradient, static g => Assert.Equal(float.Epsilon * 3, g));
        }

        foreach ((string path, MethodInfo method) in LossCatalog.RunnablePaths(outputs))
        {
            float[] losses = Filled(3), lse = Filled(3), entropy = Filled(3), gradient = Filled(12);
            int[] predictions = { 7, 7, 7 };
            LossSpans<float> Spans() => new() { Losses = losses, Lse = lse, Predictions = predictions, Entropy = entropy, Gradient = gradient };
            ExpectArgumentException(() => outputs.Call(method, logits, targets, Spans() with { Lse = Filled(2) }), "lse", path);
            ExpectArgumentException(() => outputs.Call(method, logits, targets, Spans() with { Predictions = new int[4] }), "predictions", path);
            ExpectArgumentException(() => outputs.Call(method, logits, targets, Spans() with { Entropy = losses }), "entropy", path);
            ExpectArgumentException(() => outputs.Call(method, logits, targets, Spans() with { Lse = gradient.AsSpan(2, 3) }), "lse", path);
            Assert.All(losses.Concat(lse).Concat(entropy).Concat(gradient), static v => Assert.Equal(float.Epsilon * 3, v));
            Assert.All(predictions, static p => Assert.Equal(7, p));
        }
    }

    [Fact]
    public void EveryDeclaredKernelIsChecked() => Assert.True(LossCatalog.All.Count >= 23, $"found {LossCatalog.All.Count} loss kernels");

    // ------------------------------------------------------------------------------------------- helpers

    /// <summary>
    /// One row by the textbook, in double, on z = c·tanh(x/c) (with a soft cap) and the class weights w (1 without):
    /// the cross-entropy −Σ_k q_k·w_k·log p_k with q = (1 − ε)·onehot(y) + ε/K (PyTorch's weighted, smoothed form:
    /// (1 − ε)·w_y·(−log p_y) + (ε/K)·Σ_k w_k·(−log p_k)), the z-loss term c·LSE², the LSE, the entropy −Σ p·log p.
    /// </summary>
    internal static (double Loss, double ZTerm, double Lse, double Entropy) FormulaRow(LossInfo kernel, ReadOnlySpan<double> x, int target, double[] w)
    {
        double[] z = x.ToArray().Select(v => kernel.Softcap == 0 ? v : kernel.Softcap * Math.Tanh(v / kernel.Softcap)).ToArray();
        double m = z.Length == 0 ? double.NegativeInfinity : z.Max();
        if (z.Any(double.IsNaN))
        {
            m = double.NaN;
        }

        double s = z.Sum(v => Math.Exp(v - m));
        double lse = m + Math.Log(s);
        double entropy = 0;
        foreach (double v in z)
        {
            double logP = v - lse, p = Math.Exp(logP);
            if (p != 0 || double.IsNaN(p))
            {
                entropy -= p * logP;   // 0·log 0 = 0
            }
        }

        if (target == kernel.IgnoreIndex)
        {
            return (0, 0, lse, entropy);
        }

        double eps = kernel.LabelSmoothing, k = z.Length, loss = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double q = ((i == target ? 1 : 0) * (1 - eps)) + (eps / k);
            if (q != 0)
            {
                loss -= q * (kernel.ClassWeights ? w[i] : 1) * (z[i] - lse);
            }
        }

        return (loss, kernel.ZLoss * lse * lse, lse, entropy);
    }

    /// <summary>
    /// The reduction as docs/attributes.md states it: Mean = Σ s_i·ℓ_i / Σ s_i·w_{y_i} over the rows that count, the
    /// z-loss part over Σ s_i when there are class weights (Liger-Kernel); Sum = Σ s_i·(ℓ_i + c·LSE_i²). A one-row kernel is a batch of one.
    /// </summary>
    internal static double FormulaReduce(LossInfo kernel, (double Loss, double ZTerm, double Lse, double Entropy)[] rows, int[] targets, double[] w, double[] sw)
    {
        if (kernel.Reduction == LossReduction.None && kernel.ManyRows)
        {
            return double.NaN;
        }

        double loss = 0, zTerm = 0, weights = 0, zWeights = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            if (targets[r] == kernel.IgnoreIndex)
            {
                continue;
            }

            double s = kernel.SampleWeights ? sw[r] : 1;
            loss += s * rows[r].Loss;
            zTerm += s * rows[r].ZTerm;
            weights += s * (kernel.ClassWeights ? w[targets[r]] : 1);
            zWeights += s;
        }

        if (kernel.Reduction != LossReduction.Mean)
        {
            return loss + zTerm;
        }

        return kernel.ClassWeights ? (loss / weights) + (zTerm / zWeights) : (loss + zTerm) / weights;
    }

    /// <summary>One row's loss by <see cref="FormulaRow"/> with the default weights (cross-entropy plus z-loss, unreduced).</summary>
    internal static double FormulaLoss(LossInfo kernel, ReadOnlySpan<double> z, int target)
    {
        var row = FormulaRow(kernel, z, target, LossInfo.ClassWeightsFor(z.Length));
        return row.Loss + row.ZTerm;
    }

    internal static IEnumerable<int> ClassCounts(LossInfo kernel)
    {
        if (kernel.Width != 0)
        {
            return new[] { kernel.Width };
        }

        // Around every vector boundary of every path (2, 4, 8, 16 lanes; unrolled blocks), a vocabulary-sized row natively.
        return Inputs.SmallScale
            ? new[] { 1, 3, 16, 17, 33, 65, 129, 1000 }
            : new[] { 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 255, 257, 1000, 4099, 32000 };
    }

    // Logits of a family, and a target per row (every fourth row ignored in the many-rows shape).
    internal static (double[] Logits, int[] Targets) Make(LossInfo kernel, string distribution, int rows, int classes, int seed)
    {
        var random = new Random(seed);
        double[] logits = new double[rows * classes];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < classes; i++)
            {
                logits[(r * classes) + i] = distribution switch
                {
                    "Normal4" => 4 * Inputs.Normal(random),
                    "Uniform100" => (random.NextDouble() * 200) - 100,
                    "Outlier" => i == random.Next(classes) ? 1e4 : Inputs.Normal(random),
                    "Masked" => random.NextDouble() < 0.3 ? double.NegativeInfinity : 3 * Inputs.Normal(random),
                    "Near1e4" => 1e4 + Inputs.Normal(random),
                    _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
                };
            }
        }

        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            targets[r] = kernel.ManyRows && r % 4 == 3 ? kernel.IgnoreIndex : random.Next(classes);
            if (distribution == "Masked")
            {
                // The target class is never masked (that loss is +inf: tested on its own).
                logits[(r * classes) + Math.Max(0, targets[r])] = 3 * Inputs.Normal(random);
            }
        }

        return (logits, targets);
    }

    internal static double[] Rounded(LossInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    // u of the element type: 2^-24 for float, 2^-53 for double.
    internal static double Unit(LossInfo kernel) => kernel.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);

    // The gradient's scale: (largest s_i·w_k)/(the mean's denominator) for Mean, else the largest s_i·w_k (1 without weights).
    internal static double Scale(LossInfo kernel, int[] targets, int classes)
    {
        double[] w = LossInfo.ClassWeightsFor(classes), sw = LossInfo.SampleWeightsFor(targets.Length);
        double weights = 0, zWeights = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] != kernel.IgnoreIndex)
            {
                double s = kernel.SampleWeights ? sw[r] : 1;
                weights += s * (kernel.ClassWeights ? w[targets[r]] : 1);
                zWeights += s;
            }
        }

        double largest = MaxWeight(kernel, classes) * MaxSample(kernel, targets.Length);
        double denominator = Math.Min(weights, zWeights);
        return kernel.ManyRows && kernel.Reduction == LossReduction.Mean && denominator > 0 ? largest / denominator
            : !kernel.ManyRows && kernel.Reduction == LossReduction.Mean && kernel.ClassWeights && targets[0] != kernel.IgnoreIndex ? largest / w[targets[0]]
            : largest;
    }

    private static double MaxWeight(LossInfo kernel, int classes) => kernel.ClassWeights && classes > 0 ? LossInfo.ClassWeightsFor(classes).Max() : 1;

    private static double MaxSample(LossInfo kernel, int rows) => kernel.SampleWeights && rows > 0 ? LossInfo.SampleWeightsFor(rows).Max() : 1;

    // Asserts |expected − actual| ≤ Tolerance units and returns the units (0 for matching non-finite values).
    internal static double AssertClose(double expected, double actual, double unit, string where)
    {
        if (!double.IsFinite(expected))
        {
            Assert.True(expected.Equals(actual), $"{where}: expected {expected}, got {actual}");
            return 0;
        }

        double units = Math.Abs(expected - actual) / unit;
        Assert.True(units <= Tolerance, $"{where}: expected {expected:R}, got {actual:R} ({units:F1} units)");
        return units;
    }

    internal static void AssertWithin(double expected, double actual, double tolerance, string where) =>
        Assert.True(expected.Equals(actual) || Math.Abs(expected - actual) <= tolerance, $"{where}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");

    private static float[] Filled(int length) => Enumerable.Repeat(float.Epsilon * 3, length).ToArray();

    private static void ExpectArgumentException(Func<double> call, string parameter, string path)
    {
        ArgumentException argument = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.True(argument.ParamName == parameter, $"{path}: the exception names '{argument.ParamName}', not '{parameter}'");
    }

    // Runs with outputs full of a sentinel: throws what the kernel throws.
    internal static void RunSentinel(LossInfo kernel, MethodInfo method, double[] logits, int[] targets, out double[] losses, out double[] gradient)
    {
        const double Sentinel = 12345.678;
        int lossCount = kernel.ManyRows && kernel.Reduction == LossReduction.None ? targets.Length : 0;
        int gradientCount = kernel.HasGradient ? logits.Length : 0;
        if (kernel.IsDouble)
        {
            double[] l = Enumerable.Repeat(Sentinel, lossCount).ToArray(), g = Enumerable.Repeat(Sentinel, gradientCount).ToArray();
            try
            {
                kernel.Call<double>(method, logits, targets, l, g);
            }
            finally
            {
                losses = l;
                gradient = g;
            }
        }
        else
        {
            float[] l = Enumerable.Repeat((float)Sentinel, lossCount).ToArray(), g = Enumerable.Repeat((float)Sentinel, gradientCount).ToArray();
            try
            {
                kernel.Call<float>(method, logits.Select(static v => (float)v).ToArray(), targets, l, g);
            }
            finally
            {
                losses = l.Select(static v => (double)v).ToArray();
                gradient = g.Select(static v => (double)v).ToArray();
            }
        }
    }

    internal static void RunSentinelNoThrowCheck(LossInfo kernel, MethodInfo method, double[] logits, int[] targets, string path)
    {
        double[] losses = Array.Empty<double>(), gradient = Array.Empty<double>();
        try
        {
            RunSentinel(kernel, method, logits, targets, out losses, out gradient);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Expected: what matters is that nothing was written.
        }

        Assert.All(losses, l => Assert.True(l == (kernel.IsDouble ? 12345.678 : (float)12345.678), $"{path}: a loss was written before the exception"));
        Assert.All(gradient, g => Assert.True(g == (kernel.IsDouble ? 12345.678 : (float)12345.678), $"{path}: the gradient was written before the exception"));
    }
}
