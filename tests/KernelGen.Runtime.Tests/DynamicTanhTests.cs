using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Every path of every [DynamicTanh] kernel (and the dispatcher, and Reference) against an oracle written
/// here from the formula, y = γ·tanh(α·x) + β with Math.Tanh in double, with nothing written outside the
/// output; then the run-time behaviour of api.md and the edge cases of docs/attributes.md (NaN and ±∞ inputs,
/// a NaN, infinite or zero α, in place, bad spans).
/// </summary>
public class DynamicTanhTests
{
    private const int Guard = 16;

    /// <summary>
    /// The inputs: N(0,1)·3 (the range DyT's tanh is meant for), U(−100, 100) and U(−10⁴, 10⁴) (saturation),
    /// 10⁻³·N(0,1) (the odd polynomial, where tanh x ≈ x), values around the branch point ±0.625, ±0, subnormals.
    /// </summary>
    public static readonly string[] Distributions = { "Normal3", "Uniform100", "Wide1e4", "Small", "Branch", "SignedZeros", "Subnormal" };

    /// <summary>The α of each check, cycled: DyT's default initial value 0.5, one above 1, a negative one, a small one.</summary>
    private static readonly double[] Alphas = { 0.5, 1.7, -0.8, 1e-3 };

    public static IEnumerable<object[]> OneRowKernels => DynamicTanhCatalog.Names(static k => !k.ManyRows);

    public static IEnumerable<object[]> ManyRowKernels => DynamicTanhCatalog.Names(static k => k.ManyRows);

