using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using KernelGen.Accuracy;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

/// <summary>The runtime words, tested once: exp and tanh accuracy per width, the extended exp, 2ⁿ scaling, reductions and tails.</summary>
public class VectorMathTests
{
    /// <summary>The float exps this machine (under the current runtime switches) runs.</summary>
    public static TheoryData<string> AvailableExps => new(ExpSweep.Names.Where(ExpSweep.IsAvailable));

    [Theory]
    [MemberData(nameof(AvailableExps))]
    public void FloatExpIsAccurateOverTheSoftmaxRange(string name)
    {
        // Every 997th float here; the exhaustive sweep (bench/KernelGen.AccuracySweep) gives docs/accuracy.md.
        ExpSweepResult result = ExpSweep.Run(name, stride: Inputs.SmallScale ? 99_991 : 997);
        if (name == "VectorMath512.ExpNonPositive")
        {
            // The table exp reduces by ln 2 rounded to one float: within 1.1 ulp + |x|/25 ulp (4.49 ulp at −86.64, exhaustive sweep).
            Assert.True(result.MaxUlpNetOfArgument <= 1.1, $"{name}: {result.MaxUlpNetOfArgument} ulp beyond |x|/25 ({result.MaxUlp} ulp at {result.WorstInput})");
            Assert.True(result.MaxUlp <= 4.6, $"{name}: {result.MaxUlp} ulp at {result.WorstInput}");

            // Its subnormal results (x in [−87.34, −87.3365) here) carry the same relative error: 2.76 units of 2⁻¹⁴⁹ (exhaustive sweep).
            Assert.True(result.MaxSubnormalUlp <= 3.0, $"{name}: {result.MaxSubnormalUlp} subnormal ulp");
        }
        else
        {
            // Without FMA (the portable path on a machine or configuration without it) the products round twice: 2.27 ulp (exhaustive sweep).
            double bound = name == "VectorMath128.ExpNonPositive" && !VectorMath128.HasFusedMultiplyAdd ? 2.3 : 2.0;
            Assert.True(result.MaxUlp <= bound, $"{name}: {result.MaxUlp} ulp at {result.WorstInput}");
            Assert.True(result.MaxSubnormalUlp <= 1.0, $"{name}: {result.MaxSubnormalUlp} subnormal ulp");
        }
    }

    [Fact]
    public void DoubleExpIsAccurate()
    {
        var random = new Random(1);
        double[] x = Enumerable.Range(0, 4096).Select(_ => -random.NextDouble() * 708).Append(0).Append(-1e-300).ToArray();
        double worst = 0;
        foreach (double v in x)
        {
            double exact = Math.Exp(v);
            double ulp = Math.ScaleB(1.0, Math.ILogB(exact) - 52);
            foreach (double y in new[]
            {
                VectorMath512.IsSupported ? VectorMath512.ExpNonPositive(Vector512.Create(v)).ToScalar() : exact,
                VectorMath256.IsSupported ? VectorMath256.ExpNonPositive(Vector256.Create(v)).ToScalar() : exact,
                VectorMath128.IsSupported ? VectorMath128.ExpNonPositive(Vector128.Create(v)).ToScalar() : exact,
            })
            {
                worst = Math.Max(worst, Math.Abs(y - exact) / ulp);
            }
        }

        // Math.Exp itself is within about 1 ulp, so this bounds ours at a few ulp.
        Assert.True(worst <= 4, $"double exp: {worst} ulp");
    }

    [Fact]
    public void ExpHandlesTheEdges()
    {
        foreach (Func<float, float> exp in FloatExps())
        {
            Assert.Equal(1f, exp(0f));
            Assert.Equal(1f, exp(-0f));
            Assert.Equal(0f, exp(float.NegativeInfinity));
            Assert.Equal(0f, exp(-1000f));
            Assert.True(float.IsNaN(exp(float.NaN)));
        }
    }

    // The tanh tests are facts over the widths this machine runs (none without hardware intrinsics: an empty theory would fail).
    [Fact]
    public void TanhIsWithinFourUlpOfMathTanh()
    {
        foreach (string name in TanhSweep.Names.Where(TanhSweep.IsAvailable))
        {
            CheckTanhAccuracy(name);
        }
    }

