using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// The attention options of [Softmax] and [LogSoftmax]: every path (the dispatcher and Reference too) against an
/// explicit composition written here in double from docs/attributes.md — scale, soft cap, the ALiBi slope (ggml's
/// formula, in float as ggml computes it) times the mask, causal columns set to −∞, the sink appended as one more
/// logit and dropped from the output — and against Reference; then masked rows, NaN, in place and bad arguments.
/// </summary>
public class AttentionTests
{
    private const int Guard = 16;

    private readonly ITestOutputHelper? output;

    public AttentionTests(ITestOutputHelper output) => this.output = output;

    public static IEnumerable<object[]> AllKernels => AttentionCatalog.Names();

    public static IEnumerable<object[]> ManyRowKernels => AttentionCatalog.Names(static k => k.ManyRows);

    /// <summary>The ALiBi slope of a head, as ggml's soft_max_f32 computes it (in float).</summary>
    public static double GgmlSlope(int head, double maxBias, int heads)
    {
        int log2 = 1 << (int)Math.Floor(Math.Log2(heads));
        float m0 = MathF.Pow(2.0f, -(float)maxBias / log2);
        float m1 = MathF.Pow(2.0f, -((float)maxBias / 2.0f) / log2);
        return head < log2 ? MathF.Pow(m0, head + 1) : MathF.Pow(m1, (2 * (head - log2)) + 1);
    }

    /// <summary>
    /// The composition in double: z = softcap(s·x/T) + slope·mask, −∞ past the causal diagonal; the softmax (or its
    /// log) over z with the sink appended, the sink's own output dropped. Also the conditioning of each output (the
    /// magnitudes that rounding z to T before subtracting the maximum costs: |s·x|, |slope·mask|, |z − M|, |M|).
    /// </summary>
    public static (double[] Y, double[] Conditioning) Composition(AttentionInfo k, double[] x, double[] mask, double sink, int rowLength, int rowsPerHead)
    {
        var y = new double[x.Length];
        var conditioning = new double[x.Length];
        int rows = x.Length / Math.Max(rowLength, 1);
        int maskRows = k.Mask ? mask.Length / rowLength : 1;
        for (int r = 0; r < rows; r++)
        {
            int query = k.HasRowsPerHead ? r % rowsPerHead : r;
            int head = k.HasRowsPerHead ? r / rowsPerHead : 0;
            double slope = k.MaxBias > 0 ? GgmlSlope(head % k.Heads, k.MaxBias, k.Heads) : 1.0;
            var logits = new List<double>();
            var magnitude = new double[rowLength];
            for (int j = 0; j < rowLength; j++)
            {
                double scaled = x[(r * rowLength) + j] * k.Scale / k.Temperature;
                double z = k.Softcap != 0 ? k.Softcap * Math.Tanh(scaled / k.Softcap) : scaled;
                double bias = k.Mask ? slope * mask[((r % maskRows) * rowLength) + j] : 0;
                z += bias;
                if (k.Causal && j > query + k.CausalOffset)
                {
                    z = double.NegativeInfinity;
                }

                logits.Add(z);
                // The soft cap's tanh is within a few ulp of values up to 1, times c: an absolute error of a few ε·c in z.
                magnitude[j] = (double.IsFinite(scaled) ? Math.Abs(scaled) : 0) + (double.IsFinite(bias) ? Math.Abs(bias) : 0) + k.Softcap;
            }

            if (k.Sink)
            {
                logits.Add(sink);
            }

            double max = logits.Count == 0 ? double.NegativeInfinity : logits.Max();
            if (logits.Any(double.IsNaN))
            {
                max = double.NaN;
            }

            double sum = 0;
            foreach (double z in logits)
            {
                sum += Math.Exp(z - max);
            }

            for (int j = 0; j < rowLength; j++)
            {
                double z = logits[j];
                double value = k.IsLog ? z - max - Math.Log(sum) : Math.Exp(z - max) / sum;
                if (max == double.NegativeInfinity)
                {
                    value = k.MaskedRowsAreZero ? (k.IsLog ? double.NegativeInfinity : 0) : double.NaN;
                }

                y[(r * rowLength) + j] = value;
                conditioning[(r * rowLength) + j] = 1 + magnitude[j] + (double.IsFinite(z - max) ? Math.Abs(z - max) : 0) + (double.IsFinite(max) ? Math.Abs(max) : 0);
            }
        }

        return (y, conditioning);
    }

