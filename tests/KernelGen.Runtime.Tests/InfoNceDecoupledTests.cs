using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// [InfoNceLoss(Decoupled = true)]: every path against its Reference (docs/accuracy.md's units), the Reference against the
/// paper's formula written here, its gradient against central differences, P = 1 against the single-positive kernel, and
/// the edge cases: padding, rows of padding only, duplicates, out of range, similarities of 10⁴, −∞ negatives, a
/// dominating positive (N tiny), the in-place gradient and wrong span lengths.
/// </summary>
public class InfoNceDecoupledTests
{
    private delegate float FloatGradient(ReadOnlySpan<float> s, ReadOnlySpan<int> p, Span<float> g);

    private delegate float FloatForward(ReadOnlySpan<float> s, ReadOnlySpan<int> p);

    private delegate float FloatWeightsGradient(ReadOnlySpan<float> s, ReadOnlySpan<int> p, ReadOnlySpan<float> w, Span<float> g);

    private delegate void DoubleNoneGradient(ReadOnlySpan<double> s, ReadOnlySpan<int> p, Span<double> losses, Span<double> g);

    private delegate double DoubleWeightsGradient(ReadOnlySpan<double> s, ReadOnlySpan<int> p, ReadOnlySpan<double> w, Span<double> g);

    /// <summary>One kernel: its options (read from the attribute) and paths.</summary>
    public sealed record Kernel(string Name, bool IsDouble, int P, double Tau, LossReduction Reduction, int IgnoreIndex, bool SampleWeights, bool HasGradient, int Width, IReadOnlyDictionary<string, MethodInfo> Paths, MethodInfo Dispatcher)
    {
        public double Unit => this.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);

        public double S => 1 / this.Tau;

