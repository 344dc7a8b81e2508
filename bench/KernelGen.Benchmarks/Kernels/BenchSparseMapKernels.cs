using System;

namespace KernelGen.Benchmarks.Kernels;

/// <summary>The sparse maps under test ([Sparsemax], [Entmax15]), many rows, float, every path.</summary>
public static partial class BenchSparseMapKernels
{
    [Sparsemax]
    public static partial void Sparsemax(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Entmax15]
    public static partial void Entmax15(ReadOnlySpan<float> input, Span<float> output, int rowLength);
}
