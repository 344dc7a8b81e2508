using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>A one-row [SeeDNorm]: input, β, α, γ, output.</summary>
public delegate void SeeDRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> beta, ReadOnlySpan<T> alpha, ReadOnlySpan<T> gamma, Span<T> output);

/// <summary>The many-rows form of <see cref="SeeDRowKernel{T}"/>.</summary>
public delegate void SeeDRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> beta, ReadOnlySpan<T> alpha, ReadOnlySpan<T> gamma, Span<T> output, int rowLength);

/// <summary>One generated [SeeDNorm] kernel found by reflection.</summary>
public sealed class SeeDNormInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required double Epsilon { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public required KernelPath Selected { get; init; }

    public override string ToString() => this.Name;

    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> beta, ReadOnlySpan<T> alpha, ReadOnlySpan<T> gamma, Span<T> output, int rowLength)
    {
        if (this.ManyRows)
        {
            ((SeeDRowsKernel<T>)method.CreateDelegate(typeof(SeeDRowsKernel<T>)))(input, beta, alpha, gamma, output, rowLength);
        }
        else
        {
            ((SeeDRowKernel<T>)method.CreateDelegate(typeof(SeeDRowKernel<T>)))(input, beta, alpha, gamma, output);
        }
    }
}

/// <summary>Finds every kernel declared in <see cref="SeeDNormKernels"/>.</summary>
public static class SeeDNormCatalog
{
    public static readonly IReadOnlyList<SeeDNormInfo> All = Discover().ToList();

    public static SeeDNormInfo Get(string name) => All.Single(k => k.Name == name);

