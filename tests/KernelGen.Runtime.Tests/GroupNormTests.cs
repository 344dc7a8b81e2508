using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>An affine GroupNorm over one sample.</summary>
public delegate void GroupNormRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output);

/// <summary>An affine GroupNorm over many samples.</summary>
public delegate void GroupNormRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength);

/// <summary>A GroupNorm without γ and β over many samples.</summary>
public delegate void PlainGroupNormRowsKernel<T>(ReadOnlySpan<T> input, Span<T> output, int rowLength);

/// <summary>One generated [GroupNorm] kernel found by reflection.</summary>
public sealed class GroupNormInfo
{
    public required string Name { get; init; }

    public required GroupNormAttribute Attribute { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public required KernelPath Selected { get; init; }

    public int Channels => this.Attribute.Channels;

    public int Groups => this.Attribute.Groups;

    public bool Affine => this.Attribute.Affine;

    public override string ToString() => this.Name;

    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)
    {
        switch ((this.Affine, this.ManyRows))
        {
            case (true, false): ((GroupNormRowKernel<T>)method.CreateDelegate(typeof(GroupNormRowKernel<T>)))(input, weight, bias, output); break;
            case (true, true): ((GroupNormRowsKernel<T>)method.CreateDelegate(typeof(GroupNormRowsKernel<T>)))(input, weight, bias, output, rowLength); break;
            case (false, true): ((PlainGroupNormRowsKernel<T>)method.CreateDelegate(typeof(PlainGroupNormRowsKernel<T>)))(input, output, rowLength); break;
            default: throw new NotSupportedException("No such kernel under test.");
        }
    }
}

/// <summary>
/// Every path of every [GroupNorm] kernel (and the dispatcher, and Reference) against the formula written here in
/// double (each group's mean and biased variance, then γ_c·(x − μ_g)/sqrt(σ²_g + ε) + β_c), with nothing written
/// outside the output; a NaN stays in its group; a constant group gives β; in place; bad spans.
/// </summary>
public class GroupNormTests
{
    private const int Guard = 16;

    /// <summary>N(0,1); mean 10⁴ with unit spread (LayerNorm's hard case); U(−100, 100); ±0 (a constant group); subnormals.</summary>
    public static readonly string[] Distributions = { "Normal", "LargeMean", "Uniform100", "SignedZeros", "Subnormal", "Leading1e4" };

    public static readonly IReadOnlyList<GroupNormInfo> All = Discover().ToList();

