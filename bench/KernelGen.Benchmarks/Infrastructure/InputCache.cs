using System;
using System.Collections.Concurrent;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// The benchmark inputs: logits drawn from N(0, 1)·4 with a fixed seed, the same in every process
/// (the benchmark's child process and the host that measures accuracy see the same numbers), and
/// the normalizations' weight and bias rows, from fixed seeds too.
/// </summary>
public static class InputCache
{
    /// <summary>The seed of the logits.</summary>
    public const int Seed = 20240613;

    /// <summary>The standard deviation of the logits.</summary>
    public const double Scale = 4.0;

    /// <summary>The seed of the normalizations' weights γ (the biases β use the next one).</summary>
    public const int ParameterSeed = Seed + 1;

    private static readonly ConcurrentDictionary<RowShape, float[]> Inputs = new();

    private static readonly ConcurrentDictionary<RowShape, float[]> ResidualInputs = new();

    private static readonly ConcurrentDictionary<RowShape, float[]> BinaryTargetInputs = new();

    private static readonly ConcurrentDictionary<int, float[]> WeightRows = new();

    private static readonly ConcurrentDictionary<int, float[]> BiasRows = new();

    /// <summary>
    /// The logits of a shape. The array is shared by every caller in this process: nothing may
    /// write to it (the accuracy check verifies that no kernel does).
    /// </summary>
    public static float[] Logits(RowShape shape) => Inputs.GetOrAdd(shape, static s => Generate(s.Elements));

    /// <summary>
    /// The residual rows r of the fused residual normalizations (h = x + r) for a shape: N(0,1), from the seed
    /// after the biases'. Shared and read-only, like the logits.
    /// </summary>
    public static float[] Residuals(RowShape shape) => ResidualInputs.GetOrAdd(shape, static s => Generate(s.Elements, 1.0, ParameterSeed + 2));

    /// <summary>
    /// The multi-label targets of the binary losses for a shape, one per logit: 1 with probability 1/16, else 0 (a few
    /// positive labels per row, as multi-label classification has), from the seed after the residuals'. Shared and read-only.
    /// </summary>
    public static float[] BinaryTargets(RowShape shape) => BinaryTargetInputs.GetOrAdd(shape, static s =>
    {
        var random = new Random(ParameterSeed + 3);
        float[] targets = new float[s.Elements];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = random.Next(16) == 0 ? 1f : 0f;
        }

        return targets;
    });

    /// <summary>
    /// The normalizations' weight row γ for rows of <paramref name="rowLength"/>: 1 + N(0,1)/2, as
    /// trained γ look (around 1, some small, a few negative). Shared and read-only, like the logits.
    /// </summary>
    public static float[] Weights(int rowLength) =>
        WeightRows.GetOrAdd(rowLength, static n => Array.ConvertAll(Generate(n, 0.5, ParameterSeed), static w => 1 + w));

    /// <summary>The LayerNorm bias row β for rows of <paramref name="rowLength"/>: N(0,1). Shared and read-only.</summary>
    public static float[] Biases(int rowLength) =>
        BiasRows.GetOrAdd(rowLength, static n => Generate(n, 1.0, ParameterSeed + 1));

    /// <summary>A fresh array of <paramref name="count"/> N(0,1)·4 values from the fixed seed.</summary>
    public static float[] Generate(int count) => Generate(count, Scale, Seed);

    private static float[] Generate(int count, double scale, int seed)
    {
        // System.Random with a seed is the same sequence on every run and machine.
        var random = new Random(seed);
        float[] values = GC.AllocateUninitializedArray<float>(count, pinned: false);
        for (int i = 0; i < count; i += 2)
        {
            // Box–Muller: two independent N(0, 1) values from two uniforms in (0, 1].
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
            values[i] = (float)(scale * radius * cos);
            if (i + 1 < count)
            {
                values[i + 1] = (float)(scale * radius * sin);
            }
        }

        return values;
    }
}
