using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The backward [Sparsemax] and [Entmax15] kernels (<c>Backward = true</c>): every path against the formula written here
/// (the entmax package's backward, in double), and against central finite differences of the forward (the test's own
/// oracle of <see cref="SparseMapTests"/>, in double) away from changes of the support; dx in dy's memory; bad spans.
/// </summary>
public class SparseMapBackwardTests
{
    /// <summary>Error / (ε·(|dy_i| + Σ g·|dy| / Σ g)), ε = 2⁻²⁴ or 2⁻⁵³: the tolerance of docs/accuracy.md.</summary>
    public const double Tolerance = 4;

    public static IEnumerable<object[]> Kernels =>
        typeof(SparseMapBackwardKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(static m => m.GetCustomAttributes().Any(static a => a is SparsemaxAttribute or Entmax15Attribute))
            .Select(static m => new object[] { m.Name });

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryPathMatchesTheFormula(string name)
    {
        Kernel kernel = Kernel.Get(name);
        int[] lengths = kernel.Width != 0 ? new[] { kernel.Width } : Enumerable.Range(1, 70).Concat(new[] { 1000, 4099, 32768 }).ToArray();
        var worstByPath = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (int n in lengths)
        {
            foreach (string distribution in new[] { "Normal", "Uniform01", "Ties" })
            {
                int rows = kernel.ManyRows ? 3 : 1;
                (double[] y, double[] dy) = Make(kernel, distribution, n, rows, n + 3);
                double[] expected = Formula(kernel.IsEntmax, y, dy, n, out double[] scale);
                foreach ((string path, MethodInfo method) in kernel.Paths)
                {
                    double[] dx = kernel.Run(method, y, dy, n);
                    for (int i = 0; i < dx.Length; i++)
                    {
                        double units = Math.Abs(dx[i] - expected[i]) / (kernel.Eps * scale[i]);
                        worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), double.IsNaN(units) ? double.PositiveInfinity : units);
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.All(worstByPath, p => Assert.True(p.Value <= Tolerance, $"{name}.{p.Key}: {p.Value:F2} units"));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryPathMatchesFiniteDifferencesOfTheForward(string name)
    {
        // dx_i = Σ_j dy_j ∂y_j/∂x_i, by central differences of the forward (in double) with h = 1e-6, at inputs whose
        // elements all lie at least 1e-3 from the threshold (no support change within ±h).
        Kernel kernel = Kernel.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 40;
        var random = new Random(60);
        int checkedRows = 0;
        for (int attempt = 0; attempt < 50 && checkedRows < 5; attempt++)
        {
            double[] x = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray();
            double[] y = Forward(kernel.IsEntmax, x, out double tau);
            if (x.Any(v => Math.Abs((kernel.IsEntmax ? v / 2 : v) - tau) < 1e-3))
            {
                continue;
            }

            checkedRows++;
            double[] dy = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray();
            const double h = 1e-6;
            var numeric = new double[n];
            for (int i = 0; i < n; i++)
            {
                double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                plus[i] += h;
                minus[i] -= h;
                double[] yPlus = Forward(kernel.IsEntmax, plus, out _), yMinus = Forward(kernel.IsEntmax, minus, out _);
                numeric[i] = Enumerable.Range(0, n).Sum(j => dy[j] * (yPlus[j] - yMinus[j])) / (2 * h);
            }

            double[] yRows = kernel.ManyRows ? y.Concat(y).ToArray() : y;
            double[] dyRows = kernel.ManyRows ? dy.Concat(dy).ToArray() : dy;
            foreach ((string path, MethodInfo method) in kernel.Paths)
            {
                double[] dx = kernel.Run(method, kernel.Round(yRows), kernel.Round(dyRows), n);
                double limit = kernel.IsDouble ? 1e-7 : 1e-5;
                for (int i = 0; i < dx.Length; i++)
                {
                    Assert.True(Math.Abs(dx[i] - numeric[i % n]) <= limit * (1 + Math.Abs(numeric[i % n])), $"{name}.{path}: dx[{i}] = {dx[i]:R}, finite differences {numeric[i % n]:R}");
                }
            }
        }

        Assert.Equal(5, checkedRows);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void InPlaceOverDyAndBadSpans(string name)
    {
        Kernel kernel = Kernel.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 50;
        int length = kernel.ManyRows ? 2 * n : n;
        (double[] y, double[] dy) = Make(kernel, "Normal", n, kernel.ManyRows ? 2 : 1, 70);
        foreach ((string path, MethodInfo method) in kernel.Paths)
        {
            double[] expected = kernel.Run(method, y, dy, n);
            Assert.Equal(expected, kernel.RunInPlace(method, y, dy, n));
            Assert.ThrowsAny<ArgumentException>(() => kernel.Run(method, y, dy.Take(length - 1).ToArray(), n));
            Assert.ThrowsAny<ArgumentException>(() => kernel.RunRaw(method, length, length + 1, dxOverlapsY: false, n));
            Assert.ThrowsAny<ArgumentException>(() => kernel.RunRaw(method, length, length, dxOverlapsY: true, n));
        }
    }

    // y from the forward (the test's oracle) of random rows, rounded to the element type, and dy ~ N(0,1).
    private static (double[] Y, double[] Dy) Make(Kernel kernel, string distribution, int n, int rows, int seed)
    {
        var random = new Random(seed);
        var y = new List<double>();
        for (int r = 0; r < rows; r++)
        {
            double[] x = Enumerable.Range(0, n).Select(_ => distribution switch
            {
                "Uniform01" => random.NextDouble(),
                "Ties" => random.Next(3),
                _ => Inputs.Normal(random),
            }).ToArray();
            y.AddRange(Forward(kernel.IsEntmax, x, out _));
        }

        double[] dy = Enumerable.Range(0, n * rows).Select(_ => Inputs.Normal(random)).ToArray();
        return (kernel.Round(y.ToArray()), kernel.Round(dy));
    }

    // The entmax package's backward formulas, in double, per row; scale_i = |dy_i| + Σ g·|dy| / Σ g (the error unit: the
    // conditioning of dy_i − shift, whose sum may cancel).
    private static double[] Formula(bool entmax, double[] y, double[] dy, int n, out double[] scale)
    {
        var dx = new double[y.Length];
        scale = new double[y.Length];
        for (int start = 0; start < y.Length; start += n)
        {
            double a = 0, b = 0, magnitude = 0;
            for (int i = start; i < start + n; i++)
            {
                double g = entmax ? Math.Sqrt(y[i]) : (y[i] != 0 ? 1 : 0);
                a += g * dy[i];
                b += g;
                magnitude += g * Math.Abs(dy[i]);
            }

            double shift = b == 0 ? 0 : a / b;
            double conditioning = b == 0 ? 0 : magnitude / b;
            for (int i = start; i < start + n; i++)
            {
                double g = entmax ? Math.Sqrt(y[i]) : (y[i] != 0 ? 1 : 0);
                dx[i] = g * (dy[i] - shift);
                scale[i] = Math.Max(Math.Abs(dy[i]) + conditioning, 1e-300);
            }
        }

        return dx;
    }

    // The forward in double, by bisection on τ then the closed form on its support (as SparseMapTests' oracle).
    private static double[] Forward(bool entmax, double[] x, out double tau)
    {
        double m = x.Max();
        double[] z = x.Select(v => entmax ? (v - m) / 2 : v - m).ToArray();
        double low = -1, high = 0;
        for (int iteration = 0; iteration < 200; iteration++)
        {
            double middle = (low + high) / 2;
            if (middle <= low || middle >= high)
            {
                break;
            }

            double mass = z.Sum(v => v > middle ? (entmax ? (v - middle) * (v - middle) : v - middle) : 0);
            (mass >= 1 ? ref low : ref high) = middle;
        }

        double[] support = z.Where(v => v > low).ToArray();
        double mean = support.Average();
        double t = entmax
            ? mean - Math.Sqrt(Math.Max((1 - support.Sum(v => (v - mean) * (v - mean))) / support.Length, 0))
            : (support.Sum() - 1) / support.Length;
        tau = t + (entmax ? m / 2 : m);
        return z.Select(v => Math.Max(v - t, 0)).Select(d => entmax ? d * d : d).ToArray();
    }

    private sealed class Kernel
    {
        public required bool IsEntmax { get; init; }

        public required bool IsDouble { get; init; }

        public required bool ManyRows { get; init; }

        public required int Width { get; init; }

        public required IReadOnlyList<(string Name, MethodInfo Method)> Paths { get; init; }

        public double Eps => this.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);

        public static Kernel Get(string name)
        {
            MethodInfo method = typeof(SparseMapBackwardKernels).GetMethod(name)!;
            Type paths = typeof(SparseMapBackwardKernels).GetNestedType(name + "Paths")!;
            SparsemaxAttribute? sparsemax = method.GetCustomAttribute<SparsemaxAttribute>();
            return new Kernel
            {
                IsEntmax = sparsemax is null,
                IsDouble = method.GetParameters()[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = method.GetParameters().Length == 4,
                Width = sparsemax?.Width ?? method.GetCustomAttribute<Entmax15Attribute>()!.Width,
                Paths = Harness.RunnablePaths(KernelCatalog.PathsOf(paths), method).ToList(),
            };
        }

        public double[] Round(double[] values) => this.IsDouble ? values : values.Select(static v => (double)(float)v).ToArray();

        public double[] Run(MethodInfo method, double[] y, double[] dy, int n)
        {
            if (this.IsDouble)
            {
                var dx = new double[y.Length];
                this.Invoke<double>(method, y, dy, dx, n);
                return dx;
            }

            var output = new float[y.Length];
            this.Invoke<float>(method, ToFloat(y), ToFloat(dy), output, n);
            return output.Select(static v => (double)v).ToArray();
        }

        // dx written over dy (the same memory).
        public double[] RunInPlace(MethodInfo method, double[] y, double[] dy, int n)
        {
            if (this.IsDouble)
            {
                double[] data = (double[])dy.Clone();
                this.Invoke<double>(method, y, data, data, n);
                return data;
            }

            float[] values = ToFloat(dy);
            this.Invoke<float>(method, ToFloat(y), values, values, n);
            return values.Select(static v => (double)v).ToArray();
        }

        // Zeros of the given lengths; dx either its own array or overlapping y by one element.
        public void RunRaw(MethodInfo method, int length, int dxLength, bool dxOverlapsY, int n)
        {
            if (this.IsDouble)
            {
                double[] shared = new double[length + dxLength];
                this.Invoke<double>(method, shared.AsSpan(0, length), new double[length], dxOverlapsY ? shared.AsSpan(length - 1, dxLength) : new double[dxLength], n);
            }
            else
            {
                float[] shared = new float[length + dxLength];
                this.Invoke<float>(method, shared.AsSpan(0, length), new float[length], dxOverlapsY ? shared.AsSpan(length - 1, dxLength) : new float[dxLength], n);
            }
        }

        private void Invoke<T>(MethodInfo method, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int n)
        {
            if (this.ManyRows)
            {
                ((BackwardRowsKernel<T>)method.CreateDelegate(typeof(BackwardRowsKernel<T>)))(y, dy, dx, n);
            }
            else
            {
                ((BackwardRowKernel<T>)method.CreateDelegate(typeof(BackwardRowKernel<T>)))(y, dy, dx);
            }
        }

        private static float[] ToFloat(double[] values) => values.Select(static v => (float)v).ToArray();
    }
}