    public static IEnumerable<object[]> AllKernels => DynamicTanhCatalog.Names();

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesOracleOnEveryPath(string name)
    {
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        var lengths = new List<int>();
        if (kernel.Width != 0)
        {
            lengths.Add(0);
            lengths.Add(kernel.Width);
        }
        else
        {
            int lanes = kernel.IsDouble ? 8 : 16;
            int block = (kernel.Unroll == 0 ? 8 : kernel.Unroll) * lanes;
            int step = Inputs.SmallScale ? 7 : 1;
            for (int n = 0; n <= (3 * block) + 1; n += step)
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
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 2, 3, 17, 64, 100, 1000 };
        int[] rowCounts = { 0, 1, 2, 5 };
        Check(kernel, rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r))));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NaNAndInfinitiesStayInTheirElement(string name)
    {
        // DyT has no statistics of the row: a NaN or ±∞ input changes its own output only (unlike LayerNorm).
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        int length = kernel.ManyRows ? 3 * n : n;
        double[] x = Round(kernel, Inputs.Make("Normal", length, 21));
        var special = new Dictionary<int, double> { [length / 2] = double.NaN, [length / 3] = double.PositiveInfinity, [length - 1] = double.NegativeInfinity };
        foreach ((int index, double value) in special)
        {
            x[index] = value;
        }

        (double[] weight, double[] bias) = Parameters(kernel, n, 22);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, 0.5, weight, bias, n);
            for (int i = 0; i < length; i++)
            {
                double gamma = weight.Length == 0 ? 1 : weight[i % n], beta = bias.Length == 0 ? 0 : bias[i % n];
                if (double.IsNaN(x[i]))
                {
                    Assert.True(double.IsNaN(y[i]), $"{path}: NaN input at [{i}] gives {y[i]:R}");
                }
                else if (double.IsInfinity(x[i]))
                {
                    // tanh(±∞) = ±1 exactly: y = ±γ + β, the same rounding as the kernel's own γ·t + β.
                    double expected = Round(kernel, (Math.Sign(x[i]) * gamma) + beta);
                    Assert.True(y[i] == expected, $"{path}: x[{i}] = {x[i]} gives {y[i]:R}, expected {expected:R}");
                }
                else
                {
                    double expected = Oracle(x[i], 0.5, gamma, beta);
                    Assert.True(Units(kernel, y[i], expected, x[i], 0.5, gamma, beta) <= Harness.FloatTolerance, $"{path}: the finite x[{i}] = {x[i]:R} gives {y[i]:R}, expected {expected:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void AlphaNaNInfinityAndZeroPropagateAsInPyTorch(string name)
    {
        // α is not validated: it is data. NaN·x = NaN everywhere; ∞·x = ±∞ (tanh ±1) except ∞·0 = NaN; 0·x = 0 (y = β).
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 19;
        int length = kernel.ManyRows ? 2 * n : n;
        double[] x = Round(kernel, Inputs.Make("Normal", length, 23));
        x[length / 2] = 0;
        (double[] weight, double[] bias) = Parameters(kernel, n, 24);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            Assert.All(Run(kernel, method, x, double.NaN, weight, bias, n), v => Assert.True(double.IsNaN(v), $"{path}: α = NaN gives {v:R}"));
            double[] infinite = Run(kernel, method, x, double.PositiveInfinity, weight, bias, n);
            double[] zero = Run(kernel, method, x, 0.0, weight, bias, n);
            for (int i = 0; i < length; i++)
            {
                double gamma = weight.Length == 0 ? 1 : weight[i % n], beta = bias.Length == 0 ? 0 : bias[i % n];
                if (x[i] == 0)
                {
                    Assert.True(double.IsNaN(infinite[i]), $"{path}: α = ∞, x = 0 gives {infinite[i]:R}, expected NaN (∞·0)");
                }
                else
                {
                    Assert.Equal(Round(kernel, (Math.Sign(x[i]) * gamma) + beta), infinite[i]);
                }

                Assert.Equal(Round(kernel, beta), zero[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * n : n;
        double[] x = Round(kernel, Inputs.Make("Normal", length, 25).Select(static v => 3 * v).ToArray());
        (double[] weight, double[] bias) = Parameters(kernel, n, 26);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] expected = Run(kernel, method, x, 0.7, weight, bias, n);
            double[] actual = RunInPlace(kernel, method, x, 0.7, weight, bias, n);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            void Expect<TException>(int inputLength, int outputLength, int weightLength, int biasLength, int rowLength, string parameter)
                where TException : ArgumentException
            {
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                double[] outputD = Enumerable.Repeat(7.0, outputLength).ToArray();
                TException e = kernel.IsDouble
                    ? Assert.Throws<TException>(() => kernel.Run<double>(method, new double[inputLength], 0.5, new double[weightLength], new double[biasLength], outputD, rowLength))
                    : Assert.Throws<TException>(() => kernel.Run<float>(method, new float[inputLength], 0.5f, new float[weightLength], new float[biasLength], output, rowLength));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? outputD.All(static v => v == 7.0) : output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            int length = kernel.ManyRows ? 2 * n : n;
            Expect<ArgumentException>(length, length + 1, n, n, n, "output");
            Expect<ArgumentException>(length, length - 1, n, n, n, "output");
            if (kernel.HasWeight)
            {
                Expect<ArgumentException>(length, length, n + 1, n, n, "weight");
                Expect<ArgumentException>(length, length, n - 1, n, n, "weight");
            }

            if (kernel.HasBias)
            {
                Expect<ArgumentException>(length, length, n, n + 1, n, "bias");
                Expect<ArgumentException>(length, length, n, 0, n, "bias");
            }

            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, n, n, 0, "rowLength");
                Expect<ArgumentOutOfRangeException>(length, length, n, n, -n, "rowLength");
                if (kernel.Width == 0)
                {
                    Expect<ArgumentException>(length + 1, length + 1, n, n, n, "input");
                }
                else
                {
                    Expect<ArgumentException>(2 * (n + 1), 2 * (n + 1), n + 1, n + 1, n + 1, "rowLength");
                }
            }
            else if (kernel.Width != 0)
            {
                Expect<ArgumentException>(n + 1, n + 1, n + 1, n + 1, n + 1, "input");
            }

            // The input and the output overlapping other than exactly: rejected.
            if (length >= 2)
            {
                if (kernel.IsDouble)
                {
                    double[] shared = new double[length + 1];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, shared.AsSpan(1, length), 0.5, new double[n], new double[n], shared.AsSpan(0, length), n));
                    Assert.Contains(e.ParamName, new[] { "input", "output" });
                }
                else
                {
                    float[] shared = new float[length + 1];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, shared.AsSpan(1, length), 0.5f, new float[n], new float[n], shared.AsSpan(0, length), n));
                    Assert.Contains(e.ParamName, new[] { "input", "output" });
                }
            }

            if (kernel.HasWeight)
            {
                // A weight that overlaps the output: later rows would read what earlier rows wrote.
                if (kernel.IsDouble)
                {
                    double[] shared = new double[length + n];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, new double[length], 0.5, shared.AsSpan(length - 1, n), new double[n], shared.AsSpan(0, length), n));
                    Assert.Equal("weight", e.ParamName);
                }
                else
                {
                    float[] shared = new float[length + n];
                    ArgumentException e = Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, new float[length], 0.5f, shared.AsSpan(length - 1, n), new float[n], shared.AsSpan(0, length), n));
                    Assert.Equal("weight", e.ParamName);
                }
            }
        }
    }

    [Fact]
    public void SelectedPathIsTheDispatchersChoiceForEveryDynamicTanhKernel()
    {
        KernelPath expected = KernelCatalog.Get("SoftmaxAutoF").Selected;
        Assert.All(DynamicTanhCatalog.All, k => Assert.Equal(expected, k.Selected));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void UnsupportedPathsThrowPlatformNotSupported(string name)
    {
        DynamicTanhInfo kernel = DynamicTanhCatalog.Get(name);
        foreach (string path in KernelCatalog.PathNames.Where(static p => !Harness.IsSupported(p)))
        {
            MethodInfo method = kernel.Paths[path];
            int n = kernel.Width != 0 ? kernel.Width : 4;
            Assert.Throws<PlatformNotSupportedException>(() =>
            {
                if (kernel.IsDouble)
                {
                    kernel.Run<double>(method, new double[n], 0.5, new double[n], new double[n], new double[n], n);
                }
                else
                {
                    kernel.Run<float>(method, new float[n], 0.5f, new float[n], new float[n], new float[n], n);
                }
            });
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The formula, written here from the paper: γ·tanh(α·x) + β in double (α·x of the element-type values is exact in double for float kernels).</summary>
    internal static double Oracle(double x, double alpha, double gamma, double beta) => (gamma * Math.Tanh(alpha * x)) + beta;

    /// <summary>
    /// The error of <paramref name="actual"/> in units of docs/accuracy.md: |y − exact| / (ε·(|γ·tanh(αx)| + |β|)), ε = 2⁻²⁴ or
    /// 2⁻⁵³ (a tanh within a few ulp and one rounding of γt + β each cost a few of them), at least the smallest subnormal.
    /// </summary>
    internal static double Units(DynamicTanhInfo kernel, double actual, double expected, double x, double alpha, double gamma, double beta)
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
        double scale = Math.Abs(gamma * Math.Tanh(alpha * x)) + Math.Abs(beta);
        return Math.Abs(actual - expected) / Math.Max(epsilon * scale, floor);
    }

    private static double Round(DynamicTanhInfo kernel, double value) => kernel.IsDouble ? value : (float)value;

    private static double[] Round(DynamicTanhInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static (double[] Weight, double[] Bias) Parameters(DynamicTanhInfo kernel, int n, int seed)
    {
        var random = new Random(seed);
        double[] weight = kernel.HasWeight ? Round(kernel, Enumerable.Range(0, n).Select(i => i % 11 == 5 ? 0 : 1 + (0.5 * Inputs.Normal(random))).ToArray()) : Array.Empty<double>();
        double[] bias = kernel.HasBias ? Round(kernel, Enumerable.Range(0, n).Select(_ => Inputs.Normal(random)).ToArray()) : Array.Empty<double>();
        return (weight, bias);
    }

    private static double[] MakeInput(string distribution, int length, int seed)
    {
        var random = new Random(seed);
        return distribution switch
        {
            "Normal3" => Enumerable.Range(0, length).Select(_ => 3 * Inputs.Normal(random)).ToArray(),
            "Small" => Enumerable.Range(0, length).Select(_ => 1e-3 * Inputs.Normal(random)).ToArray(),
            "Branch" => Enumerable.Range(0, length).Select(_ => (random.Next(2) == 0 ? -1 : 1) * (0.6 + (0.05 * random.NextDouble()))).ToArray(),
            _ => Inputs.Make(distribution, length, seed),
        };
    }

    private static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(DynamicTanhInfo kernel) =>
        Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    private static void Check(DynamicTanhInfo kernel, IEnumerable<(int Length, int RowLength)> shapes)
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
                double alpha = Round(kernel, Alphas[seed % Alphas.Length]);
                double[] x = Round(kernel, MakeInput(distribution, length, seed++));
                (double[] weight, double[] bias) = Parameters(kernel, rowLength, seed++);
                double Gamma(int i) => weight.Length == 0 ? 1 : weight[i % row];
                double Beta(int i) => bias.Length == 0 ? 0 : bias[i % row];
                double[] expected = Enumerable.Range(0, length).Select(i => Oracle(x[i], alpha, Gamma(i), Beta(i))).ToArray();
                foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                {
                    double[] y = Run(kernel, method, x, alpha, weight, bias, row);
                    double worst = 0;
                    int where = -1;
                    for (int i = 0; i < length; i++)
                    {
                        double units = Units(kernel, y[i], expected[i], x[i], alpha, Gamma(i), Beta(i));
                        if (!(units <= worst))
                        {
                            worst = units;
                            where = i;
                        }
                    }

                    worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), worst);

                    // The Reference is the formula in double rounded once: within one unit of the exact value.
                    double bound = path == "Reference" ? 1 : tolerance;
                    if (!(worst <= bound) && failures.Count < 20)
                    {
                        failures.Add($"{path} {distribution} n={length} row={rowLength} α={alpha:R}: {worst:G4} units at [{where}] (x={x[where]:R}, y={y[where]:R}, expected {expected[where]:R})");
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ outputs beyond the tolerance:\n" + string.Join("\n", failures));
    }

    private static double[] Run(DynamicTanhInfo kernel, MethodInfo method, double[] x, double alpha, double[] weight, double[] bias, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, alpha, weight, bias, buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }
        else
        {
            var buffer = new float[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678f);
            kernel.Run<float>(method, ToFloat(x), (float)alpha, ToFloat(weight), ToFloat(bias), buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
        }
    }

    private static double[] RunInPlace(DynamicTanhInfo kernel, MethodInfo method, double[] x, double alpha, double[] weight, double[] bias, int rowLength)
    {
        if (kernel.IsDouble)
        {
            double[] data = (double[])x.Clone();
            kernel.Run<double>(method, data, alpha, weight, bias, data, rowLength);
            return data;
        }

        float[] floats = ToFloat(x);
        kernel.Run<float>(method, floats, (float)alpha, ToFloat(weight), ToFloat(bias), floats, rowLength);
        return floats.Select(static v => (double)v).ToArray();
    }

    private static float[] ToFloat(double[] values) => values.Select(static v => (float)v).ToArray();
}
