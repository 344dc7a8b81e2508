using System;
using System.Linq;
using System.Runtime.Intrinsics;
using KernelGen.Accuracy;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

/// <summary>The runtime words, tested once: exp accuracy per width, the extended exp, 2ⁿ scaling, reductions and tails.</summary>
public class VectorMathTests
{
    /// <summary>The float exps this machine (under the current runtime switches) runs.</summary>
    public static TheoryData<string> AvailableExps => new(ExpSweep.Names.Where(ExpSweep.IsAvailable));

    [Theory]
    [MemberData(nameof(AvailableExps))]
    public void FloatExpIsWithinTwoUlpOverTheSoftmaxRange(string name)
    {
        // Every 997th float here; the exhaustive sweep (bench/KernelGen.AccuracySweep) gives docs/accuracy.md.
        // Without FMA (the portable path on a machine or configuration without it) the products round twice: 2.27 ulp (exhaustive sweep).
        double bound = name == "VectorMath128.ExpNonPositive" && !VectorMath128.HasFusedMultiplyAdd ? 2.3 : 2.0;
        ExpSweepResult result = ExpSweep.Run(name, stride: Inputs.SmallScale ? 99_991 : 997);
        Assert.True(result.MaxUlp <= bound, $"{name}: {result.MaxUlp} ulp at {result.WorstInput}");
        Assert.True(result.MaxSubnormalUlp <= 1.0, $"{name}: {result.MaxSubnormalUlp} subnormal ulp");
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
