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
                        double scale = Scale(kernel, targets);
                        double magnitude = Math.Max(1, logits.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                        double zFactor = 1 + (2 * kernel.ZLoss * (magnitude + Math.Log(classes)));   // the z-loss term scales the gradient by 1 + 2c·LSE
                        // A loss is known to u·max|z| (the logits' own rounding), a sum of losses to u·|sum| at best.
                        double lossUnits = AssertClose(expected.Loss, actual.Loss, Unit(kernel) * Math.Max(magnitude, double.IsFinite(expected.Loss) ? Math.Abs(expected.Loss) : 0), where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, AssertClose(expected.Losses[i], actual.Losses[i], Unit(kernel) * magnitude, $"{where}, losses[{i}]"));
                        }

                        double gradientUnits = 0;
                        for (int i = 0; i < expected.Gradient.Length; i++)
                        {
                            gradientUnits = Math.Max(gradientUnits, AssertClose(expected.Gradient[i], actual.Gradient[i], Unit(kernel) * scale * zFactor, $"{where}, gradient[{i}]"));
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
                double[] perRow = Enumerable.Range(0, rows).Select(r => FormulaLoss(kernel, x.AsSpan(r * classes, classes), targets[r])).ToArray();
                int counted = targets.Count(t => t != kernel.IgnoreIndex);
                double expected = !kernel.ManyRows ? (targets[0] == kernel.IgnoreIndex && kernel.Reduction == LossReduction.Mean ? double.NaN : perRow[0])
                    : kernel.Reduction switch
                    {
                        LossReduction.Mean => perRow.Sum() / counted,
                        LossReduction.Sum => perRow.Sum(),
                        _ => double.NaN,
                    };
                // The Reference computes in double from the rounded logits, then rounds its result to the element type.
                double magnitude = Math.Max(1, x.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                double Tolerance(double value) => (1e-12 * magnitude) + (kernel.IsDouble ? 0 : 1e-7 * Math.Abs(value));
                AssertWithin(expected, actual.Loss, double.IsFinite(expected) ? Tolerance(expected) : 0, $"{name} {distribution} {rows}×{classes}");
                for (int r = 0; r < actual.Losses.Length; r++)
                {
                    AssertWithin(perRow[r], actual.Losses[r], Tolerance(perRow[r]), $"{name} {distribution} losses[{r}]");
                }
            }
        }
    }

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
        (double[] logits, int[] targets) = Make(kernel, "Normal4", rows, classes, 7);
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
            Assert.True(Math.Abs(difference - gradient[i]) <= 1e-8 * Math.Max(1, Math.Abs(gradient[i])), $"{name}: ∂L/∂z[{i}] = {gradient[i]:R}, central difference {difference:R}");
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void AllTargetsIgnoredGiveNaNMeanZeroSumAndZeroGradient(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
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
    public void TargetOutOfRangeThrowsAndWritesNothing(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
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
    public void GradientMayReplaceTheLogits(string name)
    {
        LossInfo kernel = LossCatalog.Get(name);
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
    public void EveryDeclaredKernelIsChecked() => Assert.True(LossCatalog.All.Count >= 12, $"found {LossCatalog.All.Count} loss kernels");

    // ------------------------------------------------------------------------------------------- helpers

    /// <summary>−Σ_k q_k·log p_k + c·LSE², q = (1 − ε)·onehot(y) + ε/K, log p_k = z_k − LSE: the textbook form, in double.</summary>
    internal static double FormulaLoss(LossInfo kernel, ReadOnlySpan<double> z, int target)
    {
        if (target == kernel.IgnoreIndex)
        {
            return 0;
        }

        double m = double.NegativeInfinity;
        foreach (double v in z)
        {
            m = Math.Max(m, v);
        }

        double s = 0;
        foreach (double v in z)
        {
            s += Math.Exp(v - m);
        }

        double lse = m + Math.Log(s);
        double eps = kernel.LabelSmoothing, k = z.Length, loss = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double q = ((i == target ? 1 : 0) * (1 - eps)) + (eps / k);
            if (q != 0)
            {
                loss -= q * (z[i] - lse);
            }
        }

        return loss + (kernel.ZLoss * lse * lse);
    }

    private static IEnumerable<int> ClassCounts(LossInfo kernel)
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
    private static (double[] Logits, int[] Targets) Make(LossInfo kernel, string distribution, int rows, int classes, int seed)
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

    private static double[] Rounded(LossInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    // u of the element type: 2^-24 for float, 2^-53 for double.
    private static double Unit(LossInfo kernel) => kernel.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);

    // The gradient's scale: 1/(rows that count) for Mean, else 1.
    private static double Scale(LossInfo kernel, int[] targets)
    {
        int counted = targets.Count(t => t != kernel.IgnoreIndex);
        return kernel.ManyRows && kernel.Reduction == LossReduction.Mean && counted > 0 ? 1.0 / counted : 1.0;
    }

    // Asserts |expected − actual| ≤ Tolerance units and returns the units (0 for matching non-finite values).
    private static double AssertClose(double expected, double actual, double unit, string where)
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

    private static void AssertWithin(double expected, double actual, double tolerance, string where) =>
        Assert.True(expected.Equals(actual) || Math.Abs(expected - actual) <= tolerance, $"{where}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3})");

    private static float[] Filled(int length) => Enumerable.Repeat(float.Epsilon * 3, length).ToArray();

    private static void ExpectArgumentException(Func<double> call, string parameter, string path)
    {
        ArgumentException argument = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.True(argument.ParamName == parameter, $"{path}: the exception names '{argument.ParamName}', not '{parameter}'");
    }

    // Runs with outputs full of a sentinel: throws what the kernel throws.
    private static void RunSentinel(LossInfo kernel, MethodInfo method, double[] logits, int[] targets, out double[] losses, out double[] gradient)
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

    private static void RunSentinelNoThrowCheck(LossInfo kernel, MethodInfo method, double[] logits, int[] targets, string path)
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
