using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>DyT backward, many rows, with γ and β: (x, α, γ, dy, dx, dα, dγ, dβ, rowLength).</summary>
public delegate void DyTBackwardRowsKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> alphaGradient, Span<T> weightGradient, Span<T> biasGradient, int rowLength);

/// <summary>The one-row form of <see cref="DyTBackwardRowsKernel{T}"/>.</summary>
public delegate void DyTBackwardRowKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> alphaGradient, Span<T> weightGradient, Span<T> biasGradient);

/// <summary>DyT backward without β (no dβ), many rows.</summary>
public delegate void DyTNoBiasBackwardRowsKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> alphaGradient, Span<T> weightGradient, int rowLength);

/// <summary>DyT backward without γ and β, many rows.</summary>
public delegate void DyTPlainBackwardRowsKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> alphaGradient, int rowLength);

/// <summary>DyT backward without γ and β, one row.</summary>
public delegate void DyTPlainBackwardRowKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> alphaGradient);

/// <summary>
/// [DynamicTanh(Backward = true)]: every path (and the dispatcher) against Reference for dx, dα, dγ and dβ (the
/// parameter gradients added into non-zero starting values); Reference against central finite differences of the
/// forward Reference in double; wrong spans rejected with nothing written; dx in place of dy.
/// </summary>
public class DynamicTanhBackwardTests
{
    private static readonly IReadOnlyList<Info> All = Discover().ToList();

