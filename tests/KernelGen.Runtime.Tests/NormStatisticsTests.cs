using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>LayerNorm's μ and 1/σ outputs (a many-rows form with γ and β).</summary>
public delegate void LayerStatsRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Span<T> mean, Span<T> inverseStdDev, int rowLength);

/// <summary>The one-row form of <see cref="LayerStatsRowsKernel{T}"/>.</summary>
public delegate void LayerStatsRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Span<T> mean, Span<T> inverseStdDev);

/// <summary>LayerNorm without γ and β, with its statistics.</summary>
public delegate void PlainLayerStatsRowsKernel<T>(ReadOnlySpan<T> input, Span<T> output, Span<T> mean, Span<T> inverseStdDev, int rowLength);

/// <summary>Fused residual LayerNorm with its statistics.</summary>
public delegate void ResidualLayerStatsRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Span<T> sum, Span<T> mean, Span<T> inverseStdDev, int rowLength);

/// <summary>RmsNorm with its 1/RMS (one row).</summary>
public delegate void RmsStatsRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, Span<T> output, Span<T> inverseStdDev);

/// <summary>RmsNorm with its 1/RMS (many rows).</summary>
public delegate void RmsStatsRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, Span<T> output, Span<T> inverseStdDev, int rowLength);

/// <summary>RmsNorm without γ, with its 1/RMS (one row).</summary>
public delegate void PlainRmsStatsRowKernel<T>(ReadOnlySpan<T> input, Span<T> output, Span<T> inverseStdDev);

/// <summary>Fused residual RmsNorm with its 1/RMS.</summary>
public delegate void ResidualRmsStatsRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, Span<T> output, Span<T> sum, Span<T> inverseStdDev, int rowLength);

/// <summary>
/// StatisticsOutput: every path (and Reference, and the dispatcher) writes the same y as the normalization
/// oracle, and per row the μ and 1/sqrt(σ² + ε) (RmsNorm: 1/sqrt(mean(x²) + ε)) of an independent two-pass
/// computation in double; wrong spans are rejected with nothing written.
/// </summary>
public class NormStatisticsTests
{
    public static IEnumerable<object[]> Kernels => All.Select(static k => new object[] { k.Name });

    private static readonly IReadOnlyList<NormInfo> All = Discover().ToList();