    public static IEnumerable<object[]> AllKernels => All.Select(static k => new object[] { k.Name });

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void KernelMatchesOracleOnEveryPath(string name)
    {
        GroupNormInfo kernel = Get(name);
        int[] planes = kernel.Attribute.Width != 0 ? new[] { kernel.Attribute.Width / kernel.Channels } : new[] { 1, 2, 3, 7, 16, 49, 100, 1000 };
        int[] rowCounts = kernel.ManyRows ? new[] { 0, 1, 3 } : new[] { 1 };
        var worstByPath = new Dictionary<string, double>();
        var failures = new List<string>();
        int seed = 1;
        foreach (string distribution in Distributions)
        {
            foreach (int plane in planes)
            {
                foreach (int rows in rowCounts)
                {
                    int rowLength = plane * kernel.Channels;
                    double[] x = Round(kernel, MakeInput(distribution, rows * rowLength, seed++));
                    (double[] weight, double[] bias) = Parameters(kernel, seed++);
                    double[] expected = Oracle(kernel, x, weight, bias, rowLength, out double[] sizes);
                    foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
                    {
                        double[] y = Run(kernel, method, x, weight, bias, rowLength);
                        double worst = 0;
                        int where = -1;
                        for (int i = 0; i < x.Length; i++)
                        {
                            double units = Units(kernel, y[i], expected[i], sizes[i]);
                            if (!(units <= worst))
                            {
                                worst = units;
                                where = i;
                            }
                        }

                        worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), worst);
                        // The float Reference is the double formula rounded once: within 1 unit; the double Reference carries its own double roundings.
                        double bound = path == "Reference" && !kernel.IsDouble ? 1 : kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance;
                        if (!(worst <= bound) && failures.Count < 20)
                        {
                            failures.Add($"{path} {distribution} plane={plane} rows={rows}: {worst:G4} units at [{where}] (x={x[where]:R}, y={y[where]:R}, expected {expected[where]:R})");
                        }
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ outputs beyond the tolerance:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NaNStaysInItsGroupAndAConstantGroupGivesBeta(string name)
    {
        GroupNormInfo kernel = Get(name);
        int plane = kernel.Attribute.Width != 0 ? kernel.Attribute.Width / kernel.Channels : 5;
        int rowLength = plane * kernel.Channels;
        int groupLength = rowLength / kernel.Groups;
        int rows = kernel.ManyRows ? 2 : 1;
        double[] x = Round(kernel, MakeInput("Normal", rows * rowLength, 71));
        for (int i = 0; i < groupLength && kernel.Groups > 1; i++)
        {
            x[rowLength - groupLength + i] = 3.25;          // the last group of row 0: constant, σ = 0
        }

        x[1] = double.NaN;                                   // group 0 of row 0

        (double[] weight, double[] bias) = Parameters(kernel, 72);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] y = Run(kernel, method, x, weight, bias, rowLength);
            for (int i = 0; i < groupLength; i++)
            {
                Assert.True(double.IsNaN(y[i]), $"{path}: [{i}] is {y[i]:R} in the group with a NaN");
            }

            if (kernel.Groups > 1)
            {
                for (int i = rowLength - groupLength; i < rowLength; i++)
                {
                    double beta = kernel.Affine ? bias[i / plane] : 0;
                    Assert.True(y[i] == beta, $"{path}: [{i}] is {y[i]:R} in a constant group, expected β = {beta:R}");
                }
            }

            Assert.All(y.Skip(rowLength), v => Assert.True(double.IsFinite(v), $"{path}: a NaN leaked into the next row"));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        GroupNormInfo kernel = Get(name);
        int plane = kernel.Attribute.Width != 0 ? kernel.Attribute.Width / kernel.Channels : 13;
        int rowLength = plane * kernel.Channels;
        double[] x = Round(kernel, MakeInput("LargeMean", (kernel.ManyRows ? 3 : 1) * rowLength, 81));
        (double[] weight, double[] bias) = Parameters(kernel, 82);
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            double[] expected = Run(kernel, method, x, weight, bias, rowLength);
            double[] data = (double[])x.Clone();
            if (kernel.IsDouble)
            {
                kernel.Run<double>(method, data, weight, bias, data, rowLength);
                Assert.Equal(expected, data);
            }
            else
            {
                float[] floats = ToFloat(data);
                kernel.Run<float>(method, floats, ToFloat(weight), ToFloat(bias), floats, rowLength);
                Assert.Equal(expected, floats.Select(static v => (double)v).ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        GroupNormInfo kernel = Get(name);
        int c = kernel.Channels;
        int rowLength = kernel.Attribute.Width != 0 ? kernel.Attribute.Width : 4 * c;
        int length = (kernel.ManyRows ? 2 : 1) * rowLength;
        foreach ((string path, MethodInfo method) in RunnablePaths(kernel))
        {
            void Expect<TException>(int inputLength, int outputLength, int weightLength, int biasLength, int rows, string parameter)
                where TException : ArgumentException
            {
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                TException e = Assert.Throws<TException>(() =>
                {
                    if (kernel.IsDouble)
                    {
                        kernel.Run<double>(method, new double[inputLength], new double[weightLength], new double[biasLength], new double[outputLength], rows);
                    }
                    else
                    {
                        kernel.Run<float>(method, new float[inputLength], new float[weightLength], new float[biasLength], output, rows);
                    }
                });
                Assert.Equal(parameter, e.ParamName);
                Assert.True(output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            Expect<ArgumentException>(length, length + 1, c, c, rowLength, "output");
            if (kernel.Affine)
            {
                Expect<ArgumentException>(length, length, c + 1, c, rowLength, "weight");
                Expect<ArgumentException>(length, length, c, rowLength, rowLength, "bias");
            }

            if (kernel.ManyRows)
            {
                Expect<ArgumentOutOfRangeException>(length, length, c, c, 0, "rowLength");
                if (kernel.Attribute.Width == 0 && c > 1)
                {
                    // Rows that are not C planes of equal size.
                    Expect<ArgumentException>(3 * (c + 1), 3 * (c + 1), c, c, c + 1, "rowLength");
                }
            }
            else if (c > 1)
            {
                Expect<ArgumentException>(c + 1, c + 1, c, c, c + 1, "input");
            }
        }
    }

    [Fact]
    public void SelectedPathIsTheDispatchersChoice()
    {
        KernelPath expected = KernelCatalog.Get("SoftmaxAutoF").Selected;
        Assert.All(All, k => Assert.Equal(expected, k.Selected));
    }

    // ------------------------------------------------------------------ helpers

    private static GroupNormInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>
    /// The formula per group with the exact statistics of <see cref="NormOracle.LayerNorm"/> (exact sums, one rounding of
    /// x̂), then γ_c·x̂ + β_c; and the unit of each output, LayerNorm's (docs/accuracy.md): ε·(|γ_c|·(1 + |x̂|) + |β_c|),
    /// since the mean's error is absolute in x̂.
    /// </summary>
    private static double[] Oracle(GroupNormInfo kernel, double[] x, double[] weight, double[] bias, int rowLength, out double[] sizes)
    {
        var y = new double[x.Length];
        sizes = new double[x.Length];
        if (rowLength == 0 || x.Length == 0)
        {
            return y;
        }

        int plane = rowLength / kernel.Channels;
        int groupLength = rowLength / kernel.Groups;
        for (int start = 0; start < x.Length; start += groupLength)
        {
            double[] normalized = NormOracle.LayerNorm(x.AsSpan(start, groupLength), default, default, kernel.Attribute.Epsilon).Normalized;
            for (int k = 0; k < groupLength; k++)
            {
                int i = start + k;
                int c = (i % rowLength) / plane;
                double gamma = kernel.Affine ? weight[c] : 1, beta = kernel.Affine ? bias[c] : 0;
                y[i] = (gamma * normalized[k]) + beta;
                sizes[i] = (Math.Abs(gamma) * (1 + Math.Abs(normalized[k]))) + Math.Abs(beta);
            }
        }

        return y;
    }

    private static double Units(GroupNormInfo kernel, double actual, double expected, double size)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
        double floor = kernel.IsDouble ? double.Epsilon : Math.ScaleB(1, -149);
        return actual == expected ? 0 : Math.Abs(actual - expected) / Math.Max(epsilon * size, floor);
    }

    private static double[] MakeInput(string distribution, int length, int seed)
    {
        var random = new Random(seed);
        return distribution switch
        {
            "LargeMean" => Enumerable.Range(0, length).Select(_ => 1e4 + Inputs.Normal(random)).ToArray(),
            "Leading1e4" => NormTests.MakeInput("Leading1e4", length, seed),
            _ => Inputs.Make(distribution, length, seed),
        };
    }

    private static (double[] Weight, double[] Bias) Parameters(GroupNormInfo kernel, int seed)
    {
        var random = new Random(seed);
        int c = kernel.Channels;
        double[] weight = Round(kernel, Enumerable.Range(0, c).Select(i => i % 11 == 5 ? 0 : 1 + (0.5 * Inputs.Normal(random))).ToArray());
        double[] bias = Round(kernel, Enumerable.Range(0, c).Select(_ => Inputs.Normal(random)).ToArray());
        return (weight, bias);
    }

    private static double[] Round(GroupNormInfo kernel, double[] x) => kernel.IsDouble ? x : x.Select(static v => (double)(float)v).ToArray();

    private static float[] ToFloat(double[] values) => values.Select(static v => (float)v).ToArray();

    private static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(GroupNormInfo kernel) =>
        Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    private static double[] Run(GroupNormInfo kernel, MethodInfo method, double[] x, double[] weight, double[] bias, int rowLength)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, weight, bias, buffer.AsSpan(Guard, x.Length), rowLength);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }

        var floats = new float[x.Length + (2 * Guard)];
        Array.Fill(floats, 12345.678f);
        kernel.Run<float>(method, ToFloat(x), ToFloat(weight), ToFloat(bias), floats.AsSpan(Guard, x.Length), rowLength);
        Assert.True(floats.Take(Guard).Concat(floats.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
        return floats.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
    }

    private static IEnumerable<GroupNormInfo> Discover()
    {
        foreach (MethodInfo method in typeof(GroupNormKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<GroupNormAttribute>() is not { } attribute)
            {
                continue;
            }

            Type paths = typeof(GroupNormKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new GroupNormInfo
            {
                Name = method.Name,
                Attribute = attribute,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
