using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>A one-row [PowerNorm(Training = true)] with γ and β.</summary>
public delegate void PowerNormTrainRowKernel<T>(ReadOnlySpan<T> input, Span<T> quadraticMean, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output);

/// <summary>The many-rows form of <see cref="PowerNormTrainRowKernel{T}"/>.</summary>
public delegate void PowerNormTrainRowsKernel<T>(ReadOnlySpan<T> input, Span<T> quadraticMean, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength);

/// <summary>A one-row [PowerNorm(Training = true, Affine = false)].</summary>
public delegate void PlainPowerNormTrainRowKernel<T>(ReadOnlySpan<T> input, Span<T> quadraticMean, Span<T> output);

/// <summary>The many-rows form of <see cref="PlainPowerNormTrainRowKernel{T}"/>.</summary>
public delegate void PlainPowerNormTrainRowsKernel<T>(ReadOnlySpan<T> input, Span<T> quadraticMean, Span<T> output, int rowLength);

/// <summary>
/// [PowerNorm(Training = true)] (the forward of Algorithm 1 of "PowerNorm: Rethinking Batch Normalization in
/// Transformers"): on every path, y = γ·x/sqrt(ψ² + ε) + β with ψ² as the call found it, and then
/// ψ² ← (1 − m)·ψ² + m·mean over the rows of x², against an oracle written here from those two formulas in double
/// (sums of squares compensated); nothing written outside y and ψ²; and the behaviour docs/attributes.md gives
/// (no rows, in place, NaN, m = 0 and 1, repeated steps, bad spans).
/// </summary>
public class PowerNormTrainingTests
{
    private const int Guard = 8;

    /// <summary>The rows a path adds in its element type before they move into double (ChannelNormEmitter.FlushRows).</summary>
    private const int FlushRows = 64;

    public static IEnumerable<object[]> AllKernels => Kernels.Select(static k => new object[] { k.Name });

    public static IEnumerable<object[]> ManyRowKernels => Kernels.Where(static k => k.ManyRows).Select(static k => new object[] { k.Name });