    [Theory]
    [MemberData(nameof(Kernels))]
    public void StatisticsMatchTwoPassInDoubleOnEveryPath(string name)
    {
        NormInfo kernel = All.Single(k => k.Name == name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : kernel.ManyRows ? new[] { 1, 3, 17, 100, 1000 } : new[] { 1, 2, 5, 16, 33, 257, 1000, 4099 };
        int[] rowCounts = kernel.ManyRows ? new[] { 1, 4 } : new[] { 1 };
        int seed = 3;
        var failures = new List<string>();
        foreach (string distribution in new[] { "Normal", "Mean1e4", "Outlier", "Constant" })
        {
            foreach (int rowLength in rowLengths)
            {
                foreach (int rows in rowCounts)
                {
                    seed++;
                    double[] x = NormTests.Round(kernel, NormTests.MakeInput(distribution, rows * rowLength, seed));
                    double[] r = kernel.HasResidual ? NormTests.Round(kernel, Inputs.Make("Normal", rows * rowLength, seed + 1000)) : Array.Empty<double>();
                    double[] h = kernel.HasResidual ? NormTests.Round(kernel, x.Zip(r, static (a, b) => a + b).ToArray()) : x;
                    (double[] weight, double[] bias) = NormTests.Parameters(kernel, rowLength, seed);
                    Outputs reference = Run(kernel, kernel.Paths["Reference"], x, r, weight, bias, rowLength);
                    foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
                    {
                        Outputs o = Run(kernel, method, x, r, weight, bias, rowLength);
                        string where = $"{path} {distribution} {rows}x{rowLength}";
                        if (kernel.HasResidual && !o.Sum.SequenceEqual(h))
                        {
                            failures.Add($"{where}: h ≠ x + r");
                        }

                        for (int row = 0; row < rows; row++)
                        {
                            ReadOnlySpan<double> xr = h.AsSpan(row * rowLength, rowLength);
                            (double[] ey, double[] normalized) = NormOracle.Expected(kernel, xr, weight, bias);
                            for (int i = 0; i < rowLength; i++)
                            {
                                double actual = o.Y[(row * rowLength) + i];
                                double unit = NormTests.Unit(kernel, ey[i], normalized[i], weight.Length == 0 ? 1 : weight[i], bias.Length == 0 ? 0 : bias[i]);
                                if (!(Math.Abs(actual - ey[i]) <= NormTests.Tolerance(kernel) * unit))
                                {
                                    failures.Add($"{where}: y[{row},{i}] = {actual:R}, oracle {ey[i]:R}");
                                    break;
                                }
                            }

                            (double mean, double inverse) = TwoPass(kernel, xr);
                            double epsilon = kernel.IsDouble ? Math.ScaleB(1, -53) : Math.ScaleB(1, -24);
                            if (kernel.IsLayer && !(Math.Abs(o.Mean[row] - mean) <= NormTests.Tolerance(kernel) * epsilon * (Math.Abs(mean) + (1 / inverse))))
                            {
                                failures.Add($"{where}: μ[{row}] = {o.Mean[row]:R}, two-pass {mean:R}");
                            }

                            if (!(Math.Abs(o.Inverse[row] - inverse) <= NormTests.Tolerance(kernel) * epsilon * inverse))
                            {
                                failures.Add($"{where}: 1/σ[{row}] = {o.Inverse[row]:R}, two-pass {inverse:R}");
                            }

                            if (path != "Reference"
                                && (!(Math.Abs(o.Inverse[row] - reference.Inverse[row]) <= 2 * NormTests.Tolerance(kernel) * epsilon * inverse)
                                    || (kernel.IsLayer && !(Math.Abs(o.Mean[row] - reference.Mean[row]) <= 2 * NormTests.Tolerance(kernel) * epsilon * (Math.Abs(mean) + (1 / inverse))))))
                            {
                                failures.Add($"{where}: row {row}'s statistics differ from Reference's");
                            }
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ConstantRowHasItsValueAsMean(string name)
    {
        // x − μ = 0 exactly: μ is the value itself, σ = 0, so 1/σ is 1/sqrt(ε) (∞ with ε = 0), as PyTorch saves.
        NormInfo kernel = All.Single(k => k.Name == name);
        if (!kernel.IsLayer)
        {
            return;
        }

        int n = kernel.Width != 0 ? kernel.Width : 37;
        double[] x = NormTests.Round(kernel, Enumerable.Repeat(0.1, n).ToArray());
        (double[] weight, double[] bias) = NormTests.Parameters(kernel, n, 5);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
        {
            Outputs o = Run(kernel, method, x, kernel.HasResidual ? new double[n] : Array.Empty<double>(), weight, bias, n);
            Assert.True(o.Mean[0] == x[0], $"{path}: μ = {o.Mean[0]:R}, not {x[0]:R}");
            double expected = kernel.IsDouble ? 1 / Math.Sqrt(kernel.Epsilon) : (float)(1 / Math.Sqrt(kernel.Epsilon));
            Assert.True(o.Inverse[0] == expected, $"{path}: 1/σ = {o.Inverse[0]:R}, not {expected:R}");
        }
    }

    [Fact]
    public void WrongStatisticsSpansAreRejectedWithNothingWritten()
    {
        NormInfo kernel = All.Single(k => k.Name == nameof(NormStatisticsKernels.LayerNormStatsFRows));
        const int n = 8, rows = 3;
        float[] x = Enumerable.Range(0, n * rows).Select(static i => (float)Math.Sin(i)).ToArray();
        float[] w = Enumerable.Repeat(1f, n).ToArray(), b = new float[n];
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
        {
            var run = (LayerStatsRowsKernel<float>)method.CreateDelegate(typeof(LayerStatsRowsKernel<float>));
            float[] y = Enumerable.Repeat(7f, n * rows).ToArray();
            float[] mean = Enumerable.Repeat(7f, rows + 1).ToArray(), inverse = Enumerable.Repeat(7f, rows).ToArray();
            ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => run(x, w, b, y, mean, inverse, n));
            Assert.Equal("mean", e.ParamName);
            e = Assert.ThrowsAny<ArgumentException>(() => run(x, w, b, y, mean.AsSpan(0, rows), inverse.AsSpan(0, rows - 1), n));
            Assert.Equal("inverseStdDev", e.ParamName);
            e = Assert.ThrowsAny<ArgumentException>(() => run(x, w, b, y, y.AsSpan(0, rows), inverse, n));
            Assert.Equal("mean", e.ParamName);
            e = Assert.ThrowsAny<ArgumentException>(() => run(x, w, b, y, mean.AsSpan(0, rows), mean.AsSpan(1, rows), n));
            Assert.Equal("inverseStdDev", e.ParamName);
            Assert.All(y, static v => Assert.Equal(7f, v));
            Assert.All(mean, static v => Assert.Equal(7f, v));
            Assert.All(inverse, static v => Assert.Equal(7f, v));
        }

        // One row: one element each, even for an empty row (which writes nothing).
        NormInfo one = All.Single(k => k.Name == nameof(NormStatisticsKernels.LayerNormStatsF));
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(one))
        {
            var run = (LayerStatsRowKernel<float>)method.CreateDelegate(typeof(LayerStatsRowKernel<float>));
            float[] mean = { 7f, 7f }, inverse = { 7f };
            Assert.Equal("mean", Assert.ThrowsAny<ArgumentException>(() => run(x.AsSpan(0, n), w, b, new float[n], mean, inverse)).ParamName);
            run(default, default, default, default, mean.AsSpan(0, 1), inverse);
            Assert.True(mean[0] == 7f && inverse[0] == 7f, $"{path}: an empty row wrote its statistics");
        }
    }

    // μ = Σx/n and σ² = Σ(x − μ)²/n in two passes in double with Neumaier-compensated sums (written here, not the
    // runtime's), RmsNorm: mean(x²), CRMSNorm: (Σx² + (Σx)²)/(n + 1).
    private static (double Mean, double Inverse) TwoPass(NormInfo kernel, ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double sum = Compensated(x, static v => v);
        double mean = sum / n;
        double squares = Compensated(x, v => kernel.IsLayer ? (v - mean) * (v - mean) : v * v);
        double square = kernel.IsLayer ? squares / n : kernel.Compressed ? (squares + (sum * sum)) / (n + 1) : squares / n;
        return (mean, 1 / Math.Sqrt(square + kernel.Epsilon));
    }

    private static double Compensated(ReadOnlySpan<double> x, Func<double, double> term)
    {
        double sum = 0, error = 0;
        foreach (double v in x)
        {
            double t = term(v);
            double next = sum + t;
            error += Math.Abs(sum) >= Math.Abs(t) ? (sum - next) + t : (t - next) + sum;
            sum = next;
        }

        return sum + error;
    }

    private sealed record Outputs(double[] Y, double[] Sum, double[] Mean, double[] Inverse);

    private static Outputs Run(NormInfo kernel, MethodInfo method, double[] x, double[] r, double[] weight, double[] bias, int rowLength) =>
        kernel.IsDouble
            ? Run<double>(kernel, method, x, r, weight, bias, rowLength, static v => v, static v => v)
            : Run<float>(kernel, method, x, r, weight, bias, rowLength, static v => (float)v, static v => v);

    private static Outputs Run<T>(NormInfo kernel, MethodInfo method, double[] xd, double[] rd, double[] wd, double[] bd, int rowLength, Func<double, T> to, Func<T, double> from)
    {
        T[] x = xd.Select(to).ToArray(), r = rd.Select(to).ToArray(), w = wd.Select(to).ToArray(), b = bd.Select(to).ToArray();
        int rows = x.Length / rowLength;
        var y = new T[x.Length];
        var h = new T[kernel.HasResidual ? x.Length : 0];
        var mean = new T[kernel.IsLayer ? rows : 0];
        var inverse = new T[rows];
        Delegate d = method.CreateDelegate(DelegateType(kernel).MakeGenericType(typeof(T)));
        switch (d)
        {
            case LayerStatsRowsKernel<T> k: k(x, w, b, y, mean, inverse, rowLength); break;
            case LayerStatsRowKernel<T> k: k(x, w, b, y, mean, inverse); break;
            case PlainLayerStatsRowsKernel<T> k: k(x, y, mean, inverse, rowLength); break;
            case ResidualLayerStatsRowsKernel<T> k: k(x, r, w, b, y, h, mean, inverse, rowLength); break;
            case RmsStatsRowKernel<T> k: k(x, w, y, inverse); break;
            case RmsStatsRowsKernel<T> k: k(x, w, y, inverse, rowLength); break;
            case PlainRmsStatsRowKernel<T> k: k(x, y, inverse); break;
            case ResidualRmsStatsRowsKernel<T> k: k(x, r, w, y, h, inverse, rowLength); break;
        }

        return new Outputs(y.Select(from).ToArray(), h.Select(from).ToArray(), mean.Select(from).ToArray(), inverse.Select(from).ToArray());
    }

    private static Type DelegateType(NormInfo kernel) => (kernel.IsLayer, kernel.HasResidual, kernel.HasWeight, kernel.ManyRows) switch
    {
        (true, true, _, _) => typeof(ResidualLayerStatsRowsKernel<>),
        (true, false, false, _) => typeof(PlainLayerStatsRowsKernel<>),
        (true, false, true, true) => typeof(LayerStatsRowsKernel<>),
        (true, false, true, false) => typeof(LayerStatsRowKernel<>),
        (false, true, _, _) => typeof(ResidualRmsStatsRowsKernel<>),
        (false, false, false, _) => typeof(PlainRmsStatsRowKernel<>),
        (false, false, true, true) => typeof(RmsStatsRowsKernel<>),
        (false, false, true, false) => typeof(RmsStatsRowKernel<>),
    };

    private static IEnumerable<NormInfo> Discover()
    {
        foreach (MethodInfo method in typeof(NormStatisticsKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            LayerNormAttribute? layer = method.GetCustomAttribute<LayerNormAttribute>();
            RmsNormAttribute? rms = method.GetCustomAttribute<RmsNormAttribute>();
            if (layer is null && rms is null)
            {
                continue;
            }

            Type paths = typeof(NormStatisticsKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            string[] names = parameters.Select(static p => p.Name!).ToArray();
            yield return new NormInfo
            {
                Name = method.Name,
                IsLayer = layer is not null,
                IsL2 = false,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                HasWeight = names.Contains("weight"),
                HasBias = names.Contains("bias"),
                HasResidual = names.Contains("residual"),
                Epsilon = layer?.Epsilon ?? rms!.Epsilon,
                WeightOffset = rms?.WeightOffset ?? 0,
                Compressed = rms?.Compressed ?? false,
                Width = layer?.Width ?? rms!.Width,
                Unroll = layer?.Unroll ?? rms!.Unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
