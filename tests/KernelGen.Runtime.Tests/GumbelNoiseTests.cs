using System;
using System.Linq;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

/// <summary>The runtime's counter-based Gumbel noise: its documented sequence, its range, its distribution and its determinism.</summary>
public class GumbelNoiseTests
{
    [Fact]
    public void HashIsTheSplitMix64Sequence()
    {
        // splitmix64 from state 0, stepped by its authors' recipe: the published first outputs.
        Assert.Equal(0xE220A8397B1DCDAFUL, GumbelNoise.Hash(0, 0));
        Assert.Equal(0x6E789E6AA1B965F4UL, GumbelNoise.Hash(0, 1));
        Assert.Equal(0x06C45D188009454FUL, GumbelNoise.Hash(0, 2));

        // And from any seed: the state advances by γ per index, so (seed, i + 1) is (seed + γ, i).
        ulong seed = 0xDEADBEEFUL;
        for (long i = 0; i < 100; i++)
        {
            Assert.Equal(GumbelNoise.Hash(unchecked(seed + GumbelNoise.Gamma), i), GumbelNoise.Hash(seed, i + 1));
        }
    }

    [Fact]
    public void UniformSamplesAreStrictlyInsideTheUnitIntervalAndExact()
    {
        for (long i = 0; i < 10000; i++)
        {
            double u24 = GumbelNoise.Uniform24(42, i), u52 = GumbelNoise.Uniform52(42, i);
            Assert.InRange(u24, Math.ScaleB(1.0, -25), 1 - Math.ScaleB(1.0, -25));
            Assert.InRange(u52, Math.ScaleB(1.0, -53), 1 - Math.ScaleB(1.0, -53));
            Assert.Equal(((GumbelNoise.Hash(42, i) >> 40) * 2) + 1, (ulong)Math.ScaleB(u24, 25));    // (k + ½)·2⁻²⁴ exactly
            Assert.Equal(((GumbelNoise.Hash(42, i) >> 12) * 2) + 1, (ulong)Math.ScaleB(u52, 53));
        }

        // The extremes stay finite after the transform.
        Assert.True(double.IsFinite(GumbelNoise.FromUniform(Math.ScaleB(1.0, -53))));
        Assert.True(double.IsFinite(GumbelNoise.FromUniform(1 - Math.ScaleB(1.0, -53))));
    }

    [Fact]
    public void UniformSamplesAreUniform()
    {
        // 20 bins of 200 000 samples: each count within 5 standard deviations of 10 000.
        const int Count = 200_000, Bins = 20;
        foreach (Func<long, double> uniform in new Func<long, double>[] { i => GumbelNoise.Uniform24(7, i), i => GumbelNoise.Uniform52(7, i) })
        {
            var counts = new int[Bins];
            for (long i = 0; i < Count; i++)
            {
                counts[(int)(uniform(i) * Bins)]++;
            }

            double expected = Count / (double)Bins, sd = Math.Sqrt(Count * (1.0 / Bins) * (1 - (1.0 / Bins)));
            Assert.All(counts, c => Assert.InRange(c, expected - (5 * sd), expected + (5 * sd)));
        }
    }

    [Fact]
    public void GumbelSamplesHaveTheGumbelMeanAndVariance()
    {
        // Standard Gumbel: mean γ_E = 0.5772..., variance π²/6.
        const int Count = 200_000;
        double[] g = Enumerable.Range(0, Count).Select(i => GumbelNoise.Sample52(123, i)).ToArray();
        double mean = g.Average(), variance = g.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, 0.5772156649 - 0.015, 0.5772156649 + 0.015);
        Assert.InRange(variance, (Math.PI * Math.PI / 6) - 0.05, (Math.PI * Math.PI / 6) + 0.05);
        Assert.Equal(GumbelNoise.FromUniform(GumbelNoise.Uniform24(5, 9)), GumbelNoise.Sample24(5, 9));
    }

    [Fact]
    public void FromUniformAtTheEnds()
    {
        Assert.Equal(double.NegativeInfinity, GumbelNoise.FromUniform(0));
        Assert.Equal(double.PositiveInfinity, GumbelNoise.FromUniform(1));
        Assert.True(double.IsNaN(GumbelNoise.FromUniform(1.5)));
        Assert.True(double.IsNaN(GumbelNoise.FromUniform(-0.5)));
        Assert.Equal(-Math.Log(-Math.Log(0.25)), GumbelNoise.FromUniform(0.25));
    }
}
