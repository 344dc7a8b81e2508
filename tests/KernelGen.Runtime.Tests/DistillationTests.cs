using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>One generated [KLDivergence] or [DistillationLoss] kernel, found by reflection.</summary>
public sealed class DistillationInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool IsDistillation { get; init; }

    public required bool ManyRows { get; init; }

    public required bool HasGradient { get; init; }

    public required LossReduction Reduction { get; init; }

    public required double Temperature { get; init; }

    public required bool Squared { get; init; }

    /// <summary>β of the JSD; 0 is the forward KL, 1 the reverse (as LigerJSD), also when Jsd is off (0).</summary>
    public required double Beta { get; init; }

    public required double Alpha { get; init; }

    public required int IgnoreIndex { get; init; }

    public required int Width { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public override string ToString() => this.Name;

    /// <summary>T² (or 1 without the factor).</summary>
    public double LossFactor => this.Squared ? this.Temperature * this.Temperature : 1;

    /// <summary>The factor of (p − q) in the gradient: T (or 1/T).</summary>
    public double GradientFactor => this.Squared ? this.Temperature : 1 / this.Temperature;

    /// <summary>u of the element type.</summary>
    public double Unit => this.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);

    /// <summary>Runs on rows × classes logits (rounded to the element type) into fresh outputs: (loss, losses, gradient).</summary>
    public (double Loss, double[] Losses, double[] Gradient) Run(MethodInfo method, double[] student, double[] teacher, int classes, int[] targets)
    {
        int rows = classes == 0 ? targets.Length : student.Length / classes;
        if (this.IsDistillation)
        {
            rows = this.ManyRows ? targets.Length : 1;
        }

        return this.IsDouble
            ? this.Run<double>(method, student, teacher, classes, targets, rows, static v => v, static v => v)
            : this.Run<float>(method, student, teacher, classes, targets, rows, static v => (float)v, static v => v);
    }

    private (double, double[], double[]) Run<T>(MethodInfo method, double[] student, double[] teacher, int classes, int[] targets, int rows, Func<double, T> narrow, Func<T, double> widen)
        where T : struct
    {
        var losses = new T[this.ManyRows && this.Reduction == LossReduction.None ? rows : 0];
        var gradient = new T[this.HasGradient ? student.Length : 0];
        double loss = this.Call<T>(method, student.Select(narrow).ToArray(), teacher.Select(narrow).ToArray(), classes, targets, losses, gradient);
        return (loss, losses.Select(widen).ToArray(), gradient.Select(widen).ToArray());
    }

    /// <summary>Calls the kernel with the spans given (the tests of bad spans and of in-place gradients).</summary>
    public double Call<T>(MethodInfo method, ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, int classes, int[] targets, Span<T> losses, Span<T> gradient)
        where T : struct
    {
        D Get<D>() where D : Delegate => (D)method.CreateDelegate(typeof(D));
        static double Widen(T value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        bool none = this.Reduction == LossReduction.None;
        string key = (this.IsDistillation ? "d" : "k") + (this.ManyRows ? "rows" : "row") + (this.ManyRows && none ? ",losses" : string.Empty) + (this.HasGradient ? ",g" : string.Empty);
        switch (key)
        {
            case "krow": return Widen(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<T>, T>>()(student, teacher));
            case "krow,g": return Widen(Get<KlRowGradient<T>>()(student, teacher, gradient));
            case "krows": return Widen(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<T>, int, T>>()(student, teacher, classes));
            case "krows,g": return Widen(Get<KlRowsGradient<T>>()(student, teacher, classes, gradient));
            case "krows,losses": Get<KlRowsLosses<T>>()(student, teacher, classes, losses); return double.NaN;
            case "krows,losses,g": Get<KlRowsLossesGradient<T>>()(student, teacher, classes, losses, gradient); return double.NaN;
            case "drow": return Widen(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<T>, int, T>>()(student, teacher, targets[0]));
            case "drow,g": return Widen(Get<DistillRowGradient<T>>()(student, teacher, targets[0], gradient));
            case "drows,g": return Widen(Get<DistillRowsGradient<T>>()(student, teacher, targets, gradient));
            case "drows,losses,g": Get<DistillRowsLossesGradient<T>>()(student, teacher, targets, losses, gradient); return double.NaN;
            default: throw new NotSupportedException($"{this.Name}: no delegate for '{key}'.");
        }
    }
}

