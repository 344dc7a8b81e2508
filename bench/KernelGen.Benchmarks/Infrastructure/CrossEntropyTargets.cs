using System;
using System.Collections.Concurrent;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// The cross-entropy benchmarks' class targets: one per row, uniform over the classes from a fixed seed
/// (the same in every process, like the logits), and every 16th row (rows 15, 31, 47, ...) set to the
/// ignore index, so that the kernels and the peers exercise their ignore handling and divide by the
/// rows that count. The kernels, the ONNX model and the double reference all read <see cref="IgnoreIndex"/> here.
/// </summary>
public static class CrossEntropyTargets
{
    /// <summary>The ignore index (PyTorch's and the <c>[CrossEntropy]</c> default).</summary>
    public const int IgnoreIndex = -100;

    /// <summary>Every this many rows, the last one is ignored.</summary>
    public const int IgnoredRowPeriod = 16;

    /// <summary>The seed of the targets.</summary>
    public const int Seed = InputCache.Seed + 3;

    private static readonly ConcurrentDictionary<RowShape, int[]> Cache = new();

    /// <summary>
    /// The targets of a shape (<see cref="RowShape.Rows"/> of them, classes in [0, row length)). Shared by
    /// every caller in this process: nothing may write to it.
    /// </summary>
    public static int[] Of(RowShape shape) => Cache.GetOrAdd(shape, static s => Generate(s.Rows, s.RowLength));

    /// <summary>The number of rows whose target is not <see cref="IgnoreIndex"/>.</summary>
    public static int Counted(ReadOnlySpan<int> targets)
    {
        int counted = 0;
        foreach (int target in targets)
        {
            counted += target != IgnoreIndex ? 1 : 0;
        }

        return counted;
    }

    private static int[] Generate(int rows, int classes)
    {
        var random = new Random(Seed);
        int[] targets = new int[rows];
        for (int row = 0; row < rows; row++)
        {
            int target = random.Next(classes);
            targets[row] = row % IgnoredRowPeriod == IgnoredRowPeriod - 1 ? IgnoreIndex : target;
        }

        return targets;
    }
}
