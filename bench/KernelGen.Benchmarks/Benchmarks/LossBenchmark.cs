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
}
