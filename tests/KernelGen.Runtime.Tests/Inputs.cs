using System;

namespace KernelGen.Tests;

/// <summary>The input families of testing.md §4, made in double with a fixed seed.</summary>
public static class Inputs
{
    public static readonly string[] Distributions =
    {
        "Normal", "Uniform100", "Overflow90", "Outlier", "Masked", "SignedZeros", "Subnormal", "NearLimits", "Wide1e4",
    };

    public static double[] Make(string distribution, int length, int seed)
    {
        var random = new Random(seed);
        var x = new double[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = distribution switch
            {
                "Normal" => Normal(random),
                "Uniform100" => (random.NextDouble() * 200) - 100,
                "Overflow90" => 90 + (random.NextDouble() * 10),     // plain exp(x) overflows float (XNNPACK's trap)
                "Outlier" => Normal(random),
                "Masked" => random.NextDouble() < 0.3 ? double.NegativeInfinity : Normal(random) * 3,
                "SignedZeros" => random.Next(2) == 0 ? 0.0 : -0.0,
                "Subnormal" => (random.NextDouble() - 0.5) * 1e-40,
                "NearLimits" => new[] { 88.7, -87.3, -103.0, 88.72, -87.34, 0, -88.7, 89.0, -104.5 }[random.Next(9)] + (random.NextDouble() * 1e-3),
                "Wide1e4" => (random.NextDouble() * 2e4) - 1e4,
                _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
            };
        }

        if (distribution == "Outlier" && length > 0)
        {
            x[random.Next(length)] = 1e4;
        }

        if (distribution == "Masked" && length > 0)
        {
            x[random.Next(length)] = Normal(random);     // at least one finite entry
        }

        return x;
    }

    public static double Normal(Random random)
    {
        double u = 1.0 - random.NextDouble();
        double v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>True for the arm64-under-emulation run, which must stay within a few minutes.</summary>
    public static bool SmallScale => Environment.GetEnvironmentVariable("KERNELGEN_TEST_SCALE") == "small";
}
