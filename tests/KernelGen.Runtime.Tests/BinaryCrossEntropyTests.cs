using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

// The shapes of the elementwise losses, by the count of read-only spans (logits, targets, per-class spans) and written
// spans (losses, gradient), returning the loss (R) or nothing (V).
#pragma warning disable SA1649, SA1402 // delegates beside the tests that use them
public delegate T BinaryR2<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b);

public delegate T BinaryR2S1<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c);

public delegate T BinaryR3S1<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> d);

public delegate T BinaryR4S1<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, ReadOnlySpan<T> d, Span<T> e);

public delegate void BinaryV2S2<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, Span<T> d);

public delegate void BinaryV3S2<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> d, Span<T> e);
#pragma warning restore SA1649, SA1402

/// <summary>One elementwise loss kernel of <see cref="BinaryLossKernels"/>, read from its attribute.</summary>
public sealed record BinaryLossInfo(string Name, bool IsDouble, bool Focal, double Gamma, double Alpha, LossReduction Reduction, bool Weights, bool PosWeight, bool HasGradient, Dictionary<string, MethodInfo> Paths, MethodInfo Dispatcher)
{
    public bool PerClass => this.Weights || this.PosWeight;

    public double Unit => this.IsDouble ? Math.Pow(2, -52) : Math.Pow(2, -23);

    public static IReadOnlyList<BinaryLossInfo> All { get; } = Discover();

    public static BinaryLossInfo Get(string name) => All.Single(k => k.Name == name);