public delegate T KlRowGradient<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, Span<T> gradient);

public delegate T KlRowsGradient<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, int rowLength, Span<T> gradient);

public delegate void KlRowsLosses<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, int rowLength, Span<T> losses);

public delegate void KlRowsLossesGradient<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, int rowLength, Span<T> losses, Span<T> gradient);

public delegate T DistillRowGradient<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, int target, Span<T> gradient);

public delegate T DistillRowsGradient<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, ReadOnlySpan<int> targets, Span<T> gradient);

public delegate void DistillRowsLossesGradient<T>(ReadOnlySpan<T> student, ReadOnlySpan<T> teacher, ReadOnlySpan<int> targets, Span<T> losses, Span<T> gradient);

/// <summary>Finds every kernel declared in <see cref="DistillationKernels"/>.</summary>
public static class DistillationCatalog
{
    public static readonly IReadOnlyList<DistillationInfo> All = Discover().ToList();

    public static DistillationInfo Get(string name) => All.Single(k => k.Name == name);

    public static IEnumerable<object[]> Names(Func<DistillationInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<DistillationInfo> Discover()
    {
        foreach (MethodInfo method in typeof(DistillationKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<DistillationOptionsAttribute>() is not { } a)
            {
                continue;
            }

            ParameterInfo[] parameters = method.GetParameters();
            bool distill = a is DistillationLossAttribute;
            bool manyRows = distill ? parameters[2].ParameterType == typeof(ReadOnlySpan<int>) : parameters.Length > 2 && parameters[2].ParameterType == typeof(int);
            yield return new DistillationInfo
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                IsDistillation = distill,
                ManyRows = manyRows,
                HasGradient = parameters[^1].Name == "gradient",
                Reduction = a.Reduction,
                Temperature = a.Temperature,
                Squared = a.ScaleByTemperatureSquared,
                Beta = a.Jsd ? a.Beta : 0,
                Alpha = a is DistillationLossAttribute d ? d.Alpha : 1,
                IgnoreIndex = a is DistillationLossAttribute i ? i.IgnoreIndex : -100,
                Width = a.Width,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(typeof(DistillationKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!),
            };
        }
    }
}

/// <summary>
/// [KLDivergence] and [DistillationLoss]: every path against its Reference (units of docs/accuracy.md), the Reference
/// against the formulas written here (Hinton's T²·KL, LigerJSD's generalized JSD, the cross-entropy), its gradient against
/// central differences, the large-T limit, the JSD's symmetry, identical rows, masks, huge logits and the argument checks.
/// </summary>
public class DistillationTests
{
    public static IEnumerable<object[]> AllKernels => DistillationCatalog.Names();

    public static IEnumerable<object[]> GradientKernels => DistillationCatalog.Names(static k => k.HasGradient);

    // (Not T = 1000: there T²·KL is a difference of nearly equal logits scaled by 10⁶, beyond central differences in double;
    // LargeTemperatureMatchesLogits checks that kernel against Hinton's limit instead.)
    public static IEnumerable<object[]> DoubleGradientKernels => DistillationCatalog.Names(static k => k.HasGradient && k.IsDouble && k.Temperature <= 10);

    public static IEnumerable<object[]> DistillationRowKernels => DistillationCatalog.Names(static k => k.IsDistillation && k.ManyRows);

    public static IEnumerable<object[]> DivergenceKernels => DistillationCatalog.Names(static k => !k.IsDistillation);

