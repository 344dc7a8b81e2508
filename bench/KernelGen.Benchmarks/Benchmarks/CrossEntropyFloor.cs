using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The floor of the fused cross-entropy forward + gradient over 1024 rows of 32 000 float logits: its arithmetic alone,
/// without the memory traffic. Every one of the batch's rows is computed from the batch's first row into the first row of
/// the gradient (125 KiB each), which stay in the 1 MiB L2 from call to call: the AVX-512 kernel's three passes per row
/// (the maximum; e = exp(z − m) stored and summed; the gradient scaled), one exp per element, as the pipeline does them for
/// the real batch. No kernel with that arithmetic runs the batch faster, however it overlaps its memory traffic with it;
/// <c>--ratios</c> puts <see cref="CrossEntropyBenchmarks.TensorPrimitives_ForwardGradient"/>'s time over this one as the
/// most such a kernel can gain on TensorPrimitives (a "ceiling" row, beside the streaming copy's). Not a kernel benchmark:
/// it writes one row, so it carries no accuracy or bandwidth metadata.
/// </summary>
public class CrossEntropyFloor : LossBenchmark
{
    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => ["1024x32000"];

    /// <summary>The AVX-512 forward + gradient kernel called once per row of the batch, always on the first row (whose target counts).</summary>
    /// <returns>The last call's loss (the first row's).</returns>
    [Benchmark]
    public float Avx512_ForwardGradient_OneRowInL2()
    {
        int n = this.RowLength;
        ReadOnlySpan<float> row = this.Input.AsSpan(0, n);
        ReadOnlySpan<int> target = this.Targets.AsSpan(0, 1);
        Span<float> gradient = this.Output.AsSpan(0, n);
        float loss = 0;
        for (int r = 0; r < this.RowShape.Rows; r++)
        {
            loss = BenchKernels.CrossEntropyMeanGradientPaths.Avx512(row, target, gradient);
        }

        return loss;
    }
}