    public static IEnumerable<object[]> Kernels => All.Select(static k => new object[] { k.Name });

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryPathMatchesReference(string name)
    {
        Info kernel = All.Single(k => k.Name == name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : kernel.ManyRows ? new[] { 1, 3, 17, 100, 1000 } : Enumerable.Range(0, 70).Concat(new[] { 1000, 4099 }).ToArray();
        int[] rowCounts = kernel.ManyRows ? new[] { 0, 1, 5 } : new[] { 1 };
        double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
        var failures = new List<string>();
        int seed = 40;
        foreach (double alpha in new[] { 0.5, 1.7, -3 })
        {
            foreach (int rowLength in rowLengths)
            {
                foreach (int rows in rowCounts)
                {
                    seed++;
                    var random = new Random(seed);
                    double[] x = Round(kernel, Enumerable.Range(0, rows * rowLength).Select(_ => 2 * Inputs.Normal(random)).ToArray());
                    double[] dy = Round(kernel, Enumerable.Range(0, rows * rowLength).Select(_ => Inputs.Normal(random)).ToArray());
                    double[] w = kernel.HasWeight ? Round(kernel, Enumerable.Range(0, rowLength).Select(_ => 1 + (0.5 * Inputs.Normal(random))).ToArray()) : Array.Empty<double>();
                    double[] dwStart = kernel.HasWeight ? Round(kernel, Enumerable.Range(0, rowLength).Select(_ => Inputs.Normal(random)).ToArray()) : Array.Empty<double>();
                    double[] dbStart = kernel.HasBias ? Round(kernel, Enumerable.Range(0, rowLength).Select(_ => Inputs.Normal(random)).ToArray()) : Array.Empty<double>();
                    Result expected = Run(kernel, kernel.Paths["Reference"], x, alpha, w, dy, 0.25, dwStart, dbStart, rowLength);

                    // Units (docs/accuracy.md): dx_i: ε·|α·g_i|·(1 + s_i·|αx_i|); dα: ε·(Σ|g·x|·(1 + s·|αx|) + rows·|dα|);
                    // dγ_j, dβ_j: ε·(Σ_rows |dy|·(1 + |αx|) + rows·|result|) — the tanh's error, its argument's rounding and one rounding per row.
                    double alphaUnit = 0;
                    var columnUnit = new double[rowLength];
                    var dxUnit = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        double t = Math.Tanh(alpha * x[i]), s = 1 - (t * t);
                        double g = dy[i] * (kernel.HasWeight ? w[i % rowLength] : 1);
                        dxUnit[i] = epsilon * Math.Abs(alpha * g) * (1 + (s * Math.Abs(alpha * x[i])));
                        alphaUnit += epsilon * Math.Abs(g * x[i]) * (1 + (s * Math.Abs(alpha * x[i])));
                        columnUnit[i % rowLength] += epsilon * Math.Abs(dy[i]) * (1 + Math.Abs(alpha * x[i]));
                    }

                    alphaUnit += epsilon * Math.Max(rows, 1) * Math.Abs(expected.Da);
                    foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
                    {
                        Result actual = Run(kernel, method, x, alpha, w, dy, 0.25, dwStart, dbStart, rowLength);
                        string where = $"{path} α={alpha} {rows}x{rowLength}";
                        Check(where, "dx", actual.Dx, expected.Dx, i => dxUnit[i]);
                        Check(where, "dγ", actual.Dw, expected.Dw, j => columnUnit[j] + (epsilon * rows * Math.Abs(expected.Dw[j])));
                        Check(where, "dβ", actual.Db, expected.Db, j => columnUnit[j] + (epsilon * rows * Math.Abs(expected.Db[j])));
                        Check(where, "dα", new[] { actual.Da }, new[] { expected.Da }, _ => alphaUnit);
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));

        void Check(string where, string what, double[] actual, double[] expected, Func<int, double> unit)
        {
            for (int i = 0; i < actual.Length; i++)
            {
                double tolerance = 16 * Math.Max(unit(i), kernel.IsDouble ? double.Epsilon : Math.ScaleB(1, -149));
                if (!(actual[i] == expected[i] || Math.Abs(actual[i] - expected[i]) <= tolerance))
                {
                    failures.Add($"{where}: {what}[{i}] = {actual[i]:R}, Reference {expected[i]:R} ({Math.Abs(actual[i] - expected[i]) / tolerance * 16:G3} units)");
                    return;
                }
            }
        }
    }

    [Theory]
    [InlineData(nameof(DynamicTanhBackwardKernels.DyTBackwardD))]
    [InlineData(nameof(DynamicTanhBackwardKernels.DyTBackwardDU3Rows))]
    [InlineData(nameof(DynamicTanhBackwardKernels.DyTPlainBackwardDRows))]
    public void ReferenceMatchesFiniteDifferencesOfTheForwardReference(string name)
    {
        // L = Σ dy ⊙ y(x, α, γ, β) over the rows with the forward Reference in double ([DynamicTanh] DyTD, or
        // DyTPlainDU1Rows without γ and β); ∂L/∂v ≈ (L(v + h) − L(v − h))/(2h), per element of x, γ, β and for α.
        Info kernel = All.Single(k => k.Name == name);
        MethodInfo forward = (kernel.HasWeight
            ? typeof(DynamicTanhKernels).GetNestedType(nameof(DynamicTanhKernels.DyTD) + "Paths")
            : typeof(DynamicTanhKernels).GetNestedType(nameof(DynamicTanhKernels.DyTPlainDU1Rows) + "Paths"))!.GetMethod("Reference")!;
        int[] lengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 7, 17, 64 };
        int rows = kernel.ManyRows ? 3 : 1;
        int seed = 900;
        foreach (double alpha in new[] { 0.5, 1.3, -0.8 })
        {
            foreach (int n in lengths)
            {
                var random = new Random(seed++);
                double[] x = Enumerable.Range(0, rows * n).Select(_ => 1.5 * Inputs.Normal(random)).ToArray();
                double[] dy = Enumerable.Range(0, rows * n).Select(_ => Inputs.Normal(random)).ToArray();
                double[] w = kernel.HasWeight ? Enumerable.Range(0, n).Select(_ => 1 + (0.5 * Inputs.Normal(random))).ToArray() : Array.Empty<double>();
                double[] b = kernel.HasWeight ? Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray() : Array.Empty<double>();
                double Loss(double[] xs, double a, double[] ws, double[] bs)
                {
                    double total = 0;
                    var y = new double[n];
                    for (int r = 0; r < rows; r++)
                    {
                        if (kernel.HasWeight)
                        {
                            ((ScaledAffineRowKernel<double>)forward.CreateDelegate(typeof(ScaledAffineRowKernel<double>)))(xs.AsSpan(r * n, n), a, ws, bs, y);
                        }
                        else
                        {
                            ((ScaledRowsKernel<double>)forward.CreateDelegate(typeof(ScaledRowsKernel<double>)))(xs.AsSpan(r * n, n), a, y, n);
                        }

                        for (int i = 0; i < n; i++)
                        {
                            total += dy[(r * n) + i] * y[i];
                        }
                    }

                    return total;
                }

                Result analytic = Run(kernel, kernel.Paths["Reference"], x, alpha, w, dy, 0, new double[w.Length], new double[kernel.HasBias ? n : 0], n);
                Compare("dx", analytic.Dx, Differences(x, v => Loss(v, alpha, w, b)));
                Compare("dα", new[] { analytic.Da }, Differences(new[] { alpha }, v => Loss(x, v[0], w, b)));
                if (kernel.HasWeight)
                {
                    Compare("dγ", analytic.Dw, Differences(w, v => Loss(x, alpha, v, b)));
                    Compare("dβ", analytic.Db, Differences(b, v => Loss(x, alpha, w, v)));
                }

                void Compare(string what, double[] a, double[] numeric)
                {
                    double scale = Math.Max(a.Max(static v => Math.Abs(v)), 1e-3);
                    double error = a.Zip(numeric, static (p, q) => Math.Abs(p - q)).Max() / scale;
                    Assert.True(error <= 1e-7, $"{name} α={alpha} n={n}: {what} differs from the finite differences by {error:G3} of its largest element");
                }
            }
        }
    }

    [Fact]
    public void WrongAlphaGradientIsRejectedWithNothingWritten()
    {
        Info kernel = All.Single(k => k.Name == nameof(DynamicTanhBackwardKernels.DyTBackwardFRows));
        const int n = 8, rows = 2;
        float[] x = Enumerable.Range(0, n * rows).Select(static i => (float)Math.Sin(i)).ToArray();
        float[] w = Enumerable.Repeat(1f, n).ToArray(), dy = Enumerable.Repeat(0.5f, n * rows).ToArray();
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            var run = (DyTBackwardRowsKernel<float>)method.CreateDelegate(typeof(DyTBackwardRowsKernel<float>));
            float[] dx = Enumerable.Repeat(7f, n * rows).ToArray(), da = { 7f, 7f }, dw = Enumerable.Repeat(7f, n).ToArray(), db = Enumerable.Repeat(7f, n).ToArray();
            Assert.Equal("alphaGradient", Assert.ThrowsAny<ArgumentException>(() => run(x, 0.5f, w, dy, dx, da, dw, db, n)).ParamName);
            Assert.Equal("alphaGradient", Assert.ThrowsAny<ArgumentException>(() => run(x, 0.5f, w, dy, dx, default, dw, db, n)).ParamName);
            Assert.Equal("alphaGradient", Assert.ThrowsAny<ArgumentException>(() => run(x, 0.5f, w, dy, dx, dx.AsSpan(3, 1), dw, db, n)).ParamName);
            Assert.Equal("weightGradient", Assert.ThrowsAny<ArgumentException>(() => run(x, 0.5f, w, dy, dx, da.AsSpan(0, 1), da, db, n)).ParamName);
            Assert.True(dx.All(static v => v == 7f) && da.All(static v => v == 7f) && dw.All(static v => v == 7f) && db.All(static v => v == 7f), $"{path} wrote before throwing");
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void InputGradientMayReplaceOutputGradient(string name)
    {
        Info kernel = All.Single(k => k.Name == name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        int rows = kernel.ManyRows ? 3 : 1;
        var random = new Random(7);
        double[] x = Round(kernel, Enumerable.Range(0, rows * n).Select(_ => Inputs.Normal(random)).ToArray());
        double[] dy = Round(kernel, Enumerable.Range(0, rows * n).Select(_ => Inputs.Normal(random)).ToArray());
        double[] w = kernel.HasWeight ? Round(kernel, Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray()) : Array.Empty<double>();
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            Result apart = Run(kernel, method, x, 0.7, w, dy, 0, new double[w.Length], new double[kernel.HasBias ? n : 0], n);
            Result inPlace = Run(kernel, method, x, 0.7, w, dy, 0, new double[w.Length], new double[kernel.HasBias ? n : 0], n, inPlace: true);
            Assert.True(apart.Dx.SequenceEqual(inPlace.Dx) && apart.Da == inPlace.Da, $"{path}: dx in place of dy differs");
        }
    }

    private static double[] Differences(double[] values, Func<double[], double> loss)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double[] up = (double[])values.Clone(), down = (double[])values.Clone();
            double h = 1e-5 * Math.Max(1, Math.Abs(values[i]));
            up[i] += h;
            down[i] -= h;
            result[i] = (loss(up) - loss(down)) / (up[i] - down[i]);
        }

        return result;
    }

