// The [GroupNorm] kernels the runtime tests exercise: element types × shapes × the options that change the
// emitted code or the signature (Affine, Groups = 1 and Groups = Channels, Width, Unroll).
using System;

namespace KernelGen.Tests;

/// <summary>GroupNorm kernels under test; <see cref="GroupNormTests"/> finds them by reflection.</summary>
public static partial class GroupNormKernels
{
    [GroupNorm(Groups = 4, Channels = 8)]
    public static partial void GroupNormF(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

    [GroupNorm(Groups = 2, Channels = 6)]
    public static partial void GroupNormFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

    [GroupNorm(Groups = 1, Channels = 3)]
    public static partial void GroupNormLayerD(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output);

    [GroupNorm(Groups = 8, Channels = 16, Unroll = 3)]
    public static partial void GroupNormDU3Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength);

    [GroupNorm(Groups = 5, Channels = 5, Affine = false, Unroll = 1)]
    public static partial void InstanceNormPlainFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [GroupNorm(Groups = 4, Channels = 8, Width = 8 * 49, Epsilon = 1e-6)]
    public static partial void GroupNormFW392Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);
}