    private static readonly IReadOnlyList<TrainKernel> Kernels = Discover().ToList();

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EveryPathMatchesTheFormulas(string name)
    {
        TrainKernel kernel = Get(name);
        int[] channelCounts = kernel.Width != 0 ? new[] { kernel.Width } : kernel.ManyRows ? new[] { 1, 5, 17, 100, 1030 } : new[] { 1, 2, 15, 16, 17, 100, 1024, 1025, 2100 };
        int[] rowCounts = kernel.ManyRows ? new[] { 0, 1, 3, 70, 200 } : new[] { 1 };
        int seed = 1;
        foreach (int channels in channelCounts)
        {
            foreach (int rows in rowCounts)
            {
                if ((long)channels * rows > 250_000)
                {
                    continue;
                }

                foreach (string distribution in new[] { "Normal", "LargeOffset", "Wide" })
                {
                    Batch batch = Make(kernel, distribution, channels, rows, seed++);
                    foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
                    {
                        (double[] y, double[] psi2) = Run(kernel, method, batch);
                        AssertMatches(kernel, batch, y, psi2, $"{name}.{path}, {rows}×{channels} {distribution}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResult(string name)
    {
        TrainKernel kernel = Get(name);
        int channels = kernel.Width != 0 ? kernel.Width : 37;
        Batch batch = Make(kernel, "Normal", channels, kernel.ManyRows ? 67 : 1, 5);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            (double[] y, double[] psi2) = Run(kernel, method, batch);
            (double[] yInPlace, double[] psi2InPlace) = Run(kernel, method, batch, inPlace: true);
            Assert.True(y.SequenceEqual(yInPlace), $"{path}: in place, y differs");
            Assert.True(psi2.SequenceEqual(psi2InPlace), $"{path}: in place, ψ² differs");
        }
    }

    [Theory]
    [MemberData(nameof(ManyRowKernels))]
    public void NoRowsLeaveTheRunningStatisticUnchanged(string name)
    {
        TrainKernel kernel = Get(name);
        int channels = kernel.Width != 0 ? kernel.Width : 9;
        Batch batch = Make(kernel, "Normal", channels, 0, 6);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            (_, double[] psi2) = Run(kernel, method, batch);
            Assert.True(psi2.SequenceEqual(batch.Psi2), $"{path}: a call with no rows changed ψ²");
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NaNInputMakesItsChannelsStatisticNaN(string name)
    {
        // x = NaN: its own output is NaN and so is its channel's batch mean of x², hence that channel's updated ψ²
        // (even with Momentum = 0: (1 − m)·ψ² + m·NaN is NaN, as in PyTorch's running statistics); every other element
        // and channel is as the formulas say.
        TrainKernel kernel = Get(name);
        int channels = kernel.Width != 0 ? kernel.Width : 11;
        if (channels < 3)
        {
            return;
        }

        int rows = kernel.ManyRows ? 4 : 1;
        Batch batch = Make(kernel, "Normal", channels, rows, 7);
        int poisoned = channels + 2 < batch.X.Length ? channels + 2 : 2;
        batch.X[poisoned] = double.NaN;
        int channel = poisoned % channels;
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            (double[] y, double[] psi2) = Run(kernel, method, batch);
            Assert.True(double.IsNaN(y[poisoned]), $"{path}: y at the NaN is {y[poisoned]}");
            Assert.True(double.IsNaN(psi2[channel]), $"{path}: ψ²[{channel}] = {psi2[channel]:R} after a NaN in its channel");
            for (int c = 0; c < channels; c++)
            {
                if (c != channel)
                {
                    Assert.True(Math.Abs(psi2[c] - OraclePsi2(kernel, batch, c)) <= Psi2Tolerance(kernel, batch, c), $"{path}: ψ²[{c}] = {psi2[c]:R} of a clean channel, expected {OraclePsi2(kernel, batch, c):R}");
                }
            }

            for (int i = 0; i < y.Length; i++)
            {
                if (i != poisoned)
                {
                    Assert.False(double.IsNaN(y[i]), $"{path}: y[{i}] is NaN");
                }
            }
        }
    }

    [Fact]
    public void MomentumZeroKeepsAndMomentumOneReplacesTheStatistic()
    {
        // TrainPlainD has Momentum = 0: ψ² is left bit for bit. TrainPlainFRows has Momentum = 1: ψ² becomes the batch's mean of x².
        TrainKernel keep = Get(nameof(PowerNormTrainingKernels.TrainPlainD));
        Batch batch = Make(keep, "Normal", 50, 1, 8);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(keep.Paths, keep.Dispatcher))
        {
            Assert.True(Run(keep, method, batch).Psi2.SequenceEqual(batch.Psi2), $"{path}: Momentum = 0 changed ψ²");
        }

        TrainKernel replace = Get(nameof(PowerNormTrainingKernels.TrainPlainFRows));
        batch = Make(replace, "Normal", 20, 30, 9);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(replace.Paths, replace.Dispatcher))
        {
            double[] psi2 = Run(replace, method, batch).Psi2;
            for (int c = 0; c < 20; c++)
            {
                double mean = Enumerable.Range(0, 30).Sum(r => batch.X[(r * 20) + c] * batch.X[(r * 20) + c]) / 30;
                Assert.True(Math.Abs(psi2[c] - mean) <= 70 * Math.Pow(2, -24) * mean, $"{path}: ψ²[{c}] = {psi2[c]:R}, the batch's mean of x² is {mean:R}");
            }
        }
    }

    [Fact]
    public void RepeatedStepsOnOneBatchConvergeGeometrically()
    {
        // k steps of ψ² ← (1 − m)ψ² + m·q on the same batch leave q + (ψ²₀ − q)(1 − m)^k: the update is the EMA of the paper.
        TrainKernel kernel = Get(nameof(PowerNormTrainingKernels.TrainDU3Rows));
        const int channels = 33, rows = 40, steps = 30;
        Batch batch = Make(kernel, "Normal", channels, rows, 10);
        double[] psi2 = (double[])batch.Psi2.Clone();
        var call = (PowerNormTrainRowsKernel<double>)kernel.Dispatcher.CreateDelegate(typeof(PowerNormTrainRowsKernel<double>));
        double[] y = new double[batch.X.Length];
        for (int k = 0; k < steps; k++)
        {
            call(batch.X, psi2, batch.Weight, batch.Bias, y, channels);
        }

        double decay = Math.Pow(1 - kernel.Momentum, steps);
        for (int c = 0; c < channels; c++)
        {
            double q = Enumerable.Range(0, rows).Sum(r => batch.X[(r * channels) + c] * batch.X[(r * channels) + c]) / rows;
            double expected = q + ((batch.Psi2[c] - q) * decay);
            Assert.True(Math.Abs(psi2[c] - expected) <= 1e-12 * (q + batch.Psi2[c]), $"ψ²[{c}] after {steps} steps = {psi2[c]:R}, expected {expected:R}");
        }

        // y of the last step is normalized with the ψ² of the step before it.
        double[] before = (double[])batch.Psi2.Clone();
        for (int k = 0; k < steps - 1; k++)
        {
            call(batch.X, before, batch.Weight, batch.Bias, new double[batch.X.Length], channels);
        }

        for (int i = 0; i < y.Length; i++)
        {
            int c = i % channels;
            double expected = (batch.Weight[c] * batch.X[i] / Math.Sqrt(before[c] + kernel.Epsilon)) + batch.Bias[c];
            Assert.True(Math.Abs(y[i] - expected) <= 1e-14 * (Math.Abs(expected) + 1), $"y[{i}] = {y[i]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void ManyRowsInFloatStayWithinTheBound()
    {
        // 5 000 rows of a large offset: the float partial sums of 64 rows move into double, so the batch mean of x² keeps
        // float's precision instead of drifting with the row count.
        TrainKernel kernel = Get(nameof(PowerNormTrainingKernels.TrainFRows));
        Batch batch = Make(kernel, "LargeOffset", 3, 5000, 11);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            (double[] y, double[] psi2) = Run(kernel, method, batch);
            AssertMatches(kernel, batch, y, psi2, $"{path}, 5000×3");
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadSpansThrowAndWriteNothing(string name)
    {
        TrainKernel kernel = Get(name);
        int channels = kernel.Width != 0 ? kernel.Width : 8;
        int rows = kernel.ManyRows ? 2 : 1;
        Batch batch = Make(kernel, "Normal", channels, rows, 12);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher))
        {
            // ψ² one element short.
            ArgumentException e = ExpectThrow(kernel, method, batch, Shape.ShortStatistic);
            Assert.Equal("runningQuadraticMean", e.ParamName);

            // ψ² overlapping the input (the input's last row holds it), and overlapping the output.
            e = ExpectThrow(kernel, method, batch, Shape.StatisticInInput);
            Assert.Equal("runningQuadraticMean", e.ParamName);
            e = ExpectThrow(kernel, method, batch, Shape.StatisticInOutput);
            Assert.Equal("runningQuadraticMean", e.ParamName);
        }
    }

    private enum Shape
    {
        ShortStatistic,
        StatisticInInput,
        StatisticInOutput,
    }

    private static ArgumentException ExpectThrow(TrainKernel kernel, MethodInfo method, Batch batch, Shape shape)
    {
        int channels = batch.Channels;
        int length = batch.X.Length;
        // One buffer holds the input then the output; ψ² is a separate buffer unless the shape puts it in one of them.
        ArgumentException Go<T>(Func<double, T> of)
            where T : IEquatable<T>
        {
            T[] data = new T[(2 * length) + channels];
            for (int i = 0; i < length; i++)
            {
                data[i] = of(batch.X[i]);
            }

            T[] stats = batch.Psi2.Select(of).ToArray();
            T[] weight = batch.Weight.Select(of).ToArray(), bias = batch.Bias.Select(of).ToArray();
            T[] before = (T[])data.Clone(), statsBefore = (T[])stats.Clone();
            Span<T> output = data.AsSpan(length, length);
            Span<T> psi2 = shape switch
            {
                Shape.ShortStatistic => stats.AsSpan(0, channels - 1),
                Shape.StatisticInInput => data.AsSpan(length - channels, channels),
                _ => data.AsSpan(length, channels),
            };
            ArgumentException? caught = null;
            try
            {
                Invoke(kernel, method, data.AsSpan(0, length), psi2, weight, bias, output, channels);
            }
            catch (TargetInvocationException t) when (t.InnerException is ArgumentException a)
            {
                caught = a;
            }
            catch (ArgumentException a)
            {
                caught = a;
            }

            Assert.NotNull(caught);
            Assert.True(data.SequenceEqual(before) && stats.SequenceEqual(statsBefore), $"{shape}: something was written before the exception");
            return caught!;
        }

        return kernel.IsDouble ? Go(static v => v) : Go(static v => (float)v);
    }

    private static void AssertMatches(TrainKernel kernel, Batch batch, double[] y, double[] psi2, string where)
    {
        int channels = batch.Channels;
        double eps = kernel.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);
        double units = kernel.IsDouble ? 8 : 4;
        for (int i = 0; i < batch.X.Length; i++)
        {
            int c = i % channels;
            double scale = batch.Weight[c] / Math.Sqrt(batch.Psi2[c] + kernel.Epsilon);
            double expected = (scale * batch.X[i]) + batch.Bias[c];
            double bound = units * eps * (Math.Abs(scale * batch.X[i]) + Math.Abs(batch.Bias[c]));
            Assert.True(Math.Abs(y[i] - expected) <= bound, $"{where}: y[{i}] = {y[i]:R}, expected {expected:R} (±{bound:R})");
        }

        for (int c = 0; c < channels; c++)
        {
            double expected = OraclePsi2(kernel, batch, c);
            double bound = Psi2Tolerance(kernel, batch, c);
            Assert.True(Math.Abs(psi2[c] - expected) <= bound, $"{where}: ψ²[{c}] = {psi2[c]:R}, expected {expected:R} (±{bound:R})");
        }
    }

    /// <summary>(1 − m)·ψ² + m·mean(x²) for channel c, in double with compensated sums (no rows: ψ² as it was).</summary>
    private static double OraclePsi2(TrainKernel kernel, Batch batch, int c)
    {
        if (batch.Rows == 0)
        {
            return batch.Psi2[c];
        }

        var sum = default(KernelGen.Runtime.CompensatedSum);
        for (int r = 0; r < batch.Rows; r++)
        {
            double x = batch.X[(r * batch.Channels) + c];
            sum.Add(x * x);
        }

        return ((1 - kernel.Momentum) * batch.Psi2[c]) + (kernel.Momentum * (sum.Total(out _) / batch.Rows));
    }

    /// <summary>
    /// The bound on ψ²'s error: the final rounding (one unit), plus the paths' sums of squares: up to FlushRows terms
    /// added in the element type, then rows/FlushRows partial sums added in double, each addition off by at most one
    /// unit of the running sum.
    /// </summary>
    private static double Psi2Tolerance(TrainKernel kernel, Batch batch, int c)
    {
        double eps = kernel.IsDouble ? Math.Pow(2, -53) : Math.Pow(2, -24);
        double meanSquares = batch.Rows == 0 ? 0 : Enumerable.Range(0, batch.Rows).Sum(r => Math.Pow(batch.X[(r * batch.Channels) + c], 2)) / batch.Rows;
        double rounding = ((Math.Min(batch.Rows, FlushRows) + 2) * eps) + (((batch.Rows / (double)FlushRows) + 1) * Math.Pow(2, -53));
        // The update (1 − m)·ψ² + m·q itself: a few roundings of its terms in double, then one of the result.
        double update = (eps * Math.Abs(OraclePsi2(kernel, batch, c))) + (4 * Math.Pow(2, -53) * ((1 - kernel.Momentum) * Math.Abs(batch.Psi2[c]) + (kernel.Momentum * meanSquares)));
        return update + (kernel.Momentum * meanSquares * rounding) + 1e-300;
    }

    private sealed class Batch
    {
        public required double[] X { get; init; }

        public required double[] Psi2 { get; init; }

        public required double[] Weight { get; init; }

        public required double[] Bias { get; init; }

        public required int Channels { get; init; }

        public int Rows => this.Channels == 0 ? 0 : this.X.Length / this.Channels;
    }

    private static Batch Make(TrainKernel kernel, string distribution, int channels, int rows, int seed)
    {
        var random = new Random(seed);
        double Round(double v) => kernel.IsDouble ? v : (float)v;
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] offset = Enumerable.Range(0, channels).Select(_ => distribution == "LargeOffset" ? 1000 * (random.NextDouble() + 0.5) : 0).ToArray();
        double[] x = new double[channels * rows];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = Round(distribution == "Wide" ? (random.NextDouble() - 0.5) * 2e4 : offset[i % channels] + Normal());
        }

        return new Batch
        {
            X = x,
            Psi2 = Enumerable.Range(0, channels).Select(_ => Round(Math.Exp(4 * (random.NextDouble() - 0.5)))).ToArray(),
            Weight = Enumerable.Range(0, channels).Select(_ => kernel.Affine ? Round(0.5 + random.NextDouble()) : 1).ToArray(),
            Bias = Enumerable.Range(0, channels).Select(_ => kernel.Affine ? Round(random.NextDouble() - 0.5) : 0).ToArray(),
            Channels = channels,
        };
    }

    /// <summary>Runs <paramref name="method"/> on copies of the batch (guards around y and ψ² checked) and returns y and the updated ψ².</summary>
    private static (double[] Y, double[] Psi2) Run(TrainKernel kernel, MethodInfo method, Batch batch, bool inPlace = false)
    {
        (double[], double[]) Go<T>(Func<double, T> of, Func<T, double> back, T sentinel)
            where T : IEquatable<T>
        {
            int length = batch.X.Length;
            T[] y = Enumerable.Repeat(sentinel, length + (2 * Guard)).ToArray();
            T[] psi2 = Enumerable.Repeat(sentinel, batch.Channels + (2 * Guard)).ToArray();
            T[] x = batch.X.Select(of).ToArray();
            for (int c = 0; c < batch.Channels; c++)
            {
                psi2[Guard + c] = of(batch.Psi2[c]);
            }

            if (inPlace)
            {
                x.CopyTo(y, Guard);
            }

            ReadOnlySpan<T> input = inPlace ? y.AsSpan(Guard, length) : x;
            Invoke(kernel, method, input, psi2.AsSpan(Guard, batch.Channels), batch.Weight.Select(of).ToArray(), batch.Bias.Select(of).ToArray(), y.AsSpan(Guard, length), batch.Channels);
            for (int g = 0; g < Guard; g++)
            {
                Assert.True(y[g].Equals(sentinel) && y[Guard + length + g].Equals(sentinel), $"{kernel.Name}: written outside the output");
                Assert.True(psi2[g].Equals(sentinel) && psi2[Guard + batch.Channels + g].Equals(sentinel), $"{kernel.Name}: written outside ψ²");
            }

            return (y.Skip(Guard).Take(length).Select(back).ToArray(), psi2.Skip(Guard).Take(batch.Channels).Select(back).ToArray());
        }

        return kernel.IsDouble ? Go(static v => v, static v => v, -7.25e300) : Go(static v => (float)v, static v => v, -7.25e30f);
    }

    private static void Invoke<T>(TrainKernel kernel, MethodInfo method, ReadOnlySpan<T> input, Span<T> psi2, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int channels)
    {
        switch ((kernel.Affine, kernel.ManyRows))
        {
            case (true, false): ((PowerNormTrainRowKernel<T>)method.CreateDelegate(typeof(PowerNormTrainRowKernel<T>)))(input, psi2, weight, bias, output); break;
            case (true, true): ((PowerNormTrainRowsKernel<T>)method.CreateDelegate(typeof(PowerNormTrainRowsKernel<T>)))(input, psi2, weight, bias, output, channels); break;
            case (false, false): ((PlainPowerNormTrainRowKernel<T>)method.CreateDelegate(typeof(PlainPowerNormTrainRowKernel<T>)))(input, psi2, output); break;
            case (false, true): ((PlainPowerNormTrainRowsKernel<T>)method.CreateDelegate(typeof(PlainPowerNormTrainRowsKernel<T>)))(input, psi2, output, channels); break;
        }
    }

    private static TrainKernel Get(string name) => Kernels.Single(k => k.Name == name);

    private static IEnumerable<TrainKernel> Discover()
    {
        foreach (MethodInfo method in typeof(PowerNormTrainingKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<PowerNormAttribute>() is not { Training: true } a)
            {
                continue;
            }

            Type paths = typeof(PowerNormTrainingKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new TrainKernel
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Affine = a.Affine,
                Epsilon = a.Epsilon,
                Momentum = a.Momentum,
                Width = a.Width,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
            };
        }
    }

    private sealed class TrainKernel
    {
        public required string Name { get; init; }

        public required bool IsDouble { get; init; }

        public required bool ManyRows { get; init; }

        public required bool Affine { get; init; }

        public required double Epsilon { get; init; }

        public required double Momentum { get; init; }

        public required int Width { get; init; }

        public required MethodInfo Dispatcher { get; init; }

        public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

        public override string ToString() => this.Name;
    }
}