    private static List<BinaryLossInfo> Discover()
    {
        var list = new List<BinaryLossInfo>();
        foreach (MethodInfo method in typeof(BinaryLossKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            (bool Focal, double Gamma, double Alpha, LossReduction Reduction, bool Weights, bool PosWeight)? a =
                method.GetCustomAttribute<BinaryCrossEntropyAttribute>() is { } b ? (false, 0, 0, b.Reduction, b.Weights, b.PosWeight)
                : method.GetCustomAttribute<FocalLossAttribute>() is { } f ? (true, f.Gamma, f.Alpha == 1 ? 0.25 : f.Alpha, f.Reduction, f.ClassWeights, false)
                : null;
            if (a is not { } found)
            {
                continue;
            }

            Type paths = typeof(BinaryLossKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public | BindingFlags.NonPublic)!;
            var pathMethods = new Dictionary<string, MethodInfo>();
            foreach (string name in new[] { "Avx512", "Avx2", "Neon", "Vector128", "Scalar", "Reference" })
            {
                if (paths.GetMethod(name, BindingFlags.Public | BindingFlags.Static) is { } m)
                {
                    pathMethods[name] = m;
                }
            }

            bool gradient = method.GetParameters().Last().Name == "gradient";
            list.Add(new BinaryLossInfo(method.Name, method.GetParameters()[0].ParameterType == typeof(ReadOnlySpan<double>), found.Focal, found.Gamma, found.Alpha, found.Reduction, found.Weights, found.PosWeight, gradient, pathMethods, method));
        }

        return list;
    }

    /// <summary>Rounds to the kernel's element type.</summary>
    public double[] Rounded(double[] values) => this.IsDouble ? values : values.Select(static v => (double)(float)v).ToArray();

    /// <summary>Calls a path: the loss (NaN for None), the per-element losses and the gradient (empty when absent).</summary>
    public (double Loss, double[] Losses, double[] Gradient) Run(MethodInfo method, double[] logits, double[] targets, double[] weights, double[] posWeight, double gradientFill = 0, int badSpan = -1, bool inPlace = false) =>
        this.IsDouble
            ? this.Run<double>(method, logits, targets, weights, posWeight, static v => v, static v => v, gradientFill, badSpan, inPlace)
            : this.Run<float>(method, logits, targets, weights, posWeight, static v => (float)v, static v => v, gradientFill, badSpan, inPlace);

    private (double Loss, double[] Losses, double[] Gradient) Run<T>(MethodInfo method, double[] logits, double[] targets, double[] weights, double[] posWeight, Func<double, T> to, Func<T, double> from, double fill, int badSpan, bool inPlace)
    {
        // badSpan: 0 targets, 1 weights, 2 posWeight, 3 losses, 4 gradient made one element longer.
        T[] Make(double[] v, int index) => (index == badSpan ? v.Append(0.5) : v).Select(to).ToArray();
        T[] x = Make(logits, -2), y = Make(targets, 0), w = Make(weights, 1), pw = Make(posWeight, 2);
        T[] l = Make(Enumerable.Repeat(fill, logits.Length).ToArray(), 3), g = inPlace ? x : Make(Enumerable.Repeat(fill, logits.Length).ToArray(), 4);
        var read = new List<T[]> { x, y };
        if (this.Weights)
        {
            read.Add(w);
        }

        if (this.PosWeight)
        {
            read.Add(pw);
        }

        double loss = double.NaN;
        bool none = this.Reduction == LossReduction.None;
        D Get<D>() where D : Delegate => (D)method.CreateDelegate(typeof(D));
        switch ((read.Count, none, this.HasGradient))
        {
            case (2, false, false): loss = from(Get<BinaryR2<T>>()(read[0], read[1])); break;
            case (2, false, true): loss = from(Get<BinaryR2S1<T>>()(read[0], read[1], g)); break;
            case (3, false, true): loss = from(Get<BinaryR3S1<T>>()(read[0], read[1], read[2], g)); break;
            case (4, false, true): loss = from(Get<BinaryR4S1<T>>()(read[0], read[1], read[2], read[3], g)); break;
            case (2, true, true): Get<BinaryV2S2<T>>()(read[0], read[1], l, g); break;
            case (3, true, true): Get<BinaryV3S2<T>>()(read[0], read[1], read[2], l, g); break;
            default: throw new NotSupportedException(this.Name + ": add a delegate for this shape");
        }

        return (loss, none ? l.Select(from).ToArray() : Array.Empty<double>(), this.HasGradient ? g.Select(from).ToArray() : Array.Empty<double>());
    }
}

/// <summary>
/// [BinaryCrossEntropy] and [FocalLoss(Sigmoid = true)]: every path against its Reference (docs/accuracy.md), the Reference
/// against PyTorch's and torchvision's formulas written here, its gradient against central differences, the edge cases
/// (±1e4 and −∞ logits, no element, wrong span lengths) and the reductions' relations.
/// </summary>
public class BinaryCrossEntropyTests
{
    public static IEnumerable<object[]> AllKernels => BinaryLossInfo.All.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> DoubleGradientKernels => BinaryLossInfo.All.Where(static k => k.IsDouble && k.HasGradient).Select(static k => new object[] { k.Name });

    // (classes, rows): K per row with per-class spans; else the span is one row of K·rows elements.
    private static IEnumerable<(int Classes, int Rows)> Sizes(BinaryLossInfo kernel) => kernel.PerClass
        ? new[] { (1, 5), (3, 7), (17, 3), (64, 2), (1000, 3), (5, 0) }
        : new[] { (0, 1), (1, 1), (7, 1), (33, 1), (1000, 1), (4099, 1) };

    private static (double[] Logits, double[] Targets, double[] Weights, double[] PosWeight) Make(BinaryLossInfo kernel, string distribution, int classes, int rows, int seed)
    {
        var random = new Random(seed);
        int n = classes * rows;
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] logits = Enumerable.Range(0, n).Select(_ => distribution switch
        {
            "wide" => 40 * (random.NextDouble() - 0.5),
            "huge" => random.Next(3) switch { 0 => 1e4, 1 => -1e4, _ => 3 * Normal() },
            _ => 3 * Normal(),
        }).ToArray();
        double[] targets = Enumerable.Range(0, n).Select(_ => distribution == "soft" ? random.NextDouble() : random.Next(2)).ToArray();
        double[] weights = Enumerable.Range(0, classes).Select(_ => 0.25 + (2 * random.NextDouble())).ToArray();
        double[] posWeight = Enumerable.Range(0, classes).Select(_ => 0.5 + (4 * random.NextDouble())).ToArray();
        return (kernel.Rounded(logits), kernel.Rounded(targets), kernel.Rounded(weights), kernel.Rounded(posWeight));
    }