        public double Round(double v) => this.IsDouble ? v : (float)v;
    }

    /// <summary>The result of one call: the returned loss (NaN for None), the per-row losses, the gradient.</summary>
    public sealed record Result(double Loss, double[] Losses, double[] Gradient);

    public static readonly IReadOnlyList<Kernel> Kernels = typeof(InfoNceDecoupledKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(static m => m.GetCustomAttribute<InfoNceLossAttribute>() is { Decoupled: true })
        .Select(static m =>
        {
            InfoNceLossAttribute a = m.GetCustomAttribute<InfoNceLossAttribute>()!;
            ParameterInfo[] parameters = m.GetParameters();
            Type paths = typeof(InfoNceDecoupledKernels).GetNestedType(m.Name + "Paths", BindingFlags.Public)!;
            return new Kernel(m.Name, parameters[0].ParameterType == typeof(ReadOnlySpan<double>), a.Positives, a.Temperature, a.Reduction, a.IgnoreIndex, a.SampleWeights,
                parameters[^1].Name == "gradient", a.Width, KernelCatalog.PathsOf(paths), m);
        })
        .OrderBy(static k => k.Name, StringComparer.Ordinal)
        .ToList();

    public static IEnumerable<object[]> AllKernels => Kernels.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> DoubleGradientKernels => Kernels.Where(static k => k.IsDouble && k.HasGradient).Select(static k => new object[] { k.Name });

    private static Kernel Get(string name) => Kernels.Single(k => k.Name == name);

    private static Kernel Single => new("SingleMeanGradF", false, 1, 0.1, LossReduction.Mean, -100, false, true, 0,
        KernelCatalog.PathsOf(typeof(InfoNceDecoupledKernels).GetNestedType("SingleMeanGradFPaths", BindingFlags.Public)!),
        typeof(InfoNceDecoupledKernels).GetMethod("SingleMeanGradF")!);

    private static IEnumerable<(string Name, MethodInfo Method)> Runnable(Kernel k, bool withReference = true) =>
        Harness.RunnablePaths(k.Paths, k.Dispatcher).Where(p => withReference || p.Name != "Reference");

    private static double[] SampleWeightsFor(int rows) => Enumerable.Range(0, rows).Select(static r => 0.25 + (0.5 * (r % 4))).ToArray();

    /// <summary>Runs a path; 'gradient' and 'losses' start as the given arrays (sentinels) when given.</summary>
    private static Result Run(Kernel k, MethodInfo method, double[] s, int[] positives, double[]? weights = null, double[]? gradientStart = null, double[]? lossesStart = null, int? gradientLength = null, int? lossesLength = null, int? weightsLength = null)
    {
        int rows = positives.Length / k.P;
        weights ??= SampleWeightsFor(weightsLength ?? rows);
        double[] gradient = gradientStart is null ? new double[gradientLength ?? s.Length] : (double[])gradientStart.Clone();
        double[] losses = lossesStart is null ? new double[lossesLength ?? rows] : (double[])lossesStart.Clone();
        double loss = double.NaN;
        if (k.IsDouble)
        {
            if (k.Reduction == LossReduction.None)
            {
                method.CreateDelegate<DoubleNoneGradient>()(s, positives, losses, gradient);
            }
            else
            {
                loss = method.CreateDelegate<DoubleWeightsGradient>()(s, positives, weights, gradient);
            }
        }
        else
        {
            float[] sf = s.Select(static v => (float)v).ToArray(), gf = gradient.Select(static v => (float)v).ToArray();
            loss = k.SampleWeights ? method.CreateDelegate<FloatWeightsGradient>()(sf, positives, weights.Select(static v => (float)v).ToArray(), gf)
                : k.HasGradient ? method.CreateDelegate<FloatGradient>()(sf, positives, gf)
                : method.CreateDelegate<FloatForward>()(sf, positives);
            gradient = k.HasGradient ? gf.Select(static v => (double)v).ToArray() : Array.Empty<double>();
        }

        return new Result(loss, k.Reduction == LossReduction.None ? losses : Array.Empty<double>(), gradient);
    }

    // Similarities in (−1, 1) ("Uniform"); the positives aligned at (0.8, 1) ("Aligned"); 30% of the negatives −∞ ("Masked").
    // Each row has 0..P positives (distinct, at random slots, the rest padding; about one row in eight has none).
    private static (double[] S, int[] Positives) Make(Kernel k, string distribution, int rows, int classes, int seed)
    {
        var random = new Random(seed);
        double[] s = new double[rows * classes];
        int[] positives = new int[rows * k.P];
        for (int r = 0; r < rows; r++)
        {
            int count = random.Next(8) == 0 ? 0 : 1 + random.Next(Math.Min(k.P, classes));
            int[] chosen = Enumerable.Range(0, classes).OrderBy(_ => random.Next()).Take(count).ToArray();
            int[] slots = Enumerable.Range(0, k.P).OrderBy(_ => random.Next()).ToArray();
            for (int j = 0; j < k.P; j++)
            {
                positives[(r * k.P) + slots[j]] = j < count ? chosen[j] : k.IgnoreIndex;
            }

            for (int i = 0; i < classes; i++)
            {
                bool positive = chosen.Contains(i);
                s[(r * classes) + i] = k.Round(distribution switch
                {
                    "Aligned" when positive => 0.8 + (0.2 * random.NextDouble()),
                    "Masked" when !positive && random.NextDouble() < 0.3 => double.NegativeInfinity,
                    _ => (2 * random.NextDouble()) - 1,
                });
            }
        }

        return (s, positives);
    }

    private static int[] ClassCounts(Kernel k) => k.Width != 0 ? new[] { k.Width } : new[] { 1, 2, 5, 16, 17, 33, 64, 129, 1000, 4099 };

    // The gradient's largest scale: the largest sample weight over the mean's denominator.
    private static double GradientScale(Kernel k, int[] positives)
    {
        int rows = positives.Length / k.P;
        double[] w = SampleWeightsFor(rows);
        double denominator = 0, largest = k.SampleWeights && rows > 0 ? w.Max() : 1;
        for (int r = 0; r < rows; r++)
        {
            if (positives.Skip(r * k.P).Take(k.P).Any(p => p != k.IgnoreIndex))
            {
                denominator += k.SampleWeights ? w[r] : 1;
            }
        }

        return k.Reduction == LossReduction.Mean && denominator > 0 ? largest / denominator : largest;
    }

    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        Assert.Equal(7, Kernels.Count + 1);
        if (expected is null)
        {
            return;
        }

        foreach (Kernel kernel in Kernels.Append(Single))
        {
            var selected = (KernelPath)kernel.Paths["Reference"].DeclaringType!.GetProperty("Selected")!.GetValue(null)!;
            Assert.Equal(expected, selected.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        Kernel k = Get(name);
        var worst = new SortedDictionary<string, double>();
        int seed = 1;
        foreach (int classes in ClassCounts(k))
        {
            foreach (int rows in classes <= 129 ? new[] { 0, 1, 3, 9 } : new[] { 3 })
            {
                foreach (string distribution in new[] { "Uniform", "Aligned", "Masked" })
                {
                    (double[] s, int[] positives) = Make(k, distribution, rows, classes, seed++);
                    Result expected = Run(k, k.Paths["Reference"], s, positives);
                    double weight = k.SampleWeights ? 1.75 : 1;
                    // Logits s/τ with |s| ≤ 1: known to u·2/τ; the loss to that and u·|ℓ| (16 units, docs/accuracy.md).
                    double lossUnit = k.Unit * weight * ((4 * k.S) + (double.IsFinite(expected.Loss) ? Math.Abs(expected.Loss) : 0));
                    double gradientUnit = k.Unit * GradientScale(k, positives) * k.S * Math.Max(1, 4 * k.S);
                    foreach ((string path, MethodInfo method) in Runnable(k, withReference: false))
                    {
                        Result actual = Run(k, method, s, positives);
                        string where = $"{name}.{path}, {rows}×{classes} {distribution}";
                        double units = LossTests.AssertClose(expected.Loss, actual.Loss, lossUnit, where + ", loss");
                        for (int i = 0; i < expected.Losses.Length; i++)
                        {
                            units = Math.Max(units, LossTests.AssertClose(expected.Losses[i], actual.Losses[i], k.Unit * weight * ((4 * k.S) + Math.Abs(expected.Losses[i])), $"{where}, losses[{i}]"));
                        }

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

    // The paper's formula, written here: ℓ_i = (1/|P_i|)·Σ_p −log(e^(s_p/τ)/(e^(s_p/τ) + Σ_{k∉P_i} e^(s_k/τ))), reduced.
    private static (double Loss, double[] Losses) Formula(Kernel k, double[] s, int[] positives)
    {
        int rows = positives.Length / k.P;
        int classes = rows == 0 ? 0 : s.Length / rows;
        double[] w = SampleWeightsFor(rows), losses = new double[rows];
        double total = 0, denominator = 0;
        for (int r = 0; r < rows; r++)
        {
            int[] set = positives.Skip(r * k.P).Take(k.P).Where(p => p != k.IgnoreIndex).ToArray();
            if (set.Length == 0)
            {
                continue;
            }

            double negatives = 0;
            for (int i = 0; i < classes; i++)
            {
                negatives += set.Contains(i) ? 0 : Math.Exp(s[(r * classes) + i] / k.Tau);
            }

            double row = 0;
            foreach (int p in set)
            {
                double e = Math.Exp(s[(r * classes) + p] / k.Tau);
                row += -Math.Log(e / (e + negatives));
            }

            double sw = k.SampleWeights ? w[r] : 1;
            losses[r] = sw * row / set.Length;
            total += losses[r];
            denominator += sw;
        }

        return (k.Reduction == LossReduction.Mean ? total / denominator : total, losses);
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ReferenceMatchesThePapersFormula(string name)
    {
        Kernel k = Get(name);
        int seed = 100;
        foreach (int classes in ClassCounts(k).Where(static c => c <= 1000))
        {
            foreach (string distribution in new[] { "Uniform", "Aligned", "Masked" })
            {
                (double[] s, int[] positives) = Make(k, distribution, 5, classes, seed++);
                (double loss, double[] losses) = Formula(k, s, positives);
                Result actual = Run(k, k.Paths["Reference"], s, positives);
                string where = $"{name}, {classes} classes {distribution}";
                if (k.Reduction == LossReduction.None)
                {
                    for (int r = 0; r < losses.Length; r++)
                    {
                        LossTests.AssertWithin(losses[r], actual.Losses[r], 1e-12 * ((4 * k.S) + Math.Abs(losses[r])), $"{where}, losses[{r}]");
                    }
                }
                else
                {
                    LossTests.AssertWithin(loss, actual.Loss, (1e-12 * ((4 * k.S) + Math.Abs(loss))) + (k.IsDouble ? 0 : Math.Abs(loss) * Math.Pow(2, -24)), where);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(DoubleGradientKernels))]
    public void ReferenceGradientMatchesCentralDifferences(string name)
    {
        Kernel k = Get(name);
        foreach (int classes in ClassCounts(k).Where(static c => c is >= 5 and <= 64))
        {
            (double[] s, _) = Make(k, "Uniform", 3, classes, classes);
            // Every row with one or two positives (a row of padding has no gradient to check), the rest padding.
            int[] positives = Enumerable.Repeat(k.IgnoreIndex, 3 * k.P).ToArray();
            for (int r = 0; r < 3; r++)
            {
                for (int j = 0; j < Math.Min(k.P, 2); j++)
                {
                    positives[(r * k.P) + j] = (r + (3 * j)) % classes;
                }
            }

            MethodInfo reference = k.Paths["Reference"];
            double[] gradient = Run(k, reference, s, positives).Gradient;
            double Total(double[] x)
            {
                Result result = Run(k, reference, x, positives);
                return k.Reduction == LossReduction.None ? result.Losses.Sum() : result.Loss;
            }

            const double h = 1e-6;
            for (int i = 0; i < s.Length; i++)
            {
                double[] plus = (double[])s.Clone(), minus = (double[])s.Clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (Total(plus) - Total(minus)) / (2 * h);
                LossTests.AssertWithin(numeric, gradient[i], 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{name}, {classes} classes, gradient[{i}]");
            }
        }
    }

    [Fact]
    public void OnePositiveIsTheSinglePositiveKernel()
    {
        Kernel decoupled = Get(nameof(InfoNceDecoupledKernels.P1MeanGradF)), single = Single;
        int seed = 7;
        foreach (int classes in new[] { 1, 5, 17, 129, 1000 })
        {
            foreach (string distribution in new[] { "Uniform", "Aligned", "Masked" })
            {
                (double[] s, int[] positives) = Make(decoupled, distribution, 9, classes, seed++);
                foreach ((string path, MethodInfo method) in Runnable(decoupled))
                {
                    Result expected = Run(single, single.Paths.TryGetValue(path, out MethodInfo? m) ? m : single.Dispatcher, s, positives);
                    Result actual = Run(decoupled, method, s, positives);
                    string where = $"{path}, {classes} classes {distribution}";
                    // Both in double to the last step (−log p_y against softplus(log N − z_y)): a few float roundings apart.
                    LossTests.AssertWithin(expected.Loss, actual.Loss, 4 * Math.Pow(2, -24) * (Math.Abs(expected.Loss) + 1), where + ", loss");
                    double scale = GradientScale(decoupled, positives) * decoupled.S;
                    for (int i = 0; i < s.Length; i++)
                    {
                        LossTests.AssertWithin(expected.Gradient[i], actual.Gradient[i], 4 * Math.Pow(2, -24) * scale, $"{where}, gradient[{i}]");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void PaddingIsOrderFreeAndRowsOfPaddingCountForNothing(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 40, pad = k.IgnoreIndex;
        (double[] s, _) = Make(k, "Uniform", 3, classes, 11);
        // Row 0: the positives {3, 9 (if P ≥ 2)} in one order with padding after; row 1: padding only; row 2: {5}.
        int[] first = new int[3 * k.P], second = new int[3 * k.P];
        Array.Fill(first, pad);
        Array.Fill(second, pad);
        first[0] = 3;
        second[k.P - 1] = 3;
        if (k.P >= 2)
        {
            first[1] = 9;
            second[0] = 9;
        }

        first[2 * k.P] = 5;
        second[(3 * k.P) - 1] = 5;
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            double[] sentinel = Enumerable.Repeat(7.0, s.Length).ToArray();
            Result a = Run(k, method, s, first, gradientStart: sentinel, lossesStart: new[] { 7.0, 7.0, 7.0 });
            Result b = Run(k, method, s, second, gradientStart: sentinel, lossesStart: new[] { 7.0, 7.0, 7.0 });
            Assert.Equal(a.Loss, b.Loss);
            Assert.Equal(a.Losses, b.Losses);
            Assert.Equal(a.Gradient, b.Gradient);

            // The row of padding: a zero loss (None) and a zero gradient; the others as the formula.
            (double loss, double[] losses) = Formula(k, s, first);
            if (k.Reduction == LossReduction.None)
            {
                Assert.Equal(0, a.Losses[1]);
                LossTests.AssertWithin(losses[0], a.Losses[0], 1e-6 * (1 + losses[0]), $"{path}, losses[0]");
            }
            else
            {
                LossTests.AssertWithin(loss, a.Loss, 1e-5 * (1 + Math.Abs(loss)), $"{path}, loss");
            }

            for (int i = 0; i < classes && k.HasGradient; i++)
            {
                Assert.Equal(0, a.Gradient[classes + i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void AllPaddingIsNaNForMeanZeroOtherwise(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 19;
        (double[] s, _) = Make(k, "Uniform", 4, classes, 12);
        int[] positives = Enumerable.Repeat(k.IgnoreIndex, 4 * k.P).ToArray();
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            Result result = Run(k, method, s, positives, gradientStart: Enumerable.Repeat(7.0, s.Length).ToArray(), lossesStart: Enumerable.Repeat(7.0, 4).ToArray());
            switch (k.Reduction)
            {
                case LossReduction.Mean:
                    Assert.True(double.IsNaN(result.Loss), $"{path}: {result.Loss}");
                    break;
                case LossReduction.Sum:
                    Assert.Equal(0, result.Loss);
                    break;
                default:
                    Assert.All(result.Losses, static l => Assert.Equal(0, l));
                    break;
            }

            Assert.All(result.Gradient, static g => Assert.Equal(0, g));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void DuplicatesAndOutOfRangeThrowAndWriteNothing(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 10;
        (double[] s, int[] positives) = Make(k, "Uniform", 2, classes, 13);
        var cases = new List<(int[] Positives, Type Exception)>();
        foreach (int bad in new[] { classes, -2, int.MaxValue })
        {
            int[] p = (int[])positives.Clone();
            p[(2 * k.P) - 1] = bad;
            cases.Add((p, typeof(ArgumentOutOfRangeException)));
        }

        if (k.P >= 2)
        {
            int[] p = Enumerable.Repeat(k.IgnoreIndex, 2 * k.P).ToArray();
            p[k.P] = 4;
            p[(2 * k.P) - 1] = 4;   // class 4 twice in row 1, padding between
            cases.Add((p, typeof(ArgumentException)));
        }

        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            foreach ((int[] p, Type type) in cases)
            {
                Exception e = Assert.ThrowsAny<ArgumentException>(() => Run(k, method, s, p));
                Assert.Equal(type, e.GetType());
                Assert.Equal("positives", ((ArgumentException)e).ParamName);
            }
        }

        // Nothing written: the checks run before the rows (a direct call, so the caller's spans can be inspected).
        if (k.Name == nameof(InfoNceDecoupledKernels.P3NoneGradD))
        {
            double[] losses = { 7, 7 }, gradient = Enumerable.Repeat(7.0, s.Length).ToArray();
            int[] p = (int[])positives.Clone();
            p[^1] = classes;
            Assert.Throws<ArgumentOutOfRangeException>(() => InfoNceDecoupledKernels.P3NoneGradD(s, p, losses, gradient));
            Assert.All(losses.Concat(gradient), static v => Assert.Equal(7, v));
            if (k.P >= 2)
            {
                p = (int[])positives.Clone();
                p[^1] = p[^2] = p[^3] = 1;
                Assert.Throws<ArgumentException>(() => InfoNceDecoupledKernels.P3NoneGradD(s, p, losses, gradient));
                Assert.All(losses.Concat(gradient), static v => Assert.Equal(7, v));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void WrongSpanLengthsThrowNamingTheSpan(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 10;
        (double[] s, int[] positives) = Make(k, "Uniform", 3, classes, 14);
        var cases = new List<(Func<Result> Call, string Parameter)>();
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            if (k.P > 1)
            {
                cases.Add((() => Run(k, method, s, positives[..^1], gradientLength: s.Length, lossesLength: 3, weightsLength: 3), "positives"));
            }

            cases.Add((() => Run(k, method, s[..^1], positives, gradientLength: s.Length - 1), "similarities"));
            cases.Add((() => Run(k, method, s, Array.Empty<int>()), "positives"));
            if (k.HasGradient)
            {
                cases.Add((() => Run(k, method, s, positives, gradientLength: s.Length + 1), "gradient"));
            }

            if (k.Reduction == LossReduction.None)
            {
                cases.Add((() => Run(k, method, s, positives, lossesLength: 2), "losses"));
            }

            if (k.SampleWeights)
            {
                cases.Add((() => Run(k, method, s, positives, weightsLength: 4), "sampleWeights"));
            }

            foreach ((Func<Result> call, string parameter) in cases)
            {
                ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => call());
                Assert.True(e.ParamName == parameter, $"{path}: the exception names '{e.ParamName}', not '{parameter}'");
            }

            cases.Clear();
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void SimilaritiesOf1e4AreShiftFree(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 70;
        (double[] s, int[] positives) = Make(k, "Uniform", 3, classes, 15);
        // Multiples of 1/8 (exact in float next to 10⁴): the same rows shifted by 10⁴ have the same loss and gradient.
        double[] small = s.Select(static v => Math.Round(v * 8) / 8).ToArray(), large = small.Select(static v => v + 1e4).ToArray();
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            Result a = Run(k, method, small, positives), b = Run(k, method, large, positives);
            // A float kernel's differences x − max are exact (s/τ in double is then exact to far below float's u); a double
            // kernel rounds s/τ of 10⁴ in double, to u·10⁴/τ.
            double tolerance = 64 * k.Unit * k.S * (k.IsDouble ? 1e4 : 1);
            LossTests.AssertWithin(a.Loss, b.Loss, tolerance * Math.Max(1, Math.Abs(a.Loss)), $"{path}, loss");
            for (int i = 0; i < a.Losses.Length; i++)
            {
                LossTests.AssertWithin(a.Losses[i], b.Losses[i], tolerance * Math.Max(1, a.Losses[i]), $"{path}, losses[{i}]");
            }

            for (int i = 0; i < a.Gradient.Length; i++)
            {
                LossTests.AssertWithin(a.Gradient[i], b.Gradient[i], tolerance * k.S, $"{path}, gradient[{i}]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NegativeInfinityNegativesAddNothing(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 24;
        (double[] s, int[] positives) = Make(k, "Uniform", 2, classes, 16);
        // Row 0: every negative −∞ (N = 0: the loss 0, the gradient 0); row 1: half of them −∞ (as if absent).
        int[] row0 = positives.Take(k.P).Where(p => p != k.IgnoreIndex).ToArray(), row1 = positives.Skip(k.P).Where(p => p != k.IgnoreIndex).ToArray();
        for (int i = 0; i < classes; i++)
        {
            if (!row0.Contains(i))
            {
                s[i] = double.NegativeInfinity;
            }

            if (!row1.Contains(i) && i % 2 == 0)
            {
                s[classes + i] = double.NegativeInfinity;
            }
        }

        (double loss, double[] losses) = Formula(k, s, positives);
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            Result result = Run(k, method, s, positives);
            if (k.Reduction == LossReduction.None)
            {
                Assert.Equal(0, result.Losses[0]);
                LossTests.AssertWithin(losses[1], result.Losses[1], 1e-5 * (1 + losses[1]), $"{path}, losses[1]");
            }
            else
            {
                LossTests.AssertWithin(loss, result.Loss, 1e-5 * (1 + Math.Abs(loss)), $"{path}, loss");
            }

            for (int i = 0; i < classes && k.HasGradient; i++)
            {
                Assert.True(result.Gradient[i] == 0, $"{path}, gradient[{i}] = {result.Gradient[i]}");
                if (!row1.Contains(i) && i % 2 == 0)
                {
                    Assert.True(result.Gradient[classes + i] == 0, $"{path}, gradient[{classes + i}] = {result.Gradient[classes + i]}");
                }
            }
        }
    }

    [Fact]
    public void ANegativeInfinityPositiveHasAnInfiniteLoss()
    {
        Kernel k = Get(nameof(InfoNceDecoupledKernels.P4MeanGradF));
        // One row of 20: positives {0, 7}, s_0 = −∞: its term −log(0/(0 + N)) = +∞, its gradient (q − 1)/(|P|·τ) = −1/(2τ).
        double[] s = Enumerable.Range(0, 20).Select(static i => i == 0 ? double.NegativeInfinity : 0.05 * i).ToArray();
        int[] positives = { 7, k.IgnoreIndex, 0, k.IgnoreIndex };
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            Result result = Run(k, method, s, positives);
            Assert.True(double.IsPositiveInfinity(result.Loss), $"{path}: {result.Loss}");
            Assert.Equal(-k.S / 2, result.Gradient[0], 5);
            Assert.All(result.Gradient, static g => Assert.True(double.IsFinite(g)));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ADominatingPositiveKeepsItsDigits(string name)
    {
        Kernel k = Get(name);
        int classes = k.Width != 0 ? k.Width : 64;
        // Similarity 1 for the positives {0, 1..}, −1 for the negatives: N/e^(z_p) = (K − |P|)·e^(−2/τ), the loss
        // log1p of it (≈ 10⁻⁹ at τ = 0.1), which Σ_all − Σ_positives would round to 0.
        int count = Math.Min(k.P, 2);
        double[] s = Enumerable.Range(0, classes).Select(i => i < count ? 1.0 : -1.0).ToArray();
        int[] positives = Enumerable.Repeat(k.IgnoreIndex, k.P).ToArray();
        for (int j = 0; j < count; j++)
        {
            positives[j] = j;
        }

        double ratio = (classes - count) * Math.Exp(-2 / k.Tau);
        double expected = Math.Log(1 + ratio) * (k.SampleWeights && k.Reduction != LossReduction.Mean ? 0.25 : 1);
        double positiveGradient = -k.S * (ratio / (1 + ratio)) / count;
        foreach ((string path, MethodInfo method) in Runnable(k))
        {
            Result result = Run(k, method, s, positives);
            double actual = k.Reduction == LossReduction.None ? result.Losses[0] : result.Loss;
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * expected, $"{path}: loss {actual:R}, expected {expected:R}");
            for (int j = 0; j < count && k.HasGradient; j++)
            {
                double g = result.Gradient[j] / (k.SampleWeights && k.Reduction != LossReduction.Mean ? 0.25 : 1);
                Assert.True(Math.Abs(g - positiveGradient) <= 1e-5 * Math.Abs(positiveGradient), $"{path}: gradient[{j}] {g:R}, expected {positiveGradient:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void TheGradientMayReplaceTheSimilarities(string name)
    {
        Kernel k = Get(name);
        if (!k.HasGradient)
        {
            return;
        }

        int classes = k.Width != 0 ? k.Width : 45;
        (double[] s, int[] positives) = Make(k, "Aligned", 3, classes, 17);
        foreach ((string path, MethodInfo method) in Runnable(k).Where(static p => p.Name != "Reference"))
        {
            Result expected = Run(k, method, s, positives);
            double[] data = (double[])s.Clone();
            double loss;
            if (k.IsDouble)
            {
                loss = k.Reduction == LossReduction.None ? double.NaN : method.CreateDelegate<DoubleWeightsGradient>()(data, positives, SampleWeightsFor(3), data);
                if (k.Reduction == LossReduction.None)
                {
                    method.CreateDelegate<DoubleNoneGradient>()(data, positives, new double[3], data);
                }
            }
            else
            {
                float[] f = data.Select(static v => (float)v).ToArray();
                loss = k.SampleWeights ? method.CreateDelegate<FloatWeightsGradient>()(f, positives, SampleWeightsFor(3).Select(static v => (float)v).ToArray(), f)
                    : method.CreateDelegate<FloatGradient>()(f, positives, f);
                data = f.Select(static v => (double)v).ToArray();
            }

            Assert.Equal(expected.Loss, loss);
            Assert.Equal(expected.Gradient, data);
        }
    }
}
