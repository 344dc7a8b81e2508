using System;
using System.Collections.Generic;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks;

/// <summary>
/// The base of the loss classes: the logits of <see cref="RowBenchmark"/> as the input (one row per token,
/// one column per class), one class target per row (<see cref="CrossEntropyTargets"/>: fixed-seed uniform
/// classes, every 16th row ignored), and <see cref="RowBenchmark.Output"/> as the gradient of the methods
/// that write one. Every benchmark method returns the mean loss (a float), which BenchmarkDotNet consumes
/// and the accuracy check compares with the double reference.
/// </summary>
public abstract class LossBenchmark : RowBenchmark
{
    /// <summary>The class targets, one per row (64-byte aligned, read-only).</summary>
    public ArraySegment<int> Targets { get; private set; } = ArraySegment<int>.Empty;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => BenchShapes.CrossEntropy;

    /// <summary>Creates the logits, the gradient buffer and the targets.</summary>
    public override void Setup()
    {
        base.Setup();
        this.Targets = AlignedArray.CopyOf<int>(CrossEntropyTargets.Of(this.RowShape));
    }

    /// <summary>One row of a composition with the gradient: writes the row's gradient (scaled by <c>scale</c>) and returns its loss.</summary>
    /// <param name="z">The row's logits.</param>
    /// <param name="target">The row's target (not the ignore index).</param>
    /// <param name="gradient">The row's gradient.</param>
    /// <param name="scale">1/(rows that count): the mean's factor, for the gradient.</param>
    protected delegate double GradientRow(ReadOnlySpan<float> z, int target, Span<float> gradient, double scale);

    /// <summary>
    /// The row loop of the peers that compute the mean loss and its gradient row by row: ignored rows get a cleared gradient,
    /// the others <paramref name="row"/> (a static lambda: nothing is allocated per call); returns the mean of their losses.
    /// </summary>
    protected float MeanWithGradient(GradientRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ReadOnlySpan<float> logits = this.Input;
        ReadOnlySpan<int> targets = this.Targets;
        Span<float> gradient = this.Output;
        int n = this.RowLength;
        int counted = CrossEntropyTargets.Counted(targets);
        double scale = 1.0 / counted;
        double total = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            int target = targets[r];
            Span<float> g = gradient.Slice(r * n, n);
            if (target == CrossEntropyTargets.IgnoreIndex)
            {
                g.Clear();
                continue;
            }

            total += row(logits.Slice(r * n, n), target, g, scale);
        }

        return (float)(total / counted);
    }
}
