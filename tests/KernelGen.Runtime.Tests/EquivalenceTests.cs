using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// Every path of every kernel (and the dispatcher, and Reference) against the independent
/// double-precision oracle, over the lengths and inputs of testing.md §4, with nothing written
/// outside the output.
/// </summary>
public class EquivalenceTests
{
    public static IEnumerable<object[]> OneRowKernels => KernelCatalog.Names(static k => !k.ManyRows);

    public static IEnumerable<object[]> ManyRowKernels => KernelCatalog.Names(static k => k.ManyRows);

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void OneRowKernelMatchesOracleOnEveryPath(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        var lengths = new List<int>();
        if (kernel.Width != 0)
        {
            lengths.Add(0);
            lengths.Add(kernel.Width);
        }
        else
        {
            // Every length up to three of the widest unrolled blocks plus one, then a few long ones.
            // (The generator's default unroll is 8 on AVX-512.)
            int lanes = kernel.IsDouble ? 8 : 16;
            int block = (kernel.Unroll == 0 ? 8 : kernel.Unroll) * lanes;
            int step = Inputs.SmallScale ? 5 : 1;
            for (int n = 0; n <= (3 * block) + 1; n += step)
            {
                lengths.Add(n);
            }

            lengths.Add(1000);
            lengths.Add(4099);
        }

        this.Check(kernel, lengths.Select(static n => (n, n)), Inputs.Distributions);
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void ManyRowsKernelMatchesOracleOnEveryPath(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width } : new[] { 1, 3, 17, 64, 100, 1000 };
        // 9 rows: two groups of four and one row alone where rows of a fixed width go through the registers in groups.
        int[] rowCounts = kernel.Width != 0 ? new[] { 0, 1, 2, 5, 9 } : new[] { 0, 1, 2, 5 };
        IEnumerable<(int, int)> shapes = rowLengths.SelectMany(r => rowCounts.Select(c => (r * c, r)));
        this.Check(kernel, shapes, Inputs.Distributions);
    }

    [Theory]
    [MemberData(nameof(OneRowKernels))]
    public void LongRowsStayWithinTolerance(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        if (kernel.Width != 0)
        {
            return;
        }

        // Long rows are where float sums drift (ONNX Runtime reaches ~87 units at 1e6).
        int[] lengths = Inputs.SmallScale ? new[] { 100_003 } : new[] { 100_003, 1_000_003 };
        if (kernel.Algorithm == SoftmaxAlgorithm.Auto && !Inputs.SmallScale)
        {
            // Past Auto's streaming threshold (8 MiB rows): the TwoPass branch of Auto.
            lengths = lengths.Append((kernel.IsDouble ? 1 : 2) * 1024 * 1024 + 17).ToArray();
        }
        this.Check(kernel, lengths.Select(static n => (n, n)), new[] { "Normal", "Uniform100" });
    }

    // A many-rows kernel and the one-row kernel of the same options.
    public static TheoryData<string, string> RowsAndRow => new()
    {
        { "SoftmaxAutoFRows", "SoftmaxAutoF" },
        { "SoftmaxAutoDRows", "SoftmaxAutoD" },
        { "LogSoftmaxAutoFRows", "LogSoftmaxAutoF" },
        { "LogSoftmaxAutoDRows", "LogSoftmaxAutoD" },
        { "SoftmaxThreePassReloadFT07Rows", "SoftmaxThreePassReloadFT07" },
        { "LogSoftmaxThreePassReloadDT07Rows", "LogSoftmaxThreePassReloadDT07" },
        { "SoftmaxThreePassReloadFU3Rows", "SoftmaxThreePassReloadFU3" },
    };