    [Fact]
    public void TanhHandlesTheEdges()
    {
        foreach (string name in TanhSweep.Names.Where(TanhSweep.IsAvailable))
        {
            CheckTanhEdges(name);
        }
    }

    private static void CheckTanhAccuracy(string name)
    {
        // Float: every 61st float in [+0, 10] (subnormals, polynomial, exp branch, saturation), against Math.Tanh in
        // double; the exhaustive sweep (bench/KernelGen.AccuracySweep --tanh) gives docs/accuracy.md's figure.
        // Double: a seeded sample against Math.Tanh (itself within about an ulp).
        TanhSweepResult single = TanhSweep.RunFloat(name, stride: Inputs.SmallScale ? 9_973 : 61);
        TanhSweepResult twice = TanhSweep.RunDouble(name, Inputs.SmallScale ? 20_000 : 600_000);
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: float {single.MaxUlp:F3} ulp at {single.WorstInput:R}; double {twice.MaxUlp:F3} ulp at {twice.WorstInput:R}");
        Assert.True(single.MaxUlp <= 4, $"{name} float: {single.MaxUlp} ulp at {single.WorstInput:R}");
        Assert.True(twice.MaxUlp <= 4, $"{name} double: {twice.MaxUlp} ulp at {twice.WorstInput:R}");
    }

    private static void CheckTanhEdges(string name)
    {
        // ±0 keep their sign; tiny inputs give themselves (tanh x = x − x³/3: the cube is far below half an ulp).
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(TanhSweep.Float(name, 0f)));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(TanhSweep.Float(name, -0f)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(TanhSweep.Double(name, 0.0)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(TanhSweep.Double(name, -0.0)));
        foreach (float tiny in new[] { float.Epsilon, -float.Epsilon, 1e-30f, -3e-20f, 1e-4f })
        {
            Assert.Equal(tiny, TanhSweep.Float(name, tiny));
        }

        foreach (double tiny in new[] { double.Epsilon, -double.Epsilon, 1e-300, -1e-200, 1e-9 })
        {
            Assert.Equal(tiny, TanhSweep.Double(name, tiny));
        }

        // Large |x| saturates to ±1 exactly (never ∞/∞ = NaN), and so do ±∞; NaN stays NaN.
        foreach (float large in new[] { 9.1f, 20f, 100f, 1e30f, float.MaxValue, float.PositiveInfinity })
        {
            Assert.Equal(1f, TanhSweep.Float(name, large));
            Assert.Equal(-1f, TanhSweep.Float(name, -large));
        }

        foreach (double large in new[] { 19.1, 40, 400, 800, 1e300, double.MaxValue, double.PositiveInfinity })
        {
            Assert.Equal(1.0, TanhSweep.Double(name, large));
            Assert.Equal(-1.0, TanhSweep.Double(name, -large));
        }

        Assert.True(float.IsNaN(TanhSweep.Float(name, float.NaN)));
        Assert.True(double.IsNaN(TanhSweep.Double(name, double.NaN)));

        // Exact odd symmetry (the sweep measures positive inputs only), and the branch point 0.625 on both sides.
        var random = new Random(4);
        for (int i = 0; i < 2000; i++)
        {
            float x = (float)(random.NextDouble() * 12);
            Assert.Equal(-TanhSweep.Float(name, x), TanhSweep.Float(name, -x));
            double d = random.NextDouble() * 25;
            Assert.Equal(-TanhSweep.Double(name, d), TanhSweep.Double(name, -d));
        }

        foreach (float x in new[] { MathF.BitDecrement(0.625f), 0.625f, MathF.BitIncrement(0.625f) })
        {
            Assert.True(TanhSweep.FloatUlps(TanhSweep.Float(name, x), Math.Tanh(x)) <= 4, $"tanh({x:R})");
        }
    }