    private static readonly string[] Distributions = { "Normal", "Close", "Uniform30", "Masked", "Near1e4" };

    private static IEnumerable<int> ClassCounts(DistillationInfo kernel) =>
        kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 7, 16, 33, 100, 257, 1000, 4099 };

    // Student and teacher rows of a distribution; targets (every fourth row ignored in the many-rows distillation shape).
    private static (double[] Student, double[] Teacher, int[] Targets) Make(DistillationInfo kernel, string distribution, int rows, int classes, int seed)
    {
        var random = new Random(seed);
        double[] s = new double[rows * classes], t = new double[rows * classes];
        for (int i = 0; i < s.Length; i++)
        {
            double a = Inputs.Normal(random), b = Inputs.Normal(random);
            (s[i], t[i]) = distribution switch
            {
                "Normal" => (3 * a, 3 * b),
                "Close" => (2 * a, (2 * a) + (0.01 * b)),
                "Uniform30" => ((random.NextDouble() * 60) - 30, (random.NextDouble() * 60) - 30),
                "Masked" => random.NextDouble() < 0.25 ? (double.NegativeInfinity, double.NegativeInfinity) : (2 * a, 2 * b),
                "Near1e4" => (1e4 + a, 1e4 + (2 * b)),
                _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
            };
        }

        int[] targets = new int[kernel.ManyRows || !kernel.IsDistillation ? rows : 1];
        for (int r = 0; r < targets.Length; r++)
        {
            targets[r] = kernel.IsDistillation && kernel.ManyRows && r % 4 == 3 ? kernel.IgnoreIndex : random.Next(Math.Max(1, classes));
            if (distribution == "Masked" && classes > 0)
            {
                // The target class and the first class are never masked (each row keeps a finite logit).
                foreach (int k in new[] { 0, Math.Max(0, targets[r]) })
                {
                    s[(r * classes) + k] = 2 * Inputs.Normal(random);
                    t[(r * classes) + k] = 2 * Inputs.Normal(random);
                }
            }
        }

        return (s, t, targets);
    }

    private static double[] Rounded(DistillationInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static int RowsOf(DistillationInfo kernel, int length, int classes, int[] targets) =>
        !kernel.ManyRows ? 1 : kernel.IsDistillation ? targets.Length : classes == 0 ? 0 : length / classes;

    // ------------------------------------------------------------------ the formulas, written from the definitions

    private static double[] Softmax(ReadOnlySpan<double> z, double temperature)
    {
        double max = double.NegativeInfinity;
        foreach (double v in z)
        {
            max = Math.Max(max, v / temperature);
        }

        double[] e = new double[z.Length];
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            e[i] = Math.Exp((z[i] / temperature) - max);
            sum += e[i];
        }

        return e.Select(v => v / sum).ToArray();
    }

    private static double Kl(double[] a, double[] b) =>
        Enumerable.Range(0, a.Length).Where(i => a[i] != 0).Sum(i => a[i] * Math.Log(a[i] / b[i]));

    /// <summary>One row's loss: T²·D(q, p) (LigerJSD's β: 0 forward KL, 1 reverse KL, else the generalized JSD) and α·that + (1 − α)·CE.</summary>
    internal static double FormulaRow(DistillationInfo kernel, ReadOnlySpan<double> s, ReadOnlySpan<double> t, int target)
    {
        double[] p = Softmax(s, kernel.Temperature), q = Softmax(t, kernel.Temperature);
        double beta = kernel.Beta;
        double divergence = beta == 0 ? Kl(q, p)
            : beta == 1 ? Kl(p, q)
            : (beta * Kl(q, q.Select((v, i) => (beta * v) + ((1 - beta) * p[i])).ToArray())) + ((1 - beta) * Kl(p, q.Select((v, i) => (beta * v) + ((1 - beta) * p[i])).ToArray()));
        double kd = kernel.LossFactor * divergence;
        if (!kernel.IsDistillation)
        {
            return kd;
        }

        double crossEntropy = -Math.Log(Softmax(s, 1)[target]);
        return (kernel.Alpha * kd) + ((1 - kernel.Alpha) * crossEntropy);
    }

