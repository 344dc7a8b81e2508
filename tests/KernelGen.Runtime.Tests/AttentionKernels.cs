// The attention-option kernels of [Softmax] and [LogSoftmax] the runtime tests exercise: each option alone and
// in combinations, on every algorithm, float and double, one row and many rows, a Width in registers and in a loop.
using System;

namespace KernelGen.Tests;

/// <summary>Attention softmax kernels under test; <see cref="AttentionCatalog"/> finds them by reflection.</summary>
public static partial class AttentionKernels
{
    // Scale alone folds into the temperature (no transform): the plain passes.
    [Softmax(Scale = 0.125)]
    public static partial void ScaleF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Scale = 0.125, Temperature = 0.5, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void ScaleTemperatureTwoPassFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Mask = true)]
    public static partial void MaskF(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output);

    [Softmax(Mask = true, Scale = 0.125)]
    public static partial void MaskScaleFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength);

    [Softmax(Mask = true, Scale = 0.125, Temperature = 2, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void MaskScaleOnlineDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, Span<double> output, int rowLength);

    [Softmax(Mask = true, Softcap = 30, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void MaskSoftcapTwoPassFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength);

    [Softmax(Mask = true, Algorithm = SoftmaxAlgorithm.ThreePassRecompute, Unroll = 3)]
    public static partial void MaskRecomputeU3D(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, Span<double> output);

    [Softmax(Softcap = 5, Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void SoftcapRecomputeF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Softcap = 5, Scale = 2, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftcapOnlineDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Softcap = 5, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftcapTwoPassF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Sink = true)]
    public static partial void SinkF(ReadOnlySpan<float> input, float sink, Span<float> output);

    [Softmax(Sink = true, Mask = true, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void MaskSinkTwoPassDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, double sink, Span<double> output, int rowLength);

    [Softmax(Sink = true, Scale = 0.5, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SinkOnlineFRows(ReadOnlySpan<float> input, float sink, Span<float> output, int rowLength);

    [Softmax(MaskedRowsAreZero = true)]
    public static partial void MaskedZeroFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(MaskedRowsAreZero = true, Mask = true, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void MaskZeroOnlineFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength);

    [Softmax(MaskedRowsAreZero = true, Mask = true, Sink = true, Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void MaskSinkZeroReloadDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, double sink, Span<double> output, int rowLength);

    [Softmax(Mask = true, Width = 64, Softcap = 10, Sink = true, MaskedRowsAreZero = true)]
    public static partial void MaskSoftcapSinkFW64Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, float sink, Span<float> output, int rowLength);

    [Softmax(Mask = true, Width = 7, Softcap = 3)]
    public static partial void MaskSoftcapDW7Rows(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, Span<double> output, int rowLength);

    [Softmax(Softcap = 3, Width = 13)]
    public static partial void SoftcapFW13Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Mask = true, Scale = 0.125, Width = 1000)]
    public static partial void MaskScaleFW1000(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output);

    [Softmax(Causal = true)]
    public static partial void CausalFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength, int rowsPerHead);

    [Softmax(Causal = true, CausalOffset = 2, Mask = true, MaskedRowsAreZero = true, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void CausalMaskZeroOnlineFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength, int rowsPerHead);

    [Softmax(Causal = true, CausalOffset = -1, Algorithm = SoftmaxAlgorithm.TwoPass, Scale = 0.25)]
    public static partial void CausalBeforeTwoPassDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength, int rowsPerHead);

    [Softmax(Causal = true, Sink = true, Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void CausalSinkRecomputeFRows(ReadOnlySpan<float> input, float sink, Span<float> output, int rowLength, int rowsPerHead);

    [Softmax(Mask = true, MaxBias = 8, Heads = 12)]
    public static partial void AlibiFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength, int rowsPerHead);

    [Softmax(Mask = true, MaxBias = 8, Heads = 6, Causal = true, Sink = true, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void AlibiCausalSinkTwoPassDRows(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, double sink, Span<double> output, int rowLength, int rowsPerHead);

    [LogSoftmax(Scale = 0.125)]
    public static partial void LogScaleD(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Mask = true, Scale = 0.125)]
    public static partial void LogMaskScaleF(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output);

    [LogSoftmax(Mask = true, Sink = true, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogMaskSinkTwoPassFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, float sink, Span<float> output, int rowLength);

    [LogSoftmax(Softcap = 5, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogSoftcapOnlineDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Causal = true, MaskedRowsAreZero = true, CausalOffset = -2, Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void LogCausalZeroRecomputeFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength, int rowsPerHead);

    [LogSoftmax(Mask = true, Width = 16, Sink = true)]
    public static partial void LogMaskSinkFW16Rows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, float sink, Span<float> output, int rowLength);

    [LogSoftmax(MaskedRowsAreZero = true)]
    public static partial void LogMaskedZeroDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Mask = true, MaxBias = 8, Heads = 4, Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogAlibiOnlineFRows(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength, int rowsPerHead);
}