    [Fact]
    public void ExtendedExpRepresentsAnyFiniteInput()
    {
        var random = new Random(2);
        float[] inputs = Enumerable.Range(0, 2000).Select(_ => (float)((random.NextDouble() - 0.5) * 2e4)).Append(88.8f).Append(-104f).Append(1e4f).ToArray();
        foreach (float x in inputs)
        {
            foreach ((float m, float k) in ExtendedExps(x))
            {
                Assert.InRange(m, 0.69f, 1.42f);
                double value = Math.Log(m) + (k * Math.Log(2));
                Assert.True(Math.Abs(value - x) <= 4e-7 * Math.Max(1, Math.Abs(x)) + 3e-7, $"e^{x} = {m}·2^{k}");
            }
        }
    }

    [Fact]
    public void ScaleByPowerOfTwoIsExactAndFlushesBelowTheNormalRange()
    {
        foreach (float d in new[] { 0f, -1f, -30f, -126f })
        {
            float expected = MathF.ScaleB(1.5f, (int)d);
            if (VectorMath512.IsSupported)
            {
                Assert.Equal(expected, VectorMath512.ScaleByPowerOfTwo(Vector512.Create(1.5f), Vector512.Create(d)).ToScalar());
            }

            if (VectorMath256.IsSupported)
            {
                Assert.Equal(expected, VectorMath256.ScaleByPowerOfTwo(Vector256.Create(1.5f), Vector256.Create(d)).ToScalar());
            }

            if (VectorMath128.IsSupported)
            {
                Assert.Equal(expected, VectorMath128.ScaleByPowerOfTwo(Vector128.Create(1.5f), Vector128.Create(d)).ToScalar());
            }
        }

        if (VectorMath256.IsSupported)
        {
            Assert.Equal(0f, VectorMath256.ScaleByPowerOfTwo(Vector256.Create(1.5f), Vector256.Create(-5e6f)).ToScalar());
        }
    }

    [Fact]
    public void TailsTouchOnlyTheirElements()
    {
        float[] data = Enumerable.Range(1, 40).Select(static i => (float)i).ToArray();
        if (VectorMath512.IsSupported)
        {
            Vector512<float> v = VectorMath512.LoadTail(ref data[3], 5, -1f);
            Assert.Equal(new float[] { 4, 5, 6, 7, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 }, Enumerable.Range(0, 16).Select(i => v[i]));
            VectorMath512.StoreTail(ref data[20], 3, Vector512.Create(0f));
            Assert.Equal(new float[] { 20, 0, 0, 0, 24 }, data[19..24]);
        }

        if (VectorMath128.IsSupported)
        {
            Vector128<double> d = VectorMath128.LoadTail(ref new double[] { 9, 8, 7 }[2], 1, double.NegativeInfinity);
            Assert.Equal(7, d[0]);
            Assert.Equal(double.NegativeInfinity, d[1]);
        }
    }

    [Fact]
    public void HorizontalMaxAndWidenedSums()
    {
        var random = new Random(3);
        float[] values = Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble()).ToArray();
        if (VectorMath512.IsSupported)
        {
            Assert.Equal(values.Max(), VectorMath512.HorizontalMax(Vector512.Create(values)));
            Vector512<double> low = Vector512<double>.Zero, high = Vector512<double>.Zero;
            VectorMath512.AddWidened(ref low, ref high, Vector512.Create(values));
            Assert.Equal(values.Sum(static v => (double)v), VectorMath512.SumWidened(low, high), 12);
        }

        if (VectorMath256.IsSupported)
        {
            Assert.Equal(values.Take(8).Max(), VectorMath256.HorizontalMax(Vector256.Create(values.AsSpan(0, 8))));
        }

