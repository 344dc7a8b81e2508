// The [TopKSoftmax] kernels the runtime tests exercise: each element type, both shapes, Compact, and the options that
// change the emitted code (K, Width, Unroll, Targets).
using System;

namespace KernelGen.Tests;

/// <summary>[TopKSoftmax] kernels under test; <see cref="TopKSoftmaxTests"/> finds them by reflection.</summary>
public static partial class TopKSoftmaxKernels
{
    [TopKSoftmax]
    public static partial void Top2F(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices);

    [TopKSoftmax]
    public static partial void Top2FRows(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength);

    [TopKSoftmax(K = 8)]
    public static partial void Top8DRows(ReadOnlySpan<double> logits, Span<double> weights, Span<int> indices, int rowLength);

    [TopKSoftmax(K = 8, Compact = true)]
    public static partial void Top8CompactFRows(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength);

    [TopKSoftmax(K = 1, Compact = true)]
    public static partial void Top1CompactD(ReadOnlySpan<double> logits, Span<double> weights, Span<int> indices);

    [TopKSoftmax(K = 3, Unroll = 1)]
    public static partial void Top3U1F(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices);

    [TopKSoftmax(K = 4, Width = 64, Unroll = 2)]
    public static partial void Top4W64U2FRows(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength);

    [TopKSoftmax(K = 20, Compact = true)]
    public static partial void Top20CompactD(ReadOnlySpan<double> logits, Span<double> weights, Span<int> indices);

    [TopKSoftmax(K = 2, Targets = KernelTargets.Avx2 | KernelTargets.Vector128)]
    public static partial void Top2Avx2OnlyDRows(ReadOnlySpan<double> logits, Span<double> weights, Span<int> indices, int rowLength);
}