    // Many rows run in forms a row alone does not (paths.md: three rows in flight for rows up to 1 MiB in cache, and from
    // scratch rows with the output streamed for rows up to 16 KiB out of cache; out of cache, rows up to 256 KiB one at a
    // time; the two-row pipelining for the others):
    // every row must still be the bits of that row computed alone on the same path.
    [Theory]
    [MemberData(nameof(RowsAndRow))]
    public void ManyRowsEqualEachRowAloneBitForBit(string rowsName, string rowName)
    {
        KernelInfo rowsKernel = KernelCatalog.Get(rowsName);
        KernelInfo rowKernel = KernelCatalog.Get(rowName);
        int size = rowsKernel.IsDouble ? 8 : 4;
        int inFlightLimit = (1024 * 1024) / size;
        var shapes = new List<(int Rows, int RowLength)>();
        foreach (int rowLength in new[] { 1, 17, 1000, 4099 })
        {
            shapes.AddRange(new[] { (2, rowLength), (3, rowLength), (7, rowLength) });
        }

        if (!Inputs.SmallScale)
        {
            // The longest rows in flight and the shortest past them; a batch of 8.5 MB, whose output streams (rows in flight
            // from scratch rows, out of cache), with rows of at most 16 KiB and longer ones. Rows of 2047 start at every alignment
            // and end past the unrolled loop's last group; rows of 1921 (1 past a multiple of every Unroll × lanes tested) end
            // one element past it, so that a row shifted by its streaming head does not fit that group (the remainder's case).
            // Out of cache, rows of 4099 (past 16 KiB) and of 256 KiB run one at a time; rows just past 256 KiB, the two-row pipelining.
            int oneAtATimeLimit = (256 * 1024) / size;
            shapes.AddRange(new[] { (2, inFlightLimit), (2, inFlightLimit + 5), ((8_500_000 / size / 2047) + 1, 2047), ((8_500_000 / size / 1921) + 1, 1921), ((8_500_000 / size / 4099) + 1, 4099) });
            shapes.AddRange(new[] { ((8_500_000 / size / oneAtATimeLimit) + 1, oneAtATimeLimit), ((8_500_000 / size / (oneAtATimeLimit + 3)) + 1, oneAtATimeLimit + 3) });
        }

        var failures = new List<string>();
        int seed = 40;
        foreach ((int rows, int rowLength) in shapes)
        {
            double[] x = Harness.Rounded(rowsKernel, Inputs.Make("Uniform100", rows * rowLength, seed++));
            x[rowLength / 2] = double.NegativeInfinity;      // a masked entry in row 0
            foreach ((string path, System.Reflection.MethodInfo method) in Harness.RunnablePaths(rowsKernel))
            {
                double[] together = Harness.Run(rowsKernel, method, x, rowLength);
                System.Reflection.MethodInfo rowMethod = path == "Dispatch" ? rowKernel.Dispatcher : rowKernel.Paths[path];
                for (int row = 0; row < rows && failures.Count < 20; row++)
                {
                    double[] alone = Harness.Run(rowKernel, rowMethod, x.AsSpan(row * rowLength, rowLength).ToArray(), rowLength);
                    int differ = Enumerable.Range(0, rowLength).FirstOrDefault(i => BitConverter.DoubleToInt64Bits(alone[i]) != BitConverter.DoubleToInt64Bits(together[(row * rowLength) + i]), -1);
                    if (differ >= 0)
                    {
                        failures.Add($"{path} rows={rows} n={rowLength} row {row} [{differ}]: alone {alone[differ]:R}, with the others {together[(row * rowLength) + differ]:R}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{rowsName}: rows differ from the rows alone:\n" + string.Join("\n", failures));
    }

    private void Check(KernelInfo kernel, IEnumerable<(int Length, int RowLength)> shapes, IEnumerable<string> distributions)
    {
        double tolerance = kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance;
        var worstByPath = new Dictionary<string, double>();
        var failures = new List<string>();
        int seed = 1;
        foreach (string distribution in distributions)
        {
            foreach ((int length, int rowLength) in shapes)
            {
                double[] x = Harness.Rounded(kernel, Inputs.Make(distribution, length, seed++));
                foreach ((string path, System.Reflection.MethodInfo method) in Harness.RunnablePaths(kernel))
                {
                    double[] y = Harness.Run(kernel, method, x, Math.Max(rowLength, 1));
                    (double units, int index) = Harness.Worst(kernel, x, y, Math.Max(rowLength, 1));
                    worstByPath[path] = Math.Max(worstByPath.GetValueOrDefault(path), units);
                    if (!(units <= tolerance) && failures.Count < 20)
                    {
                        failures.Add($"{path} {distribution} n={length} row={rowLength}: {units:G4} units at [{index}] (x={x[index]:R}, y={y[index]:R})");
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", worstByPath.Select(static p => $"{p.Key} {p.Value:F2}")));
        Assert.True(failures.Count == 0, $"{kernel.Name}: {failures.Count}+ outputs beyond {tolerance} units:\n" + string.Join("\n", failures));
    }
}
