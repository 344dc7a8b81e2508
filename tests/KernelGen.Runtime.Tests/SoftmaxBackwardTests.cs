using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>A one-row backward kernel that takes the forward's output (softmax, log-softmax, sparsemax, 1.5-entmax): y, dy, dx.</summary>
public delegate void BackwardRowKernel<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient);

/// <summary>The many-rows form of <see cref="BackwardRowKernel{T}"/>.</summary>
public delegate void BackwardRowsKernel<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int rowLength);

/// <summary>
/// The softmax and log-softmax backward kernels: the double kernels (every path and Reference) against central
/// finite differences of the forward (written here in double: L(x) = ⟨dy, softmax(f·x)⟩ or ⟨dy, log-softmax(f·x)⟩);
/// every path of every kernel against Reference; then in place (dx in dy's memory) and bad arguments.
/// </summary>
public class SoftmaxBackwardTests
{
    private const int Guard = 16;

    private readonly ITestOutputHelper output;

    public SoftmaxBackwardTests(ITestOutputHelper output) => this.output = output;

    public sealed record Kernel(string Name, bool IsLog, bool IsDouble, bool ManyRows, int Width, double Factor, MethodInfo Dispatcher, IReadOnlyDictionary<string, MethodInfo> Paths)
    {
        public override string ToString() => this.Name;

        public void Run<T>(MethodInfo method, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rowLength)
        {
            if (this.ManyRows)
            {
                ((BackwardRowsKernel<T>)method.CreateDelegate(typeof(BackwardRowsKernel<T>)))(y, dy, dx, rowLength);
            }
            else
            {
                ((BackwardRowKernel<T>)method.CreateDelegate(typeof(BackwardRowKernel<T>)))(y, dy, dx);
            }
        }
    }

    public static readonly IReadOnlyList<Kernel> All = typeof(SoftmaxBackwardKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Select(static m => (Method: m, Attribute: m.GetCustomAttribute<SoftmaxFamilyAttribute>()))
        .Where(static p => p.Attribute is not null)
        .Select(static p =>
        {
            SoftmaxFamilyAttribute a = p.Attribute!;
            ParameterInfo[] parameters = p.Method.GetParameters();
            return new Kernel(
                p.Method.Name,
                a is LogSoftmaxAttribute,
                parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                parameters[^1].ParameterType == typeof(int),
                a.Width,
                a.Scale / a.Temperature,
                p.Method,
                KernelCatalog.PathsOf(typeof(SoftmaxBackwardKernels).GetNestedType(p.Method.Name + "Paths", BindingFlags.Public)!));
        })
        .ToList();

    public static IEnumerable<object[]> AllKernels => All.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> DoubleKernels => All.Where(static k => k.IsDouble).Select(static k => new object[] { k.Name });

    private static Kernel Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The forward in double, from the formula: softmax(f·x) or log-softmax(f·x) of one row.</summary>
    private static double[] Forward(double[] x, double factor, bool log)
    {
        double max = x.Select(v => v * factor).Max();
        double sum = x.Sum(v => Math.Exp((v * factor) - max));
        return x.Select(v => log ? (v * factor) - max - Math.Log(sum) : Math.Exp((v * factor) - max) / sum).ToArray();
    }

    [Theory]
    [MemberData(nameof(DoubleKernels))]
    public void EveryPathMatchesFiniteDifferencesOfTheForward(string name)
    {
        Kernel kernel = Get(name);
        int[] lengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 7, 17, 64, 100 };
        double worst = 0;
        foreach (int n in lengths)
        {
            var random = new Random(n);
            double[] x = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random) * 3).ToArray();
            double[] dy = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray();
            double[] y = Forward(x, kernel.Factor, kernel.IsLog);

