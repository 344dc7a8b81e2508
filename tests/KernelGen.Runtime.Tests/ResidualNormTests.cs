using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The fused residual form (<c>Residual = true</c>): every path writes h = x + r exactly as the
/// element type rounds it, and y = norm(h) within the tolerance of the exact oracle; in place
/// (h over r, y over x) gives the same results; bad spans throw before anything is written.
/// </summary>
public class ResidualNormTests
{
    public static IEnumerable<object[]> Kernels => NormCatalog.Names(static k => k.HasResidual);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void SumIsExactAndOutputMatchesOracleOnEveryPath(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : Inputs.SmallScale ? new[] { 1, 17, 100, 1000 } : new[] { 1, 3, 17, 64, 100, 1000, 4099 };
        int[] rowCounts = kernel.ManyRows ? new[] { 0, 1, 3 } : new[] { 1 };
        var failures = new List<string>();
        var worst = new Dictionary<string, double>();
        int seed = 100;
        foreach (string distribution in Inputs.SmallScale ? new[] { "Normal", "Mean1e4", "Constant" } : new[] { "Normal", "Mean1e4", "Uniform100", "Constant", "Scaled1e15" })
        {
            foreach (int row in rowLengths)
            {
                foreach (int rows in rowCounts)
                {
                    int length = row * rows;
                    double[] x = NormTests.Round(kernel, NormTests.MakeInput(distribution, length, seed++));
                    double[] r = NormTests.Round(kernel, NormTests.MakeInput("Normal", length, seed++));
                    (double[] weight, double[] bias) = NormTests.Parameters(kernel, row, seed++);
                    double[] h = x.Zip(r, (a, b) => kernel.IsDouble ? a + b : (double)(float)(a + b)).ToArray();
                    foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
                    {
                        (double[] y, double[] sum) = Run(kernel, method, x, r, weight, bias, row, inPlace: false);
                        for (int i = 0; i < length; i++)
                        {
                            if (sum[i] != h[i] && failures.Count < 20)
                            {
                                failures.Add($"{path} {distribution} row={row}: h[{i}] = {sum[i]:R}, x + r = {h[i]:R}");
                            }
                        }

                        for (int start = 0; start < length; start += row)
                        {
                            (double[] ey, double[] normalized) = NormOracle.Expected(kernel, h.AsSpan(start, row), weight, bias);
                            for (int i = 0; i < row; i++)
                            {
                                double actual = y[start + i];
                                double units = ey[i] == actual ? 0 : Math.Abs(actual - ey[i]) / NormTests.Unit(kernel, ey[i], normalized[i], weight.Length == 0 ? 1 : weight[i], bias.Length == 0 ? 0 : bias[i]);
                                worst[path] = Math.Max(worst.GetValueOrDefault(path), double.IsNaN(units) ? double.PositiveInfinity : units);
                                if (!(units <= NormTests.Tolerance(kernel)) && failures.Count < 20)
                                {
                                    failures.Add($"{path} {distribution} row={row}: {units:G4} units at [{start + i}] (y={actual:R}, expected {ey[i]:R})");
                                }
                            }
                        }
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worst.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ManyRowsGiveEachRowAsItComesAlone(string name)
    {
        // Each row's h and y must come out as the same kernel gives them for the row alone, bit for bit, for even and odd
        // counts of rows (in cache; StreamingTests checks the streamed form): the contract that LayerNorm's paired rows
        // ({Path}RowPair, without a residual) keep, and RmsNorm's chained rows ({Path}RowChain, with a residual rows of at
        // most 4 KiB, each row's h and Σh² done in the output pass of the row before it). Rows of 512 and 1024 are at the
        // chain's limit (doubles, floats), 513 and 1025 one past it.
        NormInfo kernel = NormCatalog.Get(name);
        if (!kernel.ManyRows)
        {
            return;
        }

        foreach ((int row, int rows) in (kernel.Width != 0 ? new[] { kernel.Width } : new[] { 100, 512, 513, 1000, 1024, 1025, 2048 }).SelectMany(static n => new[] { (n, 2), (n, 3), (n, 4) }))
        {
            double[] x = NormTests.Round(kernel, Inputs.Make("Normal", rows * row, 31 + rows));
            double[] r = NormTests.Round(kernel, Inputs.Make("Uniform100", rows * row, 41 + rows));
            (double[] weight, double[] bias) = NormTests.Parameters(kernel, row, 51);
            foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
            {
                (double[] y, double[] h) = Run(kernel, method, x, r, weight, bias, row, inPlace: false);
                for (int k = 0; k < rows; k++)
                {
                    (double[] yAlone, double[] hAlone) = Run(kernel, method, x.AsSpan(k * row, row).ToArray(), r.AsSpan(k * row, row).ToArray(), weight, bias, row, inPlace: false);
                    Assert.True(hAlone.AsSpan().SequenceEqual(h.AsSpan(k * row, row)), $"{path}, {rows} rows: row {k}'s h differs from the row alone");
                    Assert.True(yAlone.AsSpan().SequenceEqual(y.AsSpan(k * row, row)), $"{path}, {rows} rows: row {k}'s y differs from the row alone");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void InPlaceUpdateOfTheResidualStream(string name)
    {
        // The transformer idiom: hidden += residual in place (h over r), normalized into the input's memory.
        NormInfo kernel = NormCatalog.Get(name);
        int row = kernel.Width != 0 ? kernel.Width : 45;
        int length = kernel.ManyRows ? 3 * row : row;
        double[] x = NormTests.Round(kernel, Inputs.Make("Normal", length, 5));
        double[] r = NormTests.Round(kernel, Inputs.Make("Uniform100", length, 6));
        (double[] weight, double[] bias) = NormTests.Parameters(kernel, row, 7);
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
        {
            (double[] y, double[] h) = Run(kernel, method, x, r, weight, bias, row, inPlace: false);
            (double[] yInPlace, double[] hInPlace) = Run(kernel, method, x, r, weight, bias, row, inPlace: true);
            Assert.Equal(h, hInPlace);
            Assert.Equal(y, yInPlace);
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void BadSpansThrowAndWriteNothing(string name)
    {
        NormInfo kernel = NormCatalog.Get(name);
        int row = kernel.Width != 0 ? kernel.Width : 8;
        int length = kernel.ManyRows ? 2 * row : row;
        foreach ((string path, MethodInfo method) in NormTests.RunnablePaths(kernel))
        {
            void Expect(string parameter, int residualLength, int sumLength, Func<float[], (int Start, int Length)>? sumInOutput = null, bool sumOverlapsInput = false)
            {
                float[] input = new float[length + row];
                float[] output = Enumerable.Repeat(7f, length + row).ToArray();
                float[] sumBuffer = Enumerable.Repeat(7f, Math.Max(sumLength, 1)).ToArray();
                float[] residual = new float[residualLength];
                ArgumentException e = Assert.Throws<ArgumentException>(() =>
                {
                    Span<float> s = sumInOutput is null ? sumBuffer.AsSpan(0, sumLength) : output.AsSpan(sumInOutput(output).Start, sumInOutput(output).Length);
                    if (sumOverlapsInput)
                    {
                        s = input.AsSpan(1, length);
                    }

                    if (kernel.IsDouble)
                    {
                        kernel.RunResidual<double>(method, new double[length], new double[residualLength], new double[row], new double[row], new double[length], new double[sumLength], row);
                    }
                    else
                    {
                        kernel.RunResidual<float>(method, input.AsSpan(0, length), residual, new float[row], new float[row], output.AsSpan(0, length), s, row);
                    }
                });
                Assert.Equal(parameter, e.ParamName);
                Assert.True(output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
                Assert.True(sumBuffer.All(static v => v == 7f), $"{path} wrote to the sum of a rejected call");
            }

            Expect("residual", length + 1, length);
            Expect("sum", length, length - 1);
            if (!kernel.IsDouble)
            {
                Expect("sum", length, length, sumInOutput: _ => (row / 2, length));
                Expect("sum", length, length, sumOverlapsInput: true);
            }
        }
    }

    private static (double[] Y, double[] H) Run(NormInfo kernel, MethodInfo method, double[] x, double[] r, double[] weight, double[] bias, int row, bool inPlace)
    {
        int n = x.Length;
        if (kernel.IsDouble)
        {
            double[] input = (double[])x.Clone(), residual = (double[])r.Clone();
            double[] output = inPlace ? input : new double[n], sum = inPlace ? residual : new double[n];
            kernel.RunResidual<double>(method, input, residual, weight, bias, output, sum, row);
            return (output.ToArray(), sum.ToArray());
        }
        else
        {
            float[] input = x.Select(static v => (float)v).ToArray(), residual = r.Select(static v => (float)v).ToArray();
            float[] output = inPlace ? input : new float[n], sum = inPlace ? residual : new float[n];
            kernel.RunResidual<float>(method, input, residual, weight.Select(static v => (float)v).ToArray(), bias.Select(static v => (float)v).ToArray(), output, sum, row);
            return (output.Select(static v => (double)v).ToArray(), sum.Select(static v => (double)v).ToArray());
        }
    }
}
