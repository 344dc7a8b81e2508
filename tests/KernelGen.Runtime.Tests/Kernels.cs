// The kernels the runtime tests exercise: every algorithm, element type, shape and option that
// changes the emitted code.
using System;

namespace KernelGen.Tests;

/// <summary>Kernels under test; <see cref="KernelCatalog"/> finds them by reflection.</summary>
public static partial class TestKernels
{
    [Softmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void SoftmaxAutoF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void SoftmaxThreePassReloadF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void SoftmaxThreePassRecomputeF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPassF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxOnlineF(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void SoftmaxAutoFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPassFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxOnlineFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void SoftmaxThreePassRecomputeFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Temperature = 0.7)]
    public static partial void SoftmaxThreePassReloadFT07(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void SoftmaxTwoPassFT07(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online, Temperature = 0.7)]
    public static partial void SoftmaxOnlineFT07(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 3)]
    public static partial void SoftmaxTwoPassFT3Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 1)]
    public static partial void SoftmaxFW1Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 7)]
    public static partial void SoftmaxFW7Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 64)]
    public static partial void SoftmaxFW64Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 100)]
    public static partial void SoftmaxFW100Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 1000)]
    public static partial void SoftmaxFW1000Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Width = 100, Temperature = 0.5)]
    public static partial void SoftmaxFW100T05(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Width = 300, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPassFW300Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    // Rows grouped in registers (several rows per step on the vector paths): double, with a tail and a temperature
    // (SoftmaxDW64Rows below: double without them).
    [Softmax(Width = 20, Temperature = 0.5)]
    public static partial void SoftmaxDW20T05Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void SoftmaxAutoD(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void SoftmaxThreePassReloadD(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void SoftmaxThreePassRecomputeD(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPassD(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxOnlineD(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void SoftmaxAutoDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPassDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void SoftmaxOnlineDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void SoftmaxThreePassRecomputeDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Temperature = 0.7)]
    public static partial void SoftmaxThreePassReloadDT07(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void SoftmaxTwoPassDT07(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online, Temperature = 0.7)]
    public static partial void SoftmaxOnlineDT07(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 3)]
    public static partial void SoftmaxTwoPassDT3Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Width = 1)]
    public static partial void SoftmaxDW1Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Width = 7)]
    public static partial void SoftmaxDW7Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Width = 64)]
    public static partial void SoftmaxDW64Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Width = 100)]
    public static partial void SoftmaxDW100Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Width = 1000)]
    public static partial void SoftmaxDW1000Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Width = 100, Temperature = 0.5)]
    public static partial void SoftmaxDW100T05(ReadOnlySpan<double> input, Span<double> output);

    [Softmax(Width = 300, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void SoftmaxTwoPassDW300Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void LogSoftmaxAutoF(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void LogSoftmaxThreePassReloadF(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void LogSoftmaxThreePassRecomputeF(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPassF(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogSoftmaxOnlineF(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void LogSoftmaxAutoFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPassFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogSoftmaxOnlineFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void LogSoftmaxThreePassRecomputeFRows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Temperature = 0.7)]
    public static partial void LogSoftmaxThreePassReloadFT07(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void LogSoftmaxTwoPassFT07(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online, Temperature = 0.7)]
    public static partial void LogSoftmaxOnlineFT07(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 3)]
    public static partial void LogSoftmaxTwoPassFT3Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Width = 1)]
    public static partial void LogSoftmaxFW1Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Width = 7)]
    public static partial void LogSoftmaxFW7Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Width = 64)]
    public static partial void LogSoftmaxFW64Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Width = 100)]
    public static partial void LogSoftmaxFW100Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Width = 1000)]
    public static partial void LogSoftmaxFW1000Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Width = 100, Temperature = 0.5)]
    public static partial void LogSoftmaxFW100T05(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Width = 300, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPassFW300Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void LogSoftmaxAutoD(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]
    public static partial void LogSoftmaxThreePassReloadD(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void LogSoftmaxThreePassRecomputeD(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPassD(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogSoftmaxOnlineD(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Auto)]
    public static partial void LogSoftmaxAutoDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPassDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]
    public static partial void LogSoftmaxOnlineDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]
    public static partial void LogSoftmaxThreePassRecomputeDRows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Temperature = 0.7)]
    public static partial void LogSoftmaxThreePassReloadDT07(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 0.7)]
    public static partial void LogSoftmaxTwoPassDT07(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.Online, Temperature = 0.7)]
    public static partial void LogSoftmaxOnlineDT07(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass, Temperature = 3)]
    public static partial void LogSoftmaxTwoPassDT3Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Width = 1)]
    public static partial void LogSoftmaxDW1Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Width = 7)]
    public static partial void LogSoftmaxDW7Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Width = 64)]
    public static partial void LogSoftmaxDW64Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Width = 100)]
    public static partial void LogSoftmaxDW100Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Width = 1000)]
    public static partial void LogSoftmaxDW1000Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [LogSoftmax(Width = 100, Temperature = 0.5)]
    public static partial void LogSoftmaxDW100T05(ReadOnlySpan<double> input, Span<double> output);

    [LogSoftmax(Width = 300, Algorithm = SoftmaxAlgorithm.TwoPass)]
    public static partial void LogSoftmaxTwoPassDW300Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 1)]
    public static partial void SoftmaxThreePassReloadFU1(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 1)]
    public static partial void SoftmaxTwoPassFU1(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online, Unroll = 1)]
    public static partial void SoftmaxOnlineFU1(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute, Unroll = 1)]
    public static partial void LogSoftmaxThreePassRecomputeFU1(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 3)]
    public static partial void SoftmaxThreePassReloadFU3(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 3)]
    public static partial void SoftmaxTwoPassFU3(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online, Unroll = 3)]
    public static partial void SoftmaxOnlineFU3(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute, Unroll = 3)]
    public static partial void LogSoftmaxThreePassRecomputeFU3(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 8)]
    public static partial void SoftmaxThreePassReloadFU8(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.TwoPass, Unroll = 8)]
    public static partial void SoftmaxTwoPassFU8(ReadOnlySpan<float> input, Span<float> output);

    [Softmax(Algorithm = SoftmaxAlgorithm.Online, Unroll = 8)]
    public static partial void SoftmaxOnlineFU8(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute, Unroll = 8)]
    public static partial void LogSoftmaxThreePassRecomputeFU8(ReadOnlySpan<float> input, Span<float> output);

    // Many rows with the options of one-row kernels above: each row must be the bits of that row alone
    // (EquivalenceTests.ManyRowsEqualEachRowAloneBitForBit), whether three rows are in flight or two.
    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Temperature = 0.7)]
    public static partial void SoftmaxThreePassReloadFT07Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Temperature = 0.7)]
    public static partial void LogSoftmaxThreePassReloadDT07Rows(ReadOnlySpan<double> input, Span<double> output, int rowLength);

    [Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload, Unroll = 3)]
    public static partial void SoftmaxThreePassReloadFU3Rows(ReadOnlySpan<float> input, Span<float> output, int rowLength);

    [Softmax(Targets = KernelTargets.Avx2 | KernelTargets.Neon)]
    public static partial void SoftmaxAvx2NeonOnlyF(ReadOnlySpan<float> input, Span<float> output);

    [LogSoftmax(Targets = KernelTargets.Scalar)]
    public static partial void LogSoftmaxScalarOnlyD(ReadOnlySpan<double> input, Span<double> output);

}