            // Central differences of L(x) = ⟨dy, forward(x)⟩: dL/dx_i ≈ (L(x + h·e_i) − L(x − h·e_i)) / 2h.
            double[] expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                double h = 1e-5 * Math.Max(1, Math.Abs(x[i]));
                double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
                plus[i] += h;
                minus[i] -= h;
                double lPlus = Forward(plus, kernel.Factor, kernel.IsLog).Zip(dy, static (a, b) => a * b).Sum();
                double lMinus = Forward(minus, kernel.Factor, kernel.IsLog).Zip(dy, static (a, b) => a * b).Sum();
                expected[i] = (lPlus - lMinus) / (2 * h);
            }

            foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
            {
                double[] actual = Run(kernel, method, y, dy, n);
                for (int i = 0; i < n; i++)
                {
                    double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
                    worst = Math.Max(worst, error);
                    Assert.True(error < 1e-8, $"{path}, n = {n}, [{i}]: {actual[i]:R}, finite differences {expected[i]:R}");
                }
            }
        }

        this.output.WriteLine($"{name}: worst relative difference to finite differences {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesReference(string name)
    {
        Kernel kernel = Get(name);
        int[] lengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 3, 16, 17, 33, 64, 100, 257, 1000, 4099 };
        int rows = kernel.ManyRows ? 3 : 1;
        double worst = 0;
        string where = string.Empty;
        foreach (int n in lengths)
        {
            var random = new Random(n + 7);
            double[] y = new double[rows * n], dy = new double[rows * n];
            for (int r = 0; r < rows; r++)
            {
                double[] x = Enumerable.Range(0, n).Select(_ => Inputs.Normal(random) * 4).ToArray();
                Forward(x, kernel.Factor, kernel.IsLog).CopyTo(y, r * n);
            }

            for (int i = 0; i < dy.Length; i++)
            {
                dy[i] = Inputs.Normal(random);
            }

            if (!kernel.IsDouble)
            {
                y = y.Select(static v => (double)(float)v).ToArray();
                dy = dy.Select(static v => (double)(float)v).ToArray();
            }

            double[] reference = Run(kernel, kernel.Paths["Reference"], y, dy, n);
            foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
            {
                double[] actual = Run(kernel, method, y, dy, n);
                for (int r = 0; r < rows; r++)
                {
                    // The scale of an element's rounding: softmax y_i·(|dy_i| + Σ|dy_j·y_j|); log-softmax |dy_i| + p_i·(1 + |y_i|)·Σ|dy_j|.
                    double dot = 0, sum = 0;
                    for (int j = 0; j < n; j++)
                    {
                        dot += Math.Abs(dy[(r * n) + j] * y[(r * n) + j]);
                        sum += Math.Abs(dy[(r * n) + j]);
                    }

                    for (int j = 0; j < n; j++)
                    {
                        int i = (r * n) + j;
                        double scale = kernel.IsLog
                            ? Math.Abs(dy[i]) + (Math.Exp(y[i]) * (1 + Math.Abs(y[i])) * sum)
                            : Math.Abs(y[i]) * (Math.Abs(dy[i]) + dot);
                        double eps = kernel.IsDouble ? Oracle.DoubleEpsilon : Oracle.FloatEpsilon;
                        double units = Math.Abs(actual[i] - reference[i]) / (eps * ((kernel.Factor * scale) + double.Epsilon));
                        if (!(units <= worst))
                        {
                            worst = units;
                            where = $"{path}, n = {n}, [{i}]: {actual[i]:R}, Reference {reference[i]:R}";
                        }
                    }
                }
            }
        }

        this.output.WriteLine($"{name}: worst {worst:F2} units at {where}");
        Assert.True(worst <= 16, $"worst {worst:F2} units at {where}");
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceIntoTheOutputGradient(string name)
    {
        Kernel kernel = Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int rows = kernel.ManyRows ? 3 : 1;
        var random = new Random(3);
        double[] y = Enumerable.Range(0, rows * n).Select(_ => kernel.IsLog ? -random.NextDouble() * 5 : random.NextDouble() / n).ToArray();
        double[] dy = Enumerable.Range(0, rows * n).Select(_ => Inputs.Normal(random)).ToArray();
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            double[] expected = Run(kernel, method, y, dy, n);
            double[] actual;
            if (kernel.IsDouble)
            {
                double[] data = (double[])dy.Clone();
                kernel.Run<double>(method, y, data, data, n);
                actual = data;
            }
            else
            {
                float[] data = dy.Select(static v => (float)v).ToArray();
                kernel.Run<float>(method, y.Select(static v => (float)v).ToArray(), data, data, n);
                actual = data.Select(static v => (double)v).ToArray();
            }

            Assert.True(expected.SequenceEqual(actual), $"{path}: dx in dy's memory differs");
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        Kernel kernel = Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        int length = kernel.ManyRows ? 2 * n : n;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            void Expect(int dyLength, int dxLength, string parameter)
            {
                double[] dx = Enumerable.Repeat(7.0, dxLength).ToArray();
                float[] dxF = Enumerable.Repeat(7f, dxLength).ToArray();
                ArgumentException e = kernel.IsDouble
                    ? Assert.ThrowsAny<ArgumentException>(() => kernel.Run<double>(method, new double[length], new double[dyLength], dx, n))
                    : Assert.ThrowsAny<ArgumentException>(() => kernel.Run<float>(method, new float[length], new float[dyLength], dxF, n));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? dx.All(static v => v == 7.0) : dxF.All(static v => v == 7f), $"{path} wrote to dx of a rejected call");
            }

            Expect(length + 1, length, "outputGradient");
            Expect(length, length - 1, "inputGradient");
        }
    }

    private static double[] Run(Kernel kernel, MethodInfo method, double[] y, double[] dy, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[y.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, y, dy, buffer.AsSpan(Guard, y.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + y.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside dx");
            return buffer.AsSpan(Guard, y.Length).ToArray();
        }

        var bufferF = new float[y.Length + (2 * Guard)];
        Array.Fill(bufferF, 12345.678f);
        kernel.Run<float>(method, y.Select(static v => (float)v).ToArray(), dy.Select(static v => (float)v).ToArray(), bufferF.AsSpan(Guard, y.Length), rowLength);
        Assert.True(bufferF.Take(Guard).Concat(bufferF.Skip(Guard + y.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside dx");
        return bufferF.AsSpan(Guard, y.Length).ToArray().Select(static v => (double)v).ToArray();
    }
}