    private static double[] Round(Info kernel, double[] values) => kernel.IsDouble ? values : values.Select(static v => (double)(float)v).ToArray();

    private sealed record Info(string Name, bool IsDouble, bool ManyRows, bool HasWeight, bool HasBias, int Width, MethodInfo Dispatcher, IReadOnlyDictionary<string, MethodInfo> Paths)
    {
        public override string ToString() => this.Name;
    }

    private sealed record Result(double[] Dx, double Da, double[] Dw, double[] Db);

    private static Result Run(Info kernel, MethodInfo method, double[] x, double alpha, double[] w, double[] dy, double daStart, double[] dwStart, double[] dbStart, int rowLength, bool inPlace = false) =>
        kernel.IsDouble
            ? Run<double>(kernel, method, x, alpha, w, dy, daStart, dwStart, dbStart, rowLength, inPlace, static v => v, static v => v)
            : Run<float>(kernel, method, x, alpha, w, dy, daStart, dwStart, dbStart, rowLength, inPlace, static v => (float)v, static v => v);

    private static Result Run<T>(Info kernel, MethodInfo method, double[] xd, double alphaD, double[] wd, double[] dyd, double daStart, double[] dwStart, double[] dbStart, int rowLength, bool inPlace, Func<double, T> to, Func<T, double> from)
    {
        T[] x = xd.Select(to).ToArray(), w = wd.Select(to).ToArray(), dy = dyd.Select(to).ToArray();
        T[] dx = inPlace ? dy : new T[x.Length];
        T[] da = { to(daStart) };
        T[] dw = dwStart.Select(to).ToArray(), db = dbStart.Select(to).ToArray();
        T alpha = to(alphaD);
        Type type = (kernel.HasWeight, kernel.HasBias, kernel.ManyRows) switch
        {
            (true, true, true) => typeof(DyTBackwardRowsKernel<T>),
            (true, true, false) => typeof(DyTBackwardRowKernel<T>),
            (true, false, _) => typeof(DyTNoBiasBackwardRowsKernel<T>),
            (false, _, true) => typeof(DyTPlainBackwardRowsKernel<T>),
            (false, _, false) => typeof(DyTPlainBackwardRowKernel<T>),
        };
        switch (method.CreateDelegate(type))
        {
            case DyTBackwardRowsKernel<T> k: k(x, alpha, w, dy, dx, da, dw, db, rowLength); break;
            case DyTBackwardRowKernel<T> k: k(x, alpha, w, dy, dx, da, dw, db); break;
            case DyTNoBiasBackwardRowsKernel<T> k: k(x, alpha, w, dy, dx, da, dw, rowLength); break;
            case DyTPlainBackwardRowsKernel<T> k: k(x, alpha, dy, dx, da, rowLength); break;
            case DyTPlainBackwardRowKernel<T> k: k(x, alpha, dy, dx, da); break;
        }

        return new Result(dx.Select(from).ToArray(), from(da[0]), dw.Select(from).ToArray(), db.Select(from).ToArray());
    }

    private static IEnumerable<Info> Discover()
    {
        foreach (MethodInfo method in typeof(DynamicTanhBackwardKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            DynamicTanhAttribute? attribute = method.GetCustomAttribute<DynamicTanhAttribute>();
            if (attribute is null)
            {
                continue;
            }

            Type paths = typeof(DynamicTanhBackwardKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            string[] names = parameters.Select(static p => p.Name!).ToArray();
            yield return new Info(
                method.Name,
                parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                parameters[^1].ParameterType == typeof(int),
                names.Contains("weightGradient"),
                names.Contains("biasGradient"),
                attribute.Width,
                method,
                KernelCatalog.PathsOf(paths));
        }
    }
}
