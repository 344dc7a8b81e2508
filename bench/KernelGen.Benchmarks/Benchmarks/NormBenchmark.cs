using System;
using System.Collections.Generic;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks;

/// <summary>
/// The base of the normalization classes: the logits of <see cref="RowBenchmark"/> as the input, and the
/// per-column weight row γ (1 + N(0,1)/2) and bias row β (N(0,1)) over the normalizations' shapes.
/// </summary>
public abstract class NormBenchmark : RowBenchmark
{
    /// <summary>The weight row γ (64-byte aligned, read-only).</summary>
    public ArraySegment<float> Weight { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>The bias row β (64-byte aligned, read-only; RmsNorm does not use it).</summary>
    public ArraySegment<float> Bias { get; private set; } = ArraySegment<float>.Empty;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => BenchShapes.Normalizations;

    /// <summary>Creates the input, the output and the parameter rows.</summary>
    public override void Setup()
    {
        base.Setup();
        this.Weight = AlignedArray.CopyOf(InputCache.Weights(this.RowLength));
        this.Bias = AlignedArray.CopyOf(InputCache.Biases(this.RowLength));
    }
}