    private static readonly string[] Distributions = { "hard", "soft", "wide", "huge" };

    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        if (expected is null)
        {
            return;
        }

        foreach (BinaryLossInfo kernel in BinaryLossInfo.All)
        {
            var selected = (KernelPath)kernel.Paths["Reference"].DeclaringType!.GetProperty("Selected")!.GetValue(null)!;
            Assert.Equal(expected, selected.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        int seed = 1;
        var worst = new SortedDictionary<string, double>();
        foreach ((int classes, int rows) in Sizes(kernel))
        {
            foreach (string distribution in Distributions)
            {
                (double[] z, double[] y, double[] w, double[] pw) = Make(kernel, distribution, classes, rows, seed++);
                (double loss, double[] losses, double[] gradient) = kernel.Run(kernel.Paths["Reference"], z, y, w, pw);
                int n = z.Length;
                double Weight(int i) => (kernel.Weights ? w[i % classes] : 1) * (kernel.PosWeight ? 1 + pw[i % classes] : 2);

                // Each element's loss is known to a few units of its terms' size, w·(1 + pw)·(|z| + 1); its gradient to a few of w·(1 + pw).
                double[] elementUnit = Enumerable.Range(0, n).Select(i => kernel.Unit * Weight(i) * (Math.Abs(z[i]) + 1) * (kernel.Focal ? 4 : 1)).ToArray();
                double scale = kernel.Reduction == LossReduction.Mean ? 1.0 / n : 1.0;
                foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
                {
                    (double actualLoss, double[] actualLosses, double[] actualGradient) = kernel.Run(method, z, y, w, pw);
                    string where = $"{name}.{path} {rows}×{classes} {distribution}";
                    double units = 0;
                    if (kernel.Reduction != LossReduction.None)
                    {
                        double unit = (elementUnit.Sum() * scale) + (kernel.Unit * Math.Abs(loss)) + double.Epsilon;
                        units = LossTests.AssertClose(loss, actualLoss, unit, where + ", loss");
                    }

                    for (int i = 0; i < losses.Length; i++)
                    {
                        units = Math.Max(units, LossTests.AssertClose(losses[i], actualLosses[i], elementUnit[i], $"{where}, losses[{i}]"));
                    }

                    for (int i = 0; i < gradient.Length; i++)
                    {
                        units = Math.Max(units, LossTests.AssertClose(gradient[i], actualGradient[i], kernel.Unit * Weight(i) * scale * (kernel.Focal ? 4 * (Math.Abs(z[i]) + 1) : 1), $"{where}, gradient[{i}]"));
                    }

                    worst[path] = Math.Max(worst.GetValueOrDefault(path), units);
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worst.Select(static p => $"{p.Key} {p.Value:F2}")));
    }

    // PyTorch's BCEWithLogitsLoss and torchvision's sigmoid_focal_loss, written from their definitions with σ = 1/(1 + e^(−z)).
    private static double Formula(BinaryLossInfo kernel, double z, double y, double w, double pw)
    {
        double p = 1 / (1 + Math.Exp(-z));
        double bce = -((pw * y * Math.Log(p)) + ((1 - y) * Math.Log(1 - p)));
        if (!kernel.Focal)
        {
            return w * bce;
        }

        double pt = (p * y) + ((1 - p) * (1 - y));
        double alphaT = kernel.Alpha >= 0 ? (kernel.Alpha * y) + ((1 - kernel.Alpha) * (1 - y)) : 1;
        return w * alphaT * Math.Pow(1 - pt, kernel.Gamma) * bce;
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesThePublishedFormula(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        int seed = 500;
        foreach ((int classes, int rows) in Sizes(kernel).Where(static s => s.Classes * s.Rows <= 1000))
        {
            foreach (string distribution in new[] { "hard", "soft" })
            {
                (double[] z, double[] y, double[] w, double[] pw) = Make(kernel, distribution, classes, rows, seed++);
                (double loss, double[] losses, _) = kernel.Run(kernel.Paths["Reference"], z, y, w, pw);
                double[] expected = z.Select((v, i) => Formula(kernel, v, y[i], kernel.Weights ? w[i % classes] : 1, kernel.PosWeight ? pw[i % classes] : 1)).ToArray();
                double Tolerance(double value) => (1e-11 * Math.Abs(value)) + 1e-13 + (kernel.IsDouble ? 0 : 2e-7 * Math.Abs(value));
                for (int i = 0; i < losses.Length; i++)
                {
                    LossTests.AssertWithin(expected[i], losses[i], Tolerance(expected[i]), $"{name} {distribution} losses[{i}]");
                }

                if (kernel.Reduction != LossReduction.None)
                {
                    double total = expected.Sum();
                    double reduced = kernel.Reduction == LossReduction.Mean ? total / z.Length : total;
                    LossTests.AssertWithin(reduced, loss, Tolerance(reduced) + (1e-12 * expected.Select(Math.Abs).Sum()), $"{name} {distribution} {rows}×{classes}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(DoubleGradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        int classes = kernel.PerClass ? 5 : 12, rows = kernel.PerClass ? 3 : 1;
        foreach (string distribution in new[] { "hard", "soft" })
        {
            (double[] z, double[] y, double[] w, double[] pw) = Make(kernel, distribution, classes, rows, 77);
            MethodInfo reference = kernel.Paths["Reference"];
            double[] gradient = kernel.Run(reference, z, y, w, pw).Gradient;
            for (int i = 0; i < z.Length; i++)
            {
                const double h = 1e-5;
                double Value(double delta)
                {
                    double[] moved = (double[])z.Clone();
                    moved[i] += delta;
                    (double loss, double[] losses, _) = kernel.Run(reference, moved, y, w, pw);
                    return kernel.Reduction == LossReduction.None ? losses[i] : loss;
                }

                double numeric = (Value(h) - Value(-h)) / (2 * h);
                LossTests.AssertWithin(numeric, gradient[i], 1e-7 * Math.Max(1, Math.Abs(numeric)), $"{name} {distribution} gradient[{i}] at z = {z[i]}, y = {y[i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InfiniteAndHugeLogitsGiveTheLimits(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        double[] z = { 1e4, 1e4, -1e4, -1e4, double.NegativeInfinity, double.NegativeInfinity, double.PositiveInfinity, double.PositiveInfinity, 1e4, double.NegativeInfinity };
        double[] y = { 1, 0, 1, 0, 1, 0, 1, 0, 0.5, 0.5 };
        int classes = kernel.PerClass ? z.Length : z.Length;
        double[] w = Enumerable.Repeat(1.5, classes).ToArray(), pw = Enumerable.Repeat(2.0, classes).ToArray();
        double wk = kernel.Weights ? 1.5 : 1, pwk = kernel.PosWeight ? 2 : 1;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher).Prepend(("Reference", kernel.Paths["Reference"])))
        {
            (double loss, double[] losses, double[] gradient) = kernel.Run(method, z, y, w, pw);
            string where = $"{name}.{path}";
            if (losses.Length != 0)
            {
                // Saturated and right: 0 (the focal loss too); saturated and wrong: 1e4·weight (BCE) or +∞.
                Assert.True(losses[0] == 0 && losses[3] == 0 && losses[4] == double.PositiveInfinity && losses[5] == 0 && losses[6] == 0 && losses[7] == double.PositiveInfinity, $"{where}: {string.Join(", ", losses)}");
                Assert.True(double.IsFinite(losses[1]) && losses[1] > 1000 && double.IsFinite(losses[2]) && losses[2] > 1000, $"{where}: {string.Join(", ", losses)}");
            }
            else
            {
                Assert.Equal(double.PositiveInfinity, loss);
            }

            if (gradient.Length != 0)
            {
                double scale = kernel.Reduction == LossReduction.Mean ? 1.0 / z.Length : 1.0;
                Assert.True(gradient.All(double.IsFinite), $"{where}: gradient {string.Join(", ", gradient)}");
                if (!kernel.Focal)
                {
                    // (1 − y)·σ(z) − pw·y·σ(−z): 0 when saturated and right, w·(1 − y) or −w·pw·y when wrong.
                    double[] expected = { 0, wk, -wk * pwk, 0, -wk * pwk, 0, 0, wk, wk * 0.5, -wk * pwk * 0.5 };
                    for (int i = 0; i < z.Length; i++)
                    {
                        LossTests.AssertWithin(expected[i] * scale, gradient[i], 1e-6 * scale, $"{where} gradient[{i}]");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NoElementGivesNaNMeanOrZeroSum(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        double[] empty = Array.Empty<double>(), classes = kernel.PerClass ? new[] { 1.0, 2.0 } : empty;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher).Prepend(("Reference", kernel.Paths["Reference"])))
        {
            double loss = kernel.Run(method, empty, empty, classes, classes).Loss;
            if (kernel.Reduction == LossReduction.Sum)
            {
                Assert.Equal(0.0, loss);
            }
            else
            {
                Assert.True(double.IsNaN(loss), $"{name}.{path}: {loss}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void WrongSpanLengthsThrowNamingTheParameterAndWriteNothing(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        (double[] z, double[] y, double[] w, double[] pw) = Make(kernel, "soft", 4, 3, 9);
        var bad = new List<(int Span, string Parameter)> { (0, "targets") };
        if (kernel.Weights)
        {
            bad.Add((1, kernel.Focal ? "classWeights" : "weight"));
        }

        if (kernel.PosWeight)
        {
            bad.Add((2, "posWeight"));
        }

        if (kernel.Reduction == LossReduction.None)
        {
            bad.Add((3, "losses"));
        }

        if (kernel.HasGradient)
        {
            bad.Add((4, "gradient"));
        }

        if (!kernel.PerClass)
        {
            z = z.Take(12).ToArray();
        }

        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher).Prepend(("Reference", kernel.Paths["Reference"])))
        {
            foreach ((int span, string parameter) in bad)
            {
                var exception = Assert.ThrowsAny<Exception>(() => kernel.Run(method, z, y, w, pw, gradientFill: 7, badSpan: span));
                ArgumentException argument = Assert.IsAssignableFrom<ArgumentException>(exception is TargetInvocationException { InnerException: { } inner } ? inner : exception);
                Assert.True(argument.ParamName == parameter, $"{name}.{path}: the exception names '{argument.ParamName}', not '{parameter}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void GradientMayReplaceTheLogits(string name)
    {
        BinaryLossInfo kernel = BinaryLossInfo.Get(name);
        if (!kernel.HasGradient)
        {
            return;
        }

        (double[] z, double[] y, double[] w, double[] pw) = Make(kernel, "soft", 17, 3, 11);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            (double loss, double[] losses, double[] gradient) = kernel.Run(method, z, y, w, pw);
            (double inPlaceLoss, double[] inPlaceLosses, double[] inPlaceGradient) = kernel.Run(method, z, y, w, pw, inPlace: true);
            Assert.True(loss.Equals(inPlaceLoss) && losses.SequenceEqual(inPlaceLosses) && gradient.SequenceEqual(inPlaceGradient), $"{name}.{path}");
        }
    }
}