    /// <summary>Softmax: relative error over ε·conditioning (absolute below the smallest normal); log: absolute over ε·(|y| + conditioning).</summary>
    public static double Units(double actual, double expected, double conditioning, bool log, bool isDouble)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected) || double.IsNaN(actual) || double.IsInfinity(actual))
        {
            return actual.Equals(expected) ? 0 : double.PositiveInfinity;
        }

        double eps = isDouble ? Oracle.DoubleEpsilon : Oracle.FloatEpsilon;
        if (log)
        {
            return Math.Abs(actual - expected) / (eps * (Math.Abs(expected) + conditioning));
        }

        double floor = isDouble ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
        return Math.Abs(expected) < floor
            ? Math.Abs(actual - expected) / floor
            : Math.Abs(actual - expected) / Math.Abs(expected) / (eps * conditioning);
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesTheCompositionAndReference(string name)
    {
        AttentionInfo kernel = AttentionCatalog.Get(name);
        int[] rowLengths = kernel.Width != 0 ? new[] { kernel.Width }
            : Inputs.SmallScale ? new[] { 1, 5, 17, 100, 1000 }
            : new[] { 1, 2, 5, 16, 17, 33, 64, 100, 257, 1000, 4099 };
        int[] rowCounts = kernel.ManyRows ? new[] { 1, 2, 6 } : new[] { 1 };
        double worst = 0;
        string where = string.Empty;
        int seed = 100;
        foreach (int rowLength in rowLengths)
        {
            foreach (int rows in rowCounts)
            {
                foreach (string distribution in new[] { "Scores", "Wide" })
                {
                    seed++;
                    int rowsPerHead = rows == 6 ? new[] { 6, 3, 2 }[(seed / 2) % 3] : rows;
                    int maskRows = kernel.ManyRows ? new[] { 1, rows, rowsPerHead }[seed % 3] : 1;
                    (double[] x, double[] mask) = Make(kernel, distribution, rows, rowLength, maskRows, seed);
                    double sink = seed % 2 == 0 ? 1.5 : 40;
                    (double[] expected, double[] conditioning) = Composition(kernel, x, mask, sink, rowLength, rowsPerHead);
                    double[] reference = Run(kernel, kernel.Paths["Reference"], x, mask, sink, rowLength, rowsPerHead);
                    foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
                    {
                        double[] actual = path == "Reference" ? reference : Run(kernel, method, x, mask, sink, rowLength, rowsPerHead);
                        for (int i = 0; i < x.Length; i++)
                        {
                            double units = Units(actual[i], expected[i], conditioning[i], kernel.IsLog, kernel.IsDouble);
                            double toReference = Units(actual[i], reference[i], conditioning[i], kernel.IsLog, kernel.IsDouble);
                            double both = Math.Max(units, toReference);
                            if (!(both <= worst))
                            {
                                worst = both;
                                where = $"{path}, {distribution}, {rows}×{rowLength}, [{i}]: {actual[i]:R}, composition {expected[i]:R}, Reference {reference[i]:R}";
                            }
                        }
                    }
                }
            }
        }

        double tolerance = kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance;
        this.output?.WriteLine($"{name}: worst {worst:F2} units at {where}");
        Assert.True(worst <= tolerance, $"worst {worst:F2} units > {tolerance} at {where}");
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void ANaNStaysInItsRow(string name)
    {
        AttentionInfo kernel = AttentionCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 37;
        int rows = kernel.ManyRows ? 2 : 1;
        (double[] x, double[] mask) = Make(kernel, "Scores", rows, n, rows, 7);
        x[0] = double.NaN;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            double[] y = Run(kernel, method, x, mask, 0.5, n, rows);
            // The NaN is in a column row 0 sees (or the row sees none and is masked: NaN too, without MaskedRowsAreZero).
            int seen = kernel.Causal ? Math.Clamp(kernel.CausalOffset + 1, 0, n) : n;
            if (seen > 0 || !kernel.MaskedRowsAreZero)
            {
                Assert.True(y.Take(n).All(double.IsNaN), $"{path}: a NaN in row 0 must make row 0 NaN, its causal columns too: {string.Join(", ", y.Take(n))}");
            }

            if (rows == 2)
            {
                (double[] expected, _) = Composition(kernel, x.Skip(n).ToArray(), kernel.Mask ? mask.Skip(n).ToArray() : mask, 0.5, n, rows);
                Assert.True(y.Skip(n).Zip(expected).All(static p => double.IsNaN(p.First) == double.IsNaN(p.Second)), $"{path}: row 1 is not affected by row 0's NaN");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        AttentionInfo kernel = AttentionCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 45;
        int rows = kernel.ManyRows ? 4 : 1;
        (double[] x, double[] mask) = Make(kernel, "Scores", rows, n, 1, 9);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            double[] expected = Run(kernel, method, x, mask, 0.25, n, 2);
            double[] actual = RunInPlace(kernel, method, x, mask, 0.25, n, 2);
            Assert.True(expected.SequenceEqual(actual), $"{path}: in place differs");
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        AttentionInfo kernel = AttentionCatalog.Get(name);
        int n = kernel.Width != 0 ? kernel.Width : 8;
        int rows = kernel.ManyRows ? 4 : 1;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            void Expect<TException>(int outputLength, int maskLength, int rowsPerHead, string parameter)
                where TException : ArgumentException
            {
                float[] output = Enumerable.Repeat(7f, outputLength).ToArray();
                double[] outputD = Enumerable.Repeat(7.0, outputLength).ToArray();
                TException e = kernel.IsDouble
                    ? Assert.Throws<TException>(() => kernel.Run<double>(method, new double[rows * n], new double[maskLength], 0, outputD, n, rowsPerHead))
                    : Assert.Throws<TException>(() => kernel.Run<float>(method, new float[rows * n], new float[maskLength], 0, output, n, rowsPerHead));
                Assert.Equal(parameter, e.ParamName);
                Assert.True(kernel.IsDouble ? outputD.All(static v => v == 7.0) : output.All(static v => v == 7f), $"{path} wrote to the output of a rejected call");
            }

            Expect<ArgumentException>((rows * n) + 1, n, rows, "output");
            if (kernel.Mask)
            {
                Expect<ArgumentException>(rows * n, n + 1, rows, "mask");
                Expect<ArgumentException>(rows * n, n - 1, rows, "mask");
                Expect<ArgumentException>(rows * n, 0, rows, "mask");
                if (kernel.ManyRows)
                {
                    Expect<ArgumentException>(rows * n, 3 * n, rows, "mask");       // 3 mask rows do not divide 4 rows
                    Expect<ArgumentException>(rows * n, 5 * n, rows, "mask");
                }
            }

            if (kernel.HasRowsPerHead)
            {
                Expect<ArgumentOutOfRangeException>(rows * n, n, 0, "rowsPerHead");
                Expect<ArgumentOutOfRangeException>(rows * n, n, -2, "rowsPerHead");
                Expect<ArgumentException>(rows * n, n, 3, "rowsPerHead");
            }

            if (kernel.Mask)
            {
                // The mask may not share memory with the output (a later row would read what an earlier row wrote).
                double[] data = new double[2 * rows * n];
                float[] dataF = new float[2 * rows * n];
                ArgumentException e = kernel.IsDouble
                    ? Assert.Throws<ArgumentException>(() => kernel.Run<double>(method, new double[rows * n], data.AsSpan(0, n), 0, data.AsSpan(n / 2, rows * n), n, rows))
                    : Assert.Throws<ArgumentException>(() => kernel.Run<float>(method, new float[rows * n], dataF.AsSpan(0, n), 0, dataF.AsSpan(n / 2, rows * n), n, rows));
                Assert.Equal("mask", e.ParamName);
                Assert.True(kernel.IsDouble ? data.All(static v => v == 0) : dataF.All(static v => v == 0), $"{path} wrote to the output of a rejected call");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EmptyInputWritesNothing(string name)
    {
        AttentionInfo kernel = AttentionCatalog.Get(name);
        if (kernel.Width != 0 && !kernel.ManyRows)
        {
            return;
        }

        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            double[] y = Run(kernel, method, Array.Empty<double>(), Array.Empty<double>(), 1, kernel.Width != 0 ? kernel.Width : 5, 1);
            Assert.Empty(y);
        }
    }

    [Fact]
    public void GgmlSlopesAreTheKnownAlibiSlopes()
    {
        // For 8 heads and max_bias 8, ALiBi's slopes are 2^−1, 2^−2, ..., 2^−8 (Press et al.); for 12 heads, the first 8
        // are 2^−1..2^−8 and the next 4 interleave 2^−0.5, 2^−1.5, 2^−2.5, 2^−3.5.
        for (int h = 0; h < 8; h++)
        {
            Assert.Equal(Math.Pow(2, -(h + 1)), GgmlSlope(h, 8, 8), 6);
            Assert.Equal(Math.Pow(2, -(h + 1)), GgmlSlope(h, 8, 12), 6);
        }

        for (int h = 8; h < 12; h++)
        {
            Assert.Equal(Math.Pow(2, -((2 * (h - 8)) + 1) * 0.5), GgmlSlope(h, 8, 12), 6);
        }
    }

    // Scores: N(0,1)·4 logits; Wide: U(−100, 100). Mask: 0 (half), −∞ (a fifth), else −U(0, 6) (a position bias);
    // with several rows, row 1 is masked entirely (all −∞ in the mask, or in x when the kernel has no mask).
    private static (double[] X, double[] Mask) Make(AttentionInfo kernel, string distribution, int rows, int rowLength, int maskRows, int seed)
    {
        var random = new Random(seed);
        double[] x = new double[rows * rowLength];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = distribution == "Wide" ? (random.NextDouble() * 200) - 100 : Inputs.Normal(random) * 4;
        }

        double[] mask = Array.Empty<double>();
        if (kernel.Mask)
        {
            mask = new double[maskRows * rowLength];
            for (int i = 0; i < mask.Length; i++)
            {
                double u = random.NextDouble();
                mask[i] = u < 0.5 ? 0 : u < 0.7 ? double.NegativeInfinity : -6 * random.NextDouble();
            }

            if (maskRows > 1)
            {
                Array.Fill(mask, double.NegativeInfinity, rowLength, rowLength);
            }
        }
        else if (rows > 1)
        {
            Array.Fill(x, double.NegativeInfinity, rowLength, rowLength);
        }

        if (!kernel.IsDouble)
        {
            x = x.Select(static v => (double)(float)v).ToArray();
            mask = mask.Select(static v => (double)(float)v).ToArray();
        }

        return (x, mask);
    }

    private static double[] Run(AttentionInfo kernel, MethodInfo method, double[] x, double[] mask, double sink, int rowLength, int rowsPerHead)
    {
        if (kernel.IsDouble)
        {
            var buffer = new double[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678);
            kernel.Run<double>(method, x, mask, sink, buffer.AsSpan(Guard, x.Length), rowLength, rowsPerHead);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray();
        }
        else
        {
            var buffer = new float[x.Length + (2 * Guard)];
            Array.Fill(buffer, 12345.678f);
            kernel.Run<float>(method, x.Select(static v => (float)v).ToArray(), mask.Select(static v => (float)v).ToArray(), (float)sink, buffer.AsSpan(Guard, x.Length), rowLength, rowsPerHead);
            Assert.True(buffer.Take(Guard).Concat(buffer.Skip(Guard + x.Length)).All(static v => v == 12345.678f), $"{kernel.Name}.{method.Name} wrote outside its output");
            return buffer.AsSpan(Guard, x.Length).ToArray().Select(static v => (double)v).ToArray();
        }
    }

    private static double[] RunInPlace(AttentionInfo kernel, MethodInfo method, double[] x, double[] mask, double sink, int rowLength, int rowsPerHead)
    {
        if (kernel.IsDouble)
        {
            double[] data = (double[])x.Clone();
            kernel.Run<double>(method, data, mask, sink, data, rowLength, rowsPerHead);
            return data;
        }

        float[] dataF = x.Select(static v => (float)v).ToArray();
        kernel.Run<float>(method, dataF, mask.Select(static v => (float)v).ToArray(), (float)sink, dataF, rowLength, rowsPerHead);
        return dataF.Select(static v => (double)v).ToArray();
    }
}
