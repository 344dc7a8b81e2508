using System;
using System.Collections.Concurrent;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// The benchmark inputs: logits drawn from N(0, 1)·4 with a fixed seed, the same in every process
/// (the benchmark's child process and the host that measures accuracy see the same numbers).
/// </summary>
public static class InputCache
{
    /// <summary>The seed of every input.</summary>
    public const int Seed = 20240613;

    /// <summary>The standard deviation of the logits.</summary>
    public const double Scale = 4.0;

    private static readonly ConcurrentDictionary<RowShape, float[]> Inputs = new();

    /// <summary>
    /// The logits of a shape. The array is shared by every caller in this process: nothing may
    /// write to it (the accuracy check verifies that no kernel does).
    /// </summary>
    public static float[] Logits(RowShape shape) => Inputs.GetOrAdd(shape, static s => Generate(s.Elements));

    /// <summary>A fresh array of <paramref name="count"/> N(0,1)·4 values from the fixed seed.</summary>
    public static float[] Generate(int count)
    {
        // System.Random with a seed is the same sequence on every run and machine.
        var random = new Random(Seed);
        float[] values = GC.AllocateUninitializedArray<float>(count, pinned: false);
        for (int i = 0; i < count; i += 2)
        {
            // Box–Muller: two independent N(0, 1) values from two uniforms in (0, 1].
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
            values[i] = (float)(Scale * radius * cos);
            if (i + 1 < count)
            {
                values[i + 1] = (float)(Scale * radius * sin);
            }
        }

        return values;
    }
}