        if (VectorMath128.IsSupported)
        {
            Assert.Equal(values.Take(4).Max(), VectorMath128.HorizontalMax(Vector128.Create(values.AsSpan(0, 4))));

            // The double accumulator is compensated: 1 + 1e-17·10^4 is not lost.
            Vector128<double> low = Vector128<double>.Zero, high = Vector128<double>.Zero;
            VectorMath128.AddWidened(ref low, ref high, Vector128.Create(1.0));
            for (int i = 0; i < 10_000; i++)
            {
                VectorMath128.AddWidened(ref low, ref high, Vector128.Create(1e-17));
            }

            Assert.Equal(2 * (1 + 1e-13), VectorMath128.SumWidened(low, high), 15);
        }
    }

    /// <summary>
    /// BroadcastMax (the max of rows grouped in registers): every lane holds the value HorizontalMax returns, wherever the
    /// largest lane is. SumWidened of one float vector (their sum): the lanes' sum in double, as AddWidened into zeroed
    /// accumulators and SumWidened of those give it, and exact when the lanes' sum fits a double.
    /// </summary>
    [Fact]
    public void RegisterRowReductions()
    {
        var random = new Random(5);
        for (int top = 0; top < 16; top++)
        {
            float[] f = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            f[top] = 3;
            double[] d = f.Select(static v => (double)v).ToArray();
            if (VectorMath512.IsSupported)
            {
                Assert.All(Lanes(VectorMath512.BroadcastMax(Vector512.Create(f))), static v => Assert.Equal(3f, v));
                Assert.All(Lanes(VectorMath512.BroadcastMax(Vector512.Create(d.AsSpan(top & 8, 8)))), v => Assert.Equal(d.AsSpan(top & 8, 8).ToArray().Max(), v));
                Vector512<double> low = Vector512<double>.Zero, high = Vector512<double>.Zero;
                VectorMath512.AddWidened(ref low, ref high, Vector512.Create(f));
                Assert.Equal(VectorMath512.SumWidened(low, high), VectorMath512.SumWidened(Vector512.Create(f)), 14);
                Assert.Equal(ExactSum(f), VectorMath512.SumWidened(Vector512.Create(f)));
            }

            if (VectorMath256.IsSupported)
            {
                float[] part = f.AsSpan(top & 8, 8).ToArray();
                Assert.All(Lanes(VectorMath256.BroadcastMax(Vector256.Create(part))), static v => Assert.Equal(3f, v));
                Assert.All(Lanes(VectorMath256.BroadcastMax(Vector256.Create(d.AsSpan(top & 12, 4)))), v => Assert.Equal(d.AsSpan(top & 12, 4).ToArray().Max(), v));
                Vector256<double> low = Vector256<double>.Zero, high = Vector256<double>.Zero;
                VectorMath256.AddWidened(ref low, ref high, Vector256.Create(part));
                Assert.Equal(VectorMath256.SumWidened(low, high), VectorMath256.SumWidened(Vector256.Create(part)), 14);
                Assert.Equal(ExactSum(part), VectorMath256.SumWidened(Vector256.Create(part)));
            }

            if (VectorMath128.IsSupported)
            {
                float[] part = f.AsSpan(top & 12, 4).ToArray();
                Assert.All(Lanes(VectorMath128.BroadcastMax(Vector128.Create(part))), static v => Assert.Equal(3f, v));
                Assert.All(Lanes(VectorMath128.BroadcastMax(Vector128.Create(d.AsSpan(top & 14, 2)))), v => Assert.Equal(d.AsSpan(top & 14, 2).ToArray().Max(), v));
                Vector128<double> low = Vector128<double>.Zero, high = Vector128<double>.Zero;
                VectorMath128.AddWidened(ref low, ref high, Vector128.Create(part));
                Assert.Equal(VectorMath128.SumWidened(low, high), VectorMath128.SumWidened(Vector128.Create(part)), 14);
                Assert.Equal(ExactSum(part), VectorMath128.SumWidened(Vector128.Create(part)));
            }
        }

        // Lanes whose sum needs more than a double's 53 bits (1 and 2^-60): a few roundings, each within an ulp of the total.
        float[] spread = Enumerable.Range(0, 16).Select(static i => i % 2 == 0 ? 1f : MathF.ScaleB(1f, -60 - i)).ToArray();
        double exact = ExactSum(spread), ulp = Math.BitIncrement(exact) - exact;
        if (VectorMath512.IsSupported)
        {
            Assert.InRange(VectorMath512.SumWidened(Vector512.Create(spread)), exact - (4 * ulp), exact + (4 * ulp));
        }
    }

    /// <summary>
    /// MeanOfLanes (LayerNorm's shift k, the mean of a row's first vector or of its first count elements): within a few
    /// units of the largest lane of the exact mean, for every count of every width, and finite for lanes near the
    /// largest float, whose plain sum would overflow.
    /// </summary>
    [Fact]
    public void MeanOfLanesIsTheMeanAndDoesNotOverflow()
    {
        var random = new Random(11);
        void Check(float[] lanes, int count, float mean)
        {
            double exact = lanes.Take(count).Sum(static v => (double)v) / count;
            double unit = MathF.BitIncrement(lanes.Take(count).Max(MathF.Abs)) - lanes.Take(count).Max(MathF.Abs);
            Assert.True(float.IsFinite(mean), $"count {count}: {mean}");
            Assert.InRange(mean, exact - (4 * unit), exact + (4 * unit));
        }

        void CheckDouble(double[] lanes, int count, double mean)
        {
            double exact = lanes.Take(count).Sum() / count, largest = lanes.Take(count).Max(Math.Abs);
            Assert.InRange(mean, exact - (4 * (Math.BitIncrement(largest) - largest)), exact + (4 * (Math.BitIncrement(largest) - largest)));
        }

        foreach (float scale in new[] { 1f, 1e4f, 3e38f })
        {
            for (int count = 1; count <= 16; count++)
            {
                float[] f = Enumerable.Range(0, 16).Select(i => i < count ? scale * (float)(0.9 + (0.1 * random.NextDouble())) : 0f).ToArray();
                double[] d = f.Select(static v => (double)v).ToArray();
                if (VectorMath512.IsSupported)
                {
                    Check(f, count, VectorMath512.MeanOfLanes(Vector512.Create(f), count));
                    CheckDouble(d, Math.Min(count, 8), VectorMath512.MeanOfLanes(Vector512.Create(d.AsSpan(0, 8)), Math.Min(count, 8)));
                }

                if (VectorMath256.IsSupported && count <= 8)
                {
                    Check(f, count, VectorMath256.MeanOfLanes(Vector256.Create(f.AsSpan(0, 8)), count));
                    CheckDouble(d, Math.Min(count, 4), VectorMath256.MeanOfLanes(Vector256.Create(d.AsSpan(0, 4)), Math.Min(count, 4)));
                }

                if (VectorMath128.IsSupported && count <= 4)
                {
                    Check(f, count, VectorMath128.MeanOfLanes(Vector128.Create(f.AsSpan(0, 4)), count));
                    CheckDouble(d, Math.Min(count, 2), VectorMath128.MeanOfLanes(Vector128.Create(d.AsSpan(0, 2)), Math.Min(count, 2)));
                }
            }
        }
    }

    // Σ of the float values, rounded once to double: each is m·2^(e−23) with a 24-bit integer m, an exact count of units
    // 2^-100 in a 128-bit integer (the values here are at most 16 in magnitude and no finer than 2^-100), summed exactly.
    private static double ExactSum(IEnumerable<float> values)
    {
        Int128 units = 0;
        foreach (float v in values)
        {
            int bits = BitConverter.SingleToInt32Bits(v);
            int biased = (bits >> 23) & 0xFF;
            long mantissa = (bits & 0x7FFFFF) | (biased == 0 ? 0 : 0x800000);
            int shift = Math.Max(biased, 1) - 127 - 23 + 100;
            Assert.InRange(shift, 0, 104);
            Int128 magnitude = (Int128)mantissa << shift;
            units += bits < 0 ? -magnitude : magnitude;
        }

        return Math.ScaleB((double)units, -100);
    }

    private static T[] Lanes<T>(Vector512<T> v) => Enumerable.Range(0, Vector512<T>.Count).Select(i => v.GetElement(i)).ToArray();

    private static T[] Lanes<T>(Vector256<T> v) => Enumerable.Range(0, Vector256<T>.Count).Select(i => v.GetElement(i)).ToArray();

    private static T[] Lanes<T>(Vector128<T> v) => Enumerable.Range(0, Vector128<T>.Count).Select(i => v.GetElement(i)).ToArray();

    // ---- log1p, sigmoid and softplus: the words of the softmax variants ----

    /// <summary>The float forms of a word on every width this machine runs (none without hardware intrinsics).</summary>
    private static (string Name, Func<float, float> Word)[] FloatWords(string word) => new (string, Func<float, float>)[]
    {
        ("VectorMath512", x => word switch { "Log1p" => VectorMath512.Log1p(Vector512.Create(x)).ToScalar(), "Sigmoid" => VectorMath512.Sigmoid(Vector512.Create(x)).ToScalar(), _ => VectorMath512.Softplus(Vector512.Create(x)).ToScalar() }),
        ("VectorMath256", x => word switch { "Log1p" => VectorMath256.Log1p(Vector256.Create(x)).ToScalar(), "Sigmoid" => VectorMath256.Sigmoid(Vector256.Create(x)).ToScalar(), _ => VectorMath256.Softplus(Vector256.Create(x)).ToScalar() }),
        ("VectorMath128", x => word switch { "Log1p" => VectorMath128.Log1p(Vector128.Create(x)).ToScalar(), "Sigmoid" => VectorMath128.Sigmoid(Vector128.Create(x)).ToScalar(), _ => VectorMath128.Softplus(Vector128.Create(x)).ToScalar() }),
    }.Where(static w => Harness.IsSupported(w.Item1 switch { "VectorMath512" => "Avx512", "VectorMath256" => "Avx2", _ => "Vector128" })).ToArray();

    private static (string Name, Func<double, double> Word)[] DoubleWords(string word) => new (string, Func<double, double>)[]
    {
        ("VectorMath512", x => word switch { "Log1p" => VectorMath512.Log1p(Vector512.Create(x)).ToScalar(), "Sigmoid" => VectorMath512.Sigmoid(Vector512.Create(x)).ToScalar(), _ => VectorMath512.Softplus(Vector512.Create(x)).ToScalar() }),
        ("VectorMath256", x => word switch { "Log1p" => VectorMath256.Log1p(Vector256.Create(x)).ToScalar(), "Sigmoid" => VectorMath256.Sigmoid(Vector256.Create(x)).ToScalar(), _ => VectorMath256.Softplus(Vector256.Create(x)).ToScalar() }),
        ("VectorMath128", x => word switch { "Log1p" => VectorMath128.Log1p(Vector128.Create(x)).ToScalar(), "Sigmoid" => VectorMath128.Sigmoid(Vector128.Create(x)).ToScalar(), _ => VectorMath128.Softplus(Vector128.Create(x)).ToScalar() }),
    }.Where(static w => Harness.IsSupported(w.Item1 switch { "VectorMath512" => "Avx512", "VectorMath256" => "Avx2", _ => "Vector128" })).ToArray();

    /// <summary>
    /// log(1 + t), t ≥ 0, independent of the words: for t ≤ 1, 2·atanh(w) with w = t/(2 + t) ≤ 1/3, as 2w + 2w·T with the
    /// series' tail T = Σ w^{2k}/(2k + 1) summed smallest first (T ≤ 0.04, so its roundings are damped); above, Math.Log(1 + t),
    /// whose rounding of 1 + t costs at most half an ulp of a result ≥ log 2.
    /// </summary>
    private static double ExactLog1p(double t)
    {
        if (t > 1)
        {
            return Math.Log(1 + t);
        }

        double w = t / (2 + t), w2 = w * w, tail = 0;
        for (int k = 40; k >= 1; k--)
        {
            tail = (tail * w2) + (w2 / ((2 * k) + 1));
        }

        return Math.FusedMultiplyAdd(2 * w, tail, 2 * w);
    }

    private static double ExactWord(string word, double x) => word switch
    {
        "Log1p" => ExactLog1p(x),
        "Sigmoid" => 1 / (1 + Math.Exp(-x)),
        _ => Math.Max(x, 0) + ExactLog1p(Math.Exp(-Math.Abs(x))),
    };

    // Float inputs of each word's domain, sampled by bit pattern (every 4099th float): log1p over [0, float.MaxValue],
    // sigmoid and softplus over [−87, 88] (below, e^x is subnormal in float and the words may flush it).
    private static System.Collections.Generic.IEnumerable<float> FloatSamples(string word)
    {
        if (word == "Log1p")
        {
            for (int bits = 0; bits < 0x7f800000; bits += 4099)
            {
                yield return BitConverter.Int32BitsToSingle(bits);
            }

            yield break;
        }

        for (int bits = 0; bits < 0x42b00000; bits += 4099)
        {
            float v = BitConverter.Int32BitsToSingle(bits);
            yield return v;
            if (v <= 87f)
            {
                yield return -v;
            }
        }
    }

    [Theory]
    [InlineData("Log1p", 2.0, 3.0)]
    [InlineData("Sigmoid", 4.0, 4.0)]
    [InlineData("Softplus", 4.0, 6.0)]
    public void Log1pSigmoidAndSoftplusAreWithinTheirUlpBounds(string word, double bound, double doubleBound)
    {
        // Float: ulp of the float result; double: 300 000 inputs (log-uniform magnitudes, and uniform in the busy range).
        // σ and softplus take e^(−|x|) from the width's exp; the AVX-512 one may add |x|/25 ulp (its one-constant
        // reduction, docs/accuracy.md), so its float error is counted net of that.
        double worstFloat = 0, worstDouble = 0;
        float worstFloatAt = 0;
        double worstDoubleAt = 0;
        foreach ((string name, Func<float, float> f) in FloatWords(word))
        {
            foreach (float x in FloatSamples(word))
            {
                double exact = ExactWord(word, x);
                double ulp = Math.Max(Math.ScaleB(1.0, Math.ILogB((float)exact) - 23), Math.ScaleB(1.0, -149));
                double argument = name == "VectorMath512" && word != "Log1p" ? Math.Abs(x) / ExpSweep.ArgumentUlpDivisor : 0;
                double error = (Math.Abs(f(x) - exact) / ulp) - argument;
                if (!(error <= worstFloat))
                {
                    worstFloat = error;
                    worstFloatAt = x;
                }
            }
        }

        var random = new Random(7);
        double[] doubles = Enumerable.Range(0, 100_000).Select(_ => Math.Pow(10, (random.NextDouble() * 600) - 300))
            .Concat(Enumerable.Range(0, 100_000).Select(_ => random.NextDouble() * 4))
            .Concat(Enumerable.Range(0, 100_000).Select(_ => (random.NextDouble() * 1400) - 700))
            .Select(x => word == "Log1p" ? Math.Abs(x) : x).ToArray();
        foreach ((string name, Func<double, double> f) in DoubleWords(word))
        {
            foreach (double x in doubles)
            {
                double exact = ExactWord(word, x);
                if (exact < Math.ScaleB(1.0, -1022))
                {
                    continue;
                }

                double error = Math.Abs(f(x) - exact) / Math.ScaleB(1.0, Math.ILogB(exact) - 52);
                if (!(error <= worstDouble))
                {
                    worstDouble = error;
                    worstDoubleAt = x;
                }
            }
        }

        Console.WriteLine($"{word}: float {worstFloat:F3} ulp at {worstFloatAt:R}, double {worstDouble:F3} ulp at {worstDoubleAt:R}");
        Assert.True(worstFloat <= bound, $"{word}: float {worstFloat} ulp at {worstFloatAt:R}");
        Assert.True(worstDouble <= doubleBound, $"{word}: double {worstDouble} ulp at {worstDoubleAt:R}");
    }

    [Fact]
    public void Log1pSigmoidAndSoftplusHandleTheEdges()
    {
        foreach ((string name, Func<float, float> log1p) in FloatWords("Log1p"))
        {
            Assert.Equal(0f, log1p(0f));
            Assert.Equal(1e-30f, log1p(1e-30f));
            Assert.Equal(float.PositiveInfinity, log1p(float.PositiveInfinity));
            Assert.True(float.IsNaN(log1p(float.NaN)), name);
            Assert.True(float.IsFinite(log1p(float.MaxValue)), name);
        }

        foreach ((string name, Func<float, float> sigmoid) in FloatWords("Sigmoid"))
        {
            Assert.Equal(0.5f, sigmoid(0f));
            Assert.Equal(1f, sigmoid(float.PositiveInfinity));
            Assert.Equal(0f, sigmoid(float.NegativeInfinity));
            Assert.Equal(1f, sigmoid(100f));
            Assert.True(float.IsNaN(sigmoid(float.NaN)), name);
        }

        foreach ((string name, Func<float, float> softplus) in FloatWords("Softplus"))
        {
            Assert.Equal(float.PositiveInfinity, softplus(float.PositiveInfinity));
            Assert.Equal(0f, softplus(float.NegativeInfinity));
            Assert.Equal(1e30f, softplus(1e30f));
            Assert.True(float.IsNaN(softplus(float.NaN)), name);
        }

        foreach ((string name, Func<double, double> softplus) in DoubleWords("Softplus"))
        {
            Assert.Equal(double.PositiveInfinity, softplus(double.PositiveInfinity));
            Assert.Equal(0.0, softplus(double.NegativeInfinity));
            Assert.True(double.IsNaN(softplus(double.NaN)), name);
            Assert.Equal(Math.Log(2), softplus(0), 15);
        }
    }

    [Fact]
    public void ScalarMathMatchesTheIndependentForms()
    {
        var random = new Random(8);
        foreach (double x in Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 1400) - 700).Append(0).Append(1e-300))
        {
            foreach (string word in new[] { "Sigmoid", "Softplus" })
            {
                double exact = ExactWord(word, x);
                double actual = word == "Sigmoid" ? ScalarMath.Sigmoid(x) : ScalarMath.Softplus(x);
                Assert.True(Math.Abs(actual - exact) <= 4 * Math.ScaleB(1.0, Math.ILogB(exact) - 52) + double.Epsilon, $"{word}({x:R}) = {actual:R}, expected {exact:R}");
            }

            double t = Math.Abs(x) * (random.NextDouble() < 0.5 ? 1e-12 : 1);
            Assert.True(Math.Abs(ScalarMath.Log1p(t) - ExactLog1p(t)) <= 4 * Math.ScaleB(1.0, Math.ILogB(ExactLog1p(t)) - 52) + double.Epsilon, $"log1p({t:R})");
        }

        Assert.True(double.IsNaN(ScalarMath.Softplus(double.NaN)));
        Assert.Equal(double.PositiveInfinity, ScalarMath.Log1p(double.PositiveInfinity));
    }

    private static Func<float, float>[] FloatExps() => new Func<float, float>[]
    {
        x => VectorMath512.IsSupported ? VectorMath512.ExpNonPositive(Vector512.Create(x)).ToScalar() : MathF.Exp(x),
        x => VectorMath256.IsSupported ? VectorMath256.ExpNonPositive(Vector256.Create(x)).ToScalar() : MathF.Exp(x),
        x => VectorMath128.IsSupported ? VectorMath128.ExpNonPositive(Vector128.Create(x)).ToScalar() : MathF.Exp(x),
    };

    private static (float, float)[] ExtendedExps(float x)
    {
        var results = new System.Collections.Generic.List<(float, float)>();
        if (VectorMath512.IsSupported)
        {
            float m = VectorMath512.ExpExtended(Vector512.Create(x), out Vector512<float> k).ToScalar();
            results.Add((m, k.ToScalar()));
        }

        if (VectorMath256.IsSupported)
        {
            float m = VectorMath256.ExpExtended(Vector256.Create(x), out Vector256<float> k).ToScalar();
            results.Add((m, k.ToScalar()));
        }

        if (VectorMath128.IsSupported && VectorMath128.HasFusedMultiplyAdd)
        {
            float m = VectorMath128.ExpExtended(Vector128.Create(x), out Vector128<float> k).ToScalar();
            results.Add((m, k.ToScalar()));
        }

        return results.ToArray();
    }
}