    private static double FormulaLoss(DistillationInfo kernel, double[] s, double[] t, int classes, int[] targets, out double[] perRow)
    {
        int rows = RowsOf(kernel, s.Length, classes, targets);
        perRow = new double[rows];
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            int target = kernel.IsDistillation ? targets[r] : 0;
            if (kernel.IsDistillation && target == kernel.IgnoreIndex)
            {
                continue;
            }

            counted++;
            perRow[r] = classes == 0 ? 0 : FormulaRow(kernel, s.AsSpan(r * classes, classes), t.AsSpan(r * classes, classes), target);
        }

        double sum = perRow.Sum();
        if (!kernel.ManyRows && kernel.IsDistillation && targets[0] == kernel.IgnoreIndex)
        {
            return kernel.Reduction == LossReduction.Mean ? double.NaN : 0;
        }

        return !kernel.ManyRows ? sum : kernel.Reduction == LossReduction.Mean ? sum / counted : sum;
    }

    // ------------------------------------------------------------------ every path against the Reference

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        MethodInfo reference = kernel.Paths["Reference"];
        var worstLoss = new SortedDictionary<string, double>();
        var worstGradient = new SortedDictionary<string, double>();
        int seed = 1;
        foreach (int classes in ClassCounts(kernel))
        {
            int[] rowCounts = !kernel.ManyRows ? new[] { 1 } : classes <= 300 ? new[] { 0, 1, 3, 9 } : new[] { 2 };
            foreach (int rows in rowCounts)
            {
                foreach (string distribution in Distributions)
                {
                    (double[] s, double[] t, int[] targets) = Make(kernel, distribution, rows, classes, seed++);
                    var expected = kernel.Run(reference, s, t, classes, targets);
                    // A log-probability is known to u·max|z|/T (rounding z, and z − max, in the element type); a loss to that
                    // times T² (the divergence) or 1 (the cross-entropy), and to u·|ℓ| at best.
                    double magnitude = Math.Max(1, s.Concat(t).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
                    double logUnit = kernel.Unit * (1 + (magnitude / Math.Min(1, kernel.Temperature)));
                    double kdScale = kernel.LossFactor * kernel.Alpha;
                    double ceScale = kernel.IsDistillation ? (1 - kernel.Alpha) * kernel.Unit * (1 + magnitude) : 0;
                    double gradientScale = GradientScale(kernel, rows, targets);
                    foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
                    {
                        var actual = kernel.Run(method, s, t, classes, targets);
                        string where = $"{name}.{path}, {rows}×{classes} {distribution}";
                        double Units(double e) => (kdScale * logUnit) + ceScale + (kernel.Unit * Math.Abs(e));
                        double lossUnits = LossTests.AssertClose(expected.Loss, actual.Loss, Units(expected.Loss), where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            lossUnits = Math.Max(lossUnits, LossTests.AssertClose(expected.Losses[i], actual.Losses[i], Units(expected.Losses[i]), $"{where}, losses[{i}]"));
                        }

                        // The gradient's elements are probabilities times scale·(α·T + 1 − α), each probability known to u·(1 + max|z|/T).
                        double gradientUnit = kernel.Unit * gradientScale * (1 + (magnitude / Math.Min(1, kernel.Temperature)));
                        double gradientUnits = 0;
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

    // The gradient's scale: 1/(rows that count) for Mean, times α·T + (1 − α) (the larger of the two parts' factors).
    private static double GradientScale(DistillationInfo kernel, int rows, int[] targets)
    {
        int counted = !kernel.ManyRows ? 1 : kernel.IsDistillation ? targets.Count(t => t != kernel.IgnoreIndex) : rows;
        double reduction = kernel.ManyRows && kernel.Reduction == LossReduction.Mean && counted > 0 ? 1.0 / counted : 1;
        return reduction * ((kernel.Alpha * Math.Max(1, kernel.GradientFactor)) + (1 - kernel.Alpha));
    }

    // ------------------------------------------------------------------ the Reference against the formulas

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesTheFormula(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        int seed = 500;
        foreach (int classes in ClassCounts(kernel).Where(static k => k <= 1000))
        {
            foreach (string distribution in new[] { "Normal", "Close", "Masked" })
            {
                int rows = kernel.ManyRows ? 5 : 1;
                (double[] s, double[] t, int[] targets) = Make(kernel, distribution, rows, classes, seed++);
                double[] x = Rounded(kernel, s), y = Rounded(kernel, t);
                var actual = kernel.Run(kernel.Paths["Reference"], s, t, classes, targets);
                double expected = FormulaLoss(kernel, x, y, classes, targets, out double[] perRow);
                double Tolerance(double v) => (1e-11 * Math.Max(1, Math.Abs(v)) * kernel.LossFactor) + (kernel.IsDouble ? 0 : 1e-7 * Math.Abs(v));
                if (kernel.ManyRows && kernel.Reduction == LossReduction.None)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        LossTests.AssertWithin(perRow[r], actual.Losses[r], Tolerance(perRow[r]), $"{name} {distribution} {classes}: losses[{r}]");
                    }
                }
                else
                {
                    LossTests.AssertWithin(expected, actual.Loss, Tolerance(expected), $"{name} {distribution} {classes}");
                }
            }
        }
    }

    // Central differences of the Reference's own loss in double (one-row and many-rows; step 1e-5, error ~1e-10).
    [Theory]
    [MemberData(nameof(DoubleGradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        MethodInfo reference = kernel.Paths["Reference"];
        foreach (int classes in new[] { 1, 5, 19 }.Where(k => kernel.Width == 0 || k == kernel.Width))
        {
            int rows = kernel.ManyRows ? 4 : 1;
            (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", rows, classes, 77 + classes);
            for (int i = 0; i < s.Length; i++)
            {
                s[i] /= 3;
                t[i] /= 3;
            }

            var at = kernel.Run(reference, s, t, classes, targets);
            double Total(double[] x)
            {
                var run = kernel.Run(reference, x, t, classes, targets);
                return kernel.Reduction == LossReduction.None ? run.Losses.Sum() : run.Loss;
            }

            const double Step = 1e-5;
            for (int i = 0; i < s.Length; i++)
            {
                double[] plus = (double[])s.Clone(), minus = (double[])s.Clone();
                plus[i] += Step;
                minus[i] -= Step;
                double numeric = (Total(plus) - Total(minus)) / (2 * Step);
                LossTests.AssertWithin(numeric, at.Gradient[i], 1e-7 * Math.Max(1, Math.Abs(numeric)), $"{name} {rows}×{classes}: gradient[{i}]");
            }
        }
    }

    // Hinton et al. §2.1: as T → ∞, T²·KL(softmax(t/T) ‖ softmax(s/T)) → Σ (d_k − d̄)²/(2K) with d = s − t, and its gradient
    // T·(p − q) → (d_k − d̄)/K: distillation becomes matching the logits.
    [Fact]
    public void LargeTemperatureMatchesLogits()
    {
        DistillationInfo kernel = DistillationCatalog.Get(nameof(DistillationKernels.KLT1000GradDRows));
        const int Classes = 10, Rows = 3;
        (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", Rows, Classes, 9);
        for (int i = 0; i < s.Length; i++)
        {
            // N(0, 1) logits: the limit's next term is of relative size max|z|/T.
            s[i] /= 3;
            t[i] /= 3;
        }

        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var run = kernel.Run(method, s, t, Classes, targets);
            double expected = 0;
            double largest = run.Gradient.Max(Math.Abs);
            for (int r = 0; r < Rows; r++)
            {
                double[] d = Enumerable.Range(0, Classes).Select(k => s[(r * Classes) + k] - t[(r * Classes) + k]).ToArray();
                double mean = d.Average();
                expected += d.Sum(v => (v - mean) * (v - mean)) / (2 * Classes);
                for (int k = 0; k < Classes; k++)
                {
                    double gradient = (d[k] - mean) / Classes / Rows;
                    Assert.True(Math.Abs(run.Gradient[(r * Classes) + k] - gradient) <= 1e-2 * largest, $"{path}: gradient[{r},{k}] {run.Gradient[(r * Classes) + k]} vs {gradient}");
                }
            }

            expected /= Rows;
            Assert.True(Math.Abs(run.Loss - expected) <= 1e-2 * expected, $"{path}: loss {run.Loss} vs the logit-matching limit {expected}");
        }
    }

    // At β = 0.5 the JSD is symmetric: swapping student and teacher leaves the loss.
    [Fact]
    public void JsdIsSymmetricAtBetaHalf()
    {
        DistillationInfo kernel = DistillationCatalog.Get(nameof(DistillationKernels.JsdNoneDRows));
        const int Classes = 37, Rows = 4;
        (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", Rows, Classes, 3);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var forward = kernel.Run(method, s, t, Classes, targets);
            var swapped = kernel.Run(method, t, s, Classes, targets);
            for (int r = 0; r < Rows; r++)
            {
                Assert.True(forward.Losses[r] > 0.01, $"{path}: row {r} has no divergence to compare");
                Assert.True(Math.Abs(forward.Losses[r] - swapped.Losses[r]) <= 1e-13 * forward.Losses[r] * 64, $"{path}: row {r}: {forward.Losses[r]:R} vs swapped {swapped.Losses[r]:R}");
            }
        }
    }

    // LigerJSD's ends: Jsd with β = 0 is the forward KL (the same kernel: bit for bit).
    [Fact]
    public void JsdAtBetaZeroIsForwardKl()
    {
        DistillationInfo jsd = DistillationCatalog.Get(nameof(DistillationKernels.JsdBeta0GradD));
        DistillationInfo kl = DistillationCatalog.Get(nameof(DistillationKernels.KLT2GradD));
        (double[] s, double[] t, int[] targets) = Make(kl, "Normal", 1, 50, 5);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(jsd.Paths, jsd.Dispatcher))
        {
            var a = jsd.Run(method, s, t, 50, targets);
            var b = kl.Run(path == "Dispatch" ? kl.Dispatcher : kl.Paths[path], s, t, 50, targets);
            Assert.Equal(b.Loss, a.Loss);
            Assert.Equal(b.Gradient, a.Gradient);
        }
    }

    // Identical student and teacher: no divergence, no gradient (every divergence, every path).
    [Theory]
    [MemberData(nameof(DivergenceKernels))]
    public void IdenticalRowsGiveZeroLossAndGradient(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        int classes = kernel.Width != 0 ? kernel.Width : 45;
        int rows = kernel.ManyRows ? 3 : 1;
        (double[] s, _, int[] targets) = Make(kernel, "Normal", rows, classes, 11);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var run = kernel.Run(method, s, s, classes, targets);
            double tolerance = 64 * kernel.Unit * kernel.LossFactor * 10;
            Assert.True(kernel.ManyRows && kernel.Reduction == LossReduction.None ? run.Losses.All(l => Math.Abs(l) <= tolerance) : Math.Abs(run.Loss) <= tolerance, $"{path}: loss {run.Loss} / {string.Join(", ", run.Losses)}");
            Assert.All(run.Gradient, g => Assert.True(Math.Abs(g) <= 16 * kernel.Unit * kernel.GradientFactor, $"{path}: gradient {g}"));
        }
    }

    // −∞ in both rows at the same classes weigh 0: the loss equals the one of the rows without those classes.
    [Theory]
    [MemberData(nameof(DivergenceKernels))]
    public void MaskedClassesDropOut(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        if (kernel.Width != 0)
        {
            return;
        }

        (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", 1, 40, 21);
        double[] ms = s.Concat(Enumerable.Repeat(double.NegativeInfinity, 9)).ToArray(), mt = t.Concat(Enumerable.Repeat(double.NegativeInfinity, 9)).ToArray();
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var plain = kernel.Run(method, s, t, 40, targets);
            var masked = kernel.Run(method, ms, mt, 49, targets);
            double a = kernel.Reduction == LossReduction.None && kernel.ManyRows ? plain.Losses[0] : plain.Loss;
            double b = kernel.Reduction == LossReduction.None && kernel.ManyRows ? masked.Losses[0] : masked.Loss;
            Assert.True(Math.Abs(a - b) <= 1e-4 * Math.Max(1, a), $"{path}: {a} without the classes, {b} with them masked");
            Assert.All(masked.Gradient.Skip(40), g => Assert.Equal(0.0, g));
        }
    }

    // A teacher class the student masks costs +∞ (forward KL): log p = −∞ where q > 0.
    [Fact]
    public void StudentMaskedWhereTeacherIsNotIsInfinite()
    {
        DistillationInfo kernel = DistillationCatalog.Get(nameof(DistillationKernels.KLT2GradD));
        double[] s = { 1, double.NegativeInfinity, 0.5 }, t = { 1, 2, 0.5 };
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            Assert.Equal(double.PositiveInfinity, kernel.Run(method, s, t, 3, new[] { 0 }).Loss);
        }
    }

    // Logits near 1e4 (exp overflows without the maxima): finite, as the Reference (checked in EveryPathMatchesReference too).
    [Theory]
    [MemberData(nameof(AllKernels))]
    public void HugeLogitsAreFinite(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        int classes = kernel.Width != 0 ? kernel.Width : 70;
        (double[] s, double[] t, int[] targets) = Make(kernel, "Near1e4", kernel.ManyRows ? 3 : 1, classes, 4);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var run = kernel.Run(method, s, t, classes, targets);
            Assert.True(kernel.Reduction == LossReduction.None && kernel.ManyRows ? run.Losses.All(double.IsFinite) : double.IsFinite(run.Loss), $"{path}: {run.Loss}");
            Assert.All(run.Gradient, g => Assert.True(double.IsFinite(g), $"{path}: gradient {g}"));
        }
    }

    // Every row ignored: Mean is 0/0 = NaN (as PyTorch), Sum 0, the gradient 0.
    [Theory]
    [MemberData(nameof(DistillationRowKernels))]
    public void AllTargetsIgnoredGiveNaNMeanZeroSumAndZeroGradient(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        (double[] s, double[] t, _) = Make(kernel, "Normal", 3, 20, 8);
        int[] targets = Enumerable.Repeat(kernel.IgnoreIndex, 3).ToArray();
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var run = kernel.Run(method, s, t, 20, targets);
            switch (kernel.Reduction)
            {
                case LossReduction.Mean: Assert.True(double.IsNaN(run.Loss), $"{path}: {run.Loss}"); break;
                case LossReduction.Sum: Assert.Equal(0.0, run.Loss); break;
                default: Assert.All(run.Losses, l => Assert.Equal(0.0, l)); break;
            }

            Assert.All(run.Gradient, g => Assert.Equal(0.0, g));
        }
    }

    // A target out of range throws before anything is written.
    [Theory]
    [MemberData(nameof(DistillationRowKernels))]
    public void TargetOutOfRangeThrowsAndWritesNothing(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", 3, 20, 8);
        targets[2] = 20;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            double[] gradient = Enumerable.Repeat(7.0, s.Length).ToArray();
            double[] losses = Enumerable.Repeat(7.0, 3).ToArray();
            Assert.Throws<ArgumentOutOfRangeException>(() => CallWith(kernel, method, s, t, 20, targets, losses, gradient));
            Assert.All(gradient, g => Assert.Equal(7.0, g));
            Assert.All(losses, l => Assert.Equal(7.0, l));
        }
    }

    // Wrong lengths: ArgumentException naming the parameter, nothing written.
    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void WrongSpansThrowNamingTheParameter(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        int classes = kernel.Width != 0 ? kernel.Width : 12;
        int rows = kernel.ManyRows ? 2 : 1;
        (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", rows, classes, 8);
        void Expect(string parameter, double[] student, double[] teacher, double[] gradient)
        {
            foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
            {
                double[] losses = Enumerable.Repeat(7.0, rows).ToArray();
                double[] g = (double[])gradient.Clone();
                ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => CallWith(kernel, method, student, teacher, classes, targets, losses, g));
                Assert.True(e.ParamName == parameter, $"{path}: names '{e.ParamName}', not '{parameter}'");
                Assert.All(g, v => Assert.Equal(gradient[0], v));
            }
        }

        Expect("teacher", s, t.Take(t.Length - 1).ToArray(), Enumerable.Repeat(7.0, s.Length).ToArray());
        Expect("gradient", s, t, Enumerable.Repeat(7.0, s.Length + 1).ToArray());
    }

    // The gradient may replace the student's logits: the same result as into separate memory.
    [Theory]
    [MemberData(nameof(GradientKernels))]
    public void GradientInPlaceMatchesSeparate(string name)
    {
        DistillationInfo kernel = DistillationCatalog.Get(name);
        int classes = kernel.Width != 0 ? kernel.Width : 150;
        (double[] s, double[] t, int[] targets) = Make(kernel, "Normal", kernel.ManyRows ? 3 : 1, classes, 12);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var separate = kernel.Run(method, s, t, classes, targets);
            double[] inPlace = Rounded(kernel, s);
            double loss = CallWith(kernel, method, inPlace, t, classes, targets, new double[kernel.ManyRows && kernel.Reduction == LossReduction.None ? targets.Length : 0], inPlace);
            Assert.Equal(separate.Gradient, inPlace);
            if (!double.IsNaN(separate.Loss))
            {
                Assert.Equal(separate.Loss, loss);
            }
        }
    }

    // The ISA matrix (scripts/test.sh) sets the path each run must take: every distillation kernel dispatches there.
    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        if (expected is not null)
        {
            Assert.All(DistillationCatalog.All, k => Assert.Equal(expected, k.Dispatcher.DeclaringType!.GetNestedType(k.Name + "Paths")!.GetProperty("Selected")!.GetValue(null)!.ToString()));
        }
    }

    // Calls with the given spans (gradient may be the student's own array): converts to the element type and back.
    private static double CallWith(DistillationInfo kernel, MethodInfo method, double[] s, double[] t, int classes, int[] targets, double[] losses, double[] gradient)
    {
        bool same = ReferenceEquals(s, gradient);
        if (kernel.IsDouble)
        {
            return kernel.Call<double>(method, s, t, classes, targets, losses, kernel.HasGradient ? gradient : default);
        }

        float[] fs = s.Select(static v => (float)v).ToArray(), ft = t.Select(static v => (float)v).ToArray();
        float[] fl = losses.Select(static v => (float)v).ToArray(), fg = same ? fs : gradient.Select(static v => (float)v).ToArray();
        try
        {
            return kernel.Call<float>(method, fs, ft, classes, targets, fl, kernel.HasGradient ? fg : default);
        }
        finally
        {
            for (int i = 0; i < losses.Length; i++)
            {
                losses[i] = fl[i];
            }

            for (int i = 0; i < gradient.Length && kernel.HasGradient; i++)
            {
                gradient[i] = fg[i];
            }
        }
    }
}
