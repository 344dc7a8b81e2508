using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// The floor of <c>TwoPass</c> over 256 rows of 65 536 floats: its arithmetic alone, without the memory traffic. Every one
/// of the batch's rows is computed from the batch's first input row into its first output row (256 KiB each), which stay in
/// the 1 MiB L2 from call to call, so the method runs the batch's instructions with every operand in cache. No kernel with
/// <c>TwoPass</c>'s arithmetic runs the batch faster, however it schedules its memory traffic; <c>--ratios</c> puts
/// <see cref="SoftmaxAlgorithms.Avx512_ThreePassReload"/>'s time over this one as the most <c>TwoPass</c> can gain on
/// <c>ThreePassReload</c> at that shape (a "ceiling" row). Not a kernel benchmark: its output is one row, so it carries no
/// accuracy or bandwidth metadata.
/// </summary>
public class SoftmaxTwoPassFloor : SoftmaxBenchmark
{
    protected override IReadOnlyList<string> OfferedShapes => ["256x65536"];

    /// <summary>The AVX-512 <c>TwoPass</c> kernel called once per row of the batch, always on the first row.</summary>
    [Benchmark]
    public void Avx512_TwoPass_OneRowInL2()
    {
        int n = this.RowLength;
        ReadOnlySpan<float> row = this.Input.AsSpan(0, n);
        Span<float> output = this.Output.AsSpan(0, n);
        for (int r = 0; r < this.RowShape.Rows; r++)
        {
            BenchKernels.SoftmaxTwoPassPaths.Avx512(row, output, n);
        }
    }
}