    public static IEnumerable<object[]> Names(Func<SeeDNormInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<SeeDNormInfo> Discover()
    {
        foreach (MethodInfo method in typeof(SeeDNormKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<SeeDNormAttribute>() is not { } attribute)
            {
                continue;
            }

            Type paths = typeof(SeeDNormKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new SeeDNormInfo
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Width = attribute.Width,
                Unroll = attribute.Unroll,
                Epsilon = attribute.Epsilon,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}

/// <summary>
/// Every path of every [SeeDNorm] kernel (and the dispatcher) against the Reference and against an oracle written
/// here from the paper's formula, y = (tanh(⟨x, β⟩)·α + γ)·x/sqrt(mean(x²) + ε), in double with compensated sums;
/// the Reference against the same oracle within 1 unit; rows of one element, constant rows, ε = 0, in place, bad spans.
/// </summary>
public class SeeDNormTests
{
    private const int Guard = 16;

    public static readonly string[] Distributions = { "Normal", "Uniform100", "Wide1e4", "Outlier" };

    public static IEnumerable<object[]> OneRowKernels => SeeDNormCatalog.Names(static k => !k.ManyRows);

    public static IEnumerable<object[]> ManyRowKernels => SeeDNormCatalog.Names(static k => k.ManyRows);

    public static IEnumerable<object[]> AllKernels => SeeDNormCatalog.Names();

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesOracleOnEveryPath(string name)
    {
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        var lengths = new List<int>();
        if (kernel.Width != 0)
        {
            lengths.Add(kernel.Width);
        }
        else
        {
            int lanes = kernel.IsDouble ? 8 : 16;
            int block = (kernel.Unroll == 0 ? 8 : kernel.Unroll) * lanes;
            int step = Inputs.SmallScale ? 7 : 1;
            for (int n = 1; n <= (3 * block) + 1; n += step)
            {
                lengths.Add(n);
            }

            lengths.Add(1000);
            lengths.Add(4099);
            lengths.Add(Inputs.SmallScale ? 20_011 : 100_003);
        }

        Check(kernel, lengths.Select(static n => (n, n)));
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelMatchesOracleOnEveryPath(string name)
    {
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 17, 64, 100, 1000 };
        int[] rowCounts = { 0, 1, 2, 5 };
        Check(kernel, rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r))));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ConstantRowsGiveTheClosedForm(string name)
    {
        // x_i = c for every i: mean(x²) = c², ⟨x, β⟩ = c·Σβ, so y_i = (tanh(c·Σβ)·α_i + γ_i)·c/sqrt(c² + ε).
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 33;
        int length = kernel.ManyRows ? 3 * n : n;
        (double[] beta, double[] alpha, double[] gamma) = Parameters(kernel, n, 40);
        foreach (double c in new[] { 1.5, -0.25, 300.0 })
        {
            double[] x = Enumerable.Repeat(Round(kernel, c), length).ToArray();
            double betaSum = beta.Sum();
            foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
            {
                double[] y = Run(kernel, method, x, beta, alpha, gamma, n);
                for (int i = 0; i < length; i++)
                {
                    int j = i % n;
                    double expected = ((Math.Tanh(x[i] * betaSum) * alpha[j]) + gamma[j]) * x[i] / Math.Sqrt((x[i] * x[i]) + kernel.Epsilon);
                    double units = Units(kernel, y[i], expected, x[i], x[i] * x[i], x[i] * betaSum, Math.Abs(x[i]) * beta.Sum(Math.Abs), alpha[j], gamma[j]);
                    Assert.True(units <= Harness.FloatTolerance, $"{path}: c = {c}, [{i}] gives {y[i]:R}, expected {expected:R} ({units:G3} units)");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ZeroRowsGiveZerosOrNaNWithoutEpsilon(string name)
    {
        // A row of zeros: 0·(1/sqrt(ε)) = 0 with ε > 0; with ε = 0, 0·(1/0) = 0·∞ = NaN (as RmsNorm, as PyTorch).
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 9;
        int length = kernel.ManyRows ? 2 * n : n;
        (double[] beta, double[] alpha, double[] gamma) = Parameters(kernel, n, 41);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, new double[length], beta, alpha, gamma, n);
            Assert.All(y, v => Assert.True(kernel.Epsilon == 0 ? double.IsNaN(v) : v == 0, $"{path}: a zero row gives {v:R}"));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ANaNMakesItsWholeRowNaN(string name)
    {
        // A NaN enters Σx² and ⟨x, β⟩: every output of its row is NaN; the other rows are unaffected.
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 21;
        int length = kernel.ManyRows ? 2 * n : n;
        double[] x = Round(kernel, Inputs.Make("Normal", length, 44));
        x[n / 2] = double.NaN;
        (double[] beta, double[] alpha, double[] gamma) = Parameters(kernel, n, 45);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, beta, alpha, gamma, n);
            for (int i = 0; i < length; i++)
            {
                Assert.True(i < n ? double.IsNaN(y[i]) : double.IsFinite(y[i]), $"{path}: [{i}] gives {y[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * n : n;
        double[] x = Round(kernel, Inputs.Make("Normal", length, 42));
        (double[] beta, double[] alpha, double[] gamma) = Parameters(kernel, n, 43);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] expected = Run(kernel, method, x, beta, alpha, gamma, n);
            double[] actual;
            if (kernel.IsDouble)
            {
                actual = (double[])x.Clone();
                kernel.Run<double>(method, actual, beta, alpha, gamma, actual, n);
            }
            else
            {
                float[] data = ToFloat(x);
                kernel.Run<float>(method, data, ToFloat(beta), ToFloat(alpha), ToFloat(gamma), data, n);
                actual = data.Select(static v => (double)v).ToArray();
            }

            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        SeeDNormInfo kernel = SeeDNormCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        int length = kernel.ManyRows ? 2 * n : n;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            void Expect<TException>(int inputLength, int outputLength, int betaLength, int alphaLength, int gammaLength, int rowLength, string parameter)
                where TException : ArgumentException
            {
                double[] outputD = Enumerable.Repeat(7.0, outputLength).ToArray();
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                TException e = kernel.IsDouble
                    ? Assert.Throws<TException>(() => kernel.Run<double>(method, new double[inputLength], new double[betaLength], new double[alphaLength], new double[gammaLength], outputD, rowLength))
                    : Assert.Throws<TException>(() => kernel.Run<float>(method, new float[inputLength], new float[betaLength], new float[alphaLength], new float[gammaLength], output, rowLength));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? outputD.All(static v => v == 7.0) : output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            Expect<ArgumentException>(length, length + 1, n, n, n, n, "output");
            Expect<ArgumentException>(length, length, n + 1, n, n, n, "beta");
            Expect<ArgumentException>(length, length, n, n - 1, n, n, "alpha");
            Expect<ArgumentException>(length, length, n, n, n + 1, n, "gamma");
            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, n, n, n, 0, "rowLength");
            }

            // β overlapping the output: later rows would read what earlier rows wrote.
            if (kernel.IsDouble)
            {
                double[] shared = new double[length + n];
                ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, new double[length], shared.AsSpan(length - 1, n), new double[n], new double[n], shared.AsSpan(0, length), n));
                Assert.Equal("beta", e.ParamName);
            }
            else
            {
                float[] shared = new float[length + n];
                ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, new float[length], shared.AsSpan(length - 1, n), new float[n], new float[n], shared.AsSpan(0, length), n));
                Assert.Equal("beta", e.ParamName);
            }
        }
    }

    [Fact]
    public void SelectedPathIsTheDispatchersChoiceForEverySeeDNormKernel()
    {
        KernelPath expected = KernelCatalog.Get("SoftmaxAutoF").Selected;
        Assert.All(SeeDNormCatalog.All, k => Assert.Equal(expected, k.Selected));
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Σ of the terms with Neumaier's compensation (written here, independent of the runtime's CompensatedSum).</summary>
    private static double Sum(IEnumerable<double> terms)
    {
        double sum = 0, error = 0;
        foreach (double term in terms)
        {
            double next = sum + term;
            error += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
            sum = next;
        }

        return sum + error;
    }

    /// <summary>
    /// The error in units of docs/accuracy.md: |y − exact| / (ε·|x_i|/rms·(|s·α_i| + |γ_i| + |α_i|·(1 − s²)·Σ|x_j·β_j|)): the
    /// last term is the dot product's condition (its rounding, through tanh′ = 1 − s²); ε = 2⁻²⁴ or 2⁻⁵³.
    /// </summary>
    private static double Units(SeeDNormInfo kernel, double actual, double expected, double x, double meanSquare, double dot, double absoluteDot, double alpha, double gamma)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        if (actual == expected)
        {
            return 0;
        }

