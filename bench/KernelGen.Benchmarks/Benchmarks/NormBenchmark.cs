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

    /// <summary>The residual rows r of the fused residual methods (64-byte aligned, read-only; created by <see cref="SetupResidual"/>).</summary>
    public ArraySegment<float> Residual { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>The second output h = x + r of the fused residual methods (64-byte aligned; created by <see cref="SetupResidual"/>).</summary>
    public ArraySegment<float> Sum { get; private set; } = ArraySegment<float>.Empty;

    /// <inheritdoc/>
    public override ArraySegment<float> SecondInput => this.Residual;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => BenchShapes.Normalizations;

    /// <summary>Creates the input, the output and the parameter rows.</summary>
    public override void Setup()
    {
        base.Setup();
        this.Weight = AlignedArray.CopyOf(InputCache.Weights(this.RowLength));
        this.Bias = AlignedArray.CopyOf(InputCache.Biases(this.RowLength));
    }

    /// <summary>Creates what <see cref="Setup"/> does, and the residual rows r and the sum h of the fused residual methods.</summary>
    public void SetupResidual()
    {
        this.Setup();
        this.Residual = AlignedArray.CopyOf(InputCache.Residuals(this.RowShape));
        this.Sum = AlignedArray.Create(this.Input.Count);
    }
}