        double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
        double floor = kernel.IsDouble ? double.Epsilon : Math.ScaleB(1, -149);
        double s = Math.Tanh(dot);
        double factor = Math.Abs(s * alpha) + Math.Abs(gamma) + (Math.Abs(alpha) * (1 - (s * s)) * absoluteDot);
        double scale = Math.Abs(x) / Math.Sqrt(meanSquare + kernel.Epsilon) * factor;
        return Math.Abs(actual - expected) / Math.Max(epsilon * scale, floor);
    }

    private static double Round(SeeDNormInfo kernel, double value) => kernel.IsDouble ? value : (float)value;

    private static double[] Round(SeeDNormInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    /// <summary>β ~ N(0, 1)/sqrt(n) (so that ⟨x, β⟩ of a unit row is of order 1: tanh neither linear nor saturated), α ~ N(0, 1), γ ~ 1 + N(0, 1)/2.</summary>
    private static (double[] Beta, double[] Alpha, double[] Gamma) Parameters(SeeDNormInfo kernel, int n, int seed)
    {
        var random = new Random(seed);
        double root = Math.Sqrt(Math.Max(n, 1));
        double[] beta = Round(kernel, Enumerable.Range(0, n).Select(_ => Inputs.Normal(random) / root).ToArray());
        double[] alpha = Round(kernel, Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray());
        double[] gamma = Round(kernel, Enumerable.Range(0, n).Select(_ => 1 + (0.5 * Inputs.Normal(random))).ToArray());
        return (beta, alpha, gamma);
    }

    private static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(SeeDNormInfo kernel) =>
        Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    private static void Check(SeeDNormInfo kernel, IEnumerable<(int Length, int RowLength)> shapes)
    {
        double tolerance = kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance;
        var worstByPath = new Dictionary<string, double>();
        var failures = new List<string>();
        int seed = 1;
        foreach (string distribution in Distributions)
        {
            foreach ((int length, int rowLength) in shapes)
            {
                int row = Math.Max(rowLength, 1);
                double[] x = Round(kernel, Inputs.Make(distribution, length, seed++));
                (double[] beta, double[] alpha, double[] gamma) = Parameters(kernel, row, seed++);
                int rows = length / row;
                var meanSquares = new double[rows];
                var dots = new double[rows];
                var absoluteDots = new double[rows];
                var expected = new double[length];
                for (int r = 0; r < rows; r++)
                {
                    int start = r * row;
                    meanSquares[r] = Sum(Enumerable.Range(0, row).Select(j => x[start + j] * x[start + j])) / row;
                    dots[r] = Sum(Enumerable.Range(0, row).Select(j => x[start + j] * beta[j]));
                    absoluteDots[r] = Enumerable.Range(0, row).Sum(j => Math.Abs(x[start + j] * beta[j]));
                    double s = Math.Tanh(dots[r]);
                    double inverse = 1 / Math.Sqrt(meanSquares[r] + kernel.Epsilon);
                    for (int j = 0; j < row; j++)
                    {
                        expected[start + j] = ((s * alpha[j]) + gamma[j]) * x[start + j] * inverse;
                    }
                }

                foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                {
                    double[] y = Run(kernel, method, x, beta, alpha, gamma, row);
                    double worst = 0;
                    int where = -1;
                    for (int i = 0; i < length; i++)
                    {
                        int r = i / row, j = i % row;
                        double units = Units(kernel, y[i], expected[i], x[i], meanSquares[r], dots[r], absoluteDots[r], alpha[j], gamma[j]);
                        if (!(units <= worst))
                        {
                            worst = units;
                            where = i;
                        }
                    }

                    worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), worst);

                    // The Reference is the formula in double with compensated sums, rounded once: within 1 unit of the oracle.
                    double bound = path == "Reference" ? 1 : tolerance;
                    if (!(worst <= bound) && failures.Count < 20)
                    {
                        failures.Add($"{path} {distribution} n={length} row={rowLength}: {worst:G4} units at [{where}] (x={x[where]:R}, y={y[where]:R}, expected {expected[where]:R})");
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ outputs beyond the tolerance:\n" + string.Join("\n", failures));
    }

    private static double[] Run(SeeDNormInfo kernel, MethodInfo method, double[] x, double[] beta, double[] alpha, double[] gamma, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, beta, alpha, gamma, buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }

        var floats = new float[x.Length + (2 * Guard)];
        Array.Fill(floats, 12345.678f);
        kernel.Run<float>(method, ToFloat(x), ToFloat(beta), ToFloat(alpha), ToFloat(gamma), floats.AsSpan(Guard, x.Length), rowLength);
        Assert.True(floats.Take(Guard).Concat(floats.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
        return floats.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
    }

    private static float[] ToFloat(double[] values) => values.Select(static v => (float)v).ToArray();
}
