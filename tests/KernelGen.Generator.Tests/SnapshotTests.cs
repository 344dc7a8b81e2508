using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// One kernel per attribute × option that changes the emitted structure: every generated file is
/// compared with its committed snapshot, and the output compilation must have no error and no
/// warning with C# 12 (the .NET 8 SDK's compiler) and with the latest language version.
/// </summary>
public sealed class SnapshotTests
{
    private const string OneRow = "(ReadOnlySpan<float> input, Span<float> output)";
    private const string OneRowDouble = "(ReadOnlySpan<double> input, Span<double> output)";
    private const string ManyRows = "(ReadOnlySpan<float> input, Span<float> output, int rowLength)";

    // Softmax: every algorithm.
    [Fact] public void Softmax_Auto() => Verify(Kernel("[Softmax]"));

    [Fact] public void Softmax_ThreePassReload() => Verify(Kernel("[Softmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]"));

    [Fact] public void Softmax_ThreePassRecompute() => Verify(Kernel("[Softmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]"));

    [Fact] public void Softmax_TwoPass() => Verify(Kernel("[Softmax(Algorithm = SoftmaxAlgorithm.TwoPass)]"));

    [Fact] public void Softmax_Online() => Verify(Kernel("[Softmax(Algorithm = SoftmaxAlgorithm.Online)]"));

    // LogSoftmax: every algorithm (the output pass differs from softmax's).
    [Fact] public void LogSoftmax_Auto() => Verify(Kernel("[LogSoftmax]"));

    [Fact] public void LogSoftmax_ThreePassReload() => Verify(Kernel("[LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassReload)]"));

    [Fact] public void LogSoftmax_ThreePassRecompute() => Verify(Kernel("[LogSoftmax(Algorithm = SoftmaxAlgorithm.ThreePassRecompute)]"));

    [Fact] public void LogSoftmax_TwoPass() => Verify(Kernel("[LogSoftmax(Algorithm = SoftmaxAlgorithm.TwoPass)]"));

    [Fact] public void LogSoftmax_Online() => Verify(Kernel("[LogSoftmax(Algorithm = SoftmaxAlgorithm.Online)]"));

    // Element type.
    [Fact] public void Softmax_Double() => Verify(Kernel("[Softmax]", OneRowDouble));

    [Fact] public void LogSoftmax_Double() => Verify(Kernel("[LogSoftmax]", OneRowDouble));

    // Shape: many rows.
    [Fact] public void Softmax_ManyRows() => Verify(Kernel("[Softmax]", ManyRows));

    [Fact] public void LogSoftmax_ManyRows_Double() => Verify(Kernel("[LogSoftmax]", "(ReadOnlySpan<double> input, Span<double> output, int rowLength)"));

    // Fixed width: registers (every path's row fits), registers with a tail, looped, and with rows.
    [Fact] public void Softmax_Width64() => Verify(Kernel("[Softmax(Width = 64)]"));

    [Fact] public void Softmax_Width100_Tail() => Verify(Kernel("[Softmax(Width = 100)]"));

    [Fact] public void Softmax_Width3_ShorterThanAVector() => Verify(Kernel("[Softmax(Width = 3)]"));

    [Fact] public void Softmax_Width4096() => Verify(Kernel("[Softmax(Width = 4096)]"));

    [Fact] public void Softmax_Width4096_TwoPass() => Verify(Kernel("[Softmax(Width = 4096, Algorithm = SoftmaxAlgorithm.TwoPass)]"));

    [Fact] public void Softmax_Width131072_AutoPicksTwoPass() => Verify(Kernel("[Softmax(Width = 131072)]"));

    [Fact] public void Softmax_Width64_ManyRows() => Verify(Kernel("[Softmax(Width = 64)]", ManyRows));

    [Fact] public void LogSoftmax_Width64_Double() => Verify(Kernel("[LogSoftmax(Width = 64)]", OneRowDouble));

    // Unroll.
    [Fact] public void Softmax_Unroll1() => Verify(Kernel("[Softmax(Unroll = 1)]"));

    [Fact] public void Softmax_Unroll8() => Verify(Kernel("[Softmax(Unroll = 8)]"));

    [Fact] public void LogSoftmax_Online_Unroll8() => Verify(Kernel("[LogSoftmax(Algorithm = SoftmaxAlgorithm.Online, Unroll = 8)]"));

    // Temperature.
    [Fact] public void Softmax_Temperature05() => Verify(Kernel("[Softmax(Temperature = 0.5)]"));

    [Fact] public void Softmax_Temperature07_Double() => Verify(Kernel("[Softmax(Temperature = 0.7)]", OneRowDouble));

    [Fact] public void LogSoftmax_Temperature07_Width64() => Verify(Kernel("[LogSoftmax(Temperature = 0.7, Width = 64)]"));

    // Targets.
    [Fact] public void Softmax_TargetsAvx2Scalar() => Verify(Kernel("[Softmax(Targets = KernelTargets.Avx2 | KernelTargets.Scalar)]"));

    [Fact] public void Softmax_TargetsAvx512_AddsScalar() => Verify(Kernel("[Softmax(Targets = KernelTargets.Avx512)]"));

    [Fact] public void Softmax_TargetsScalar() => Verify(Kernel("[Softmax(Targets = KernelTargets.Scalar)]"));

    [Fact] public void Softmax_TargetsNeonVector128() => Verify(Kernel("[Softmax(Targets = KernelTargets.Neon | KernelTargets.Vector128)]"));

    // Normalizations: each kind × the options that change the signature or the emitted passes.
    private const string NormAffine = "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)";
    private const string NormWeight = "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output)";

    [Fact] public void LayerNorm_Default() => Verify(Kernel("[LayerNorm]", NormAffine));

    [Fact] public void LayerNorm_ManyRows_Double() => Verify(Kernel("[LayerNorm(Epsilon = 1e-6)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output, int rowLength)"));

    [Fact] public void LayerNorm_NotAffine() => Verify(Kernel("[LayerNorm(Affine = false)]", OneRow));

    [Fact] public void LayerNorm_NoBias_Unroll2() => Verify(Kernel("[LayerNorm(Bias = false, Unroll = 2)]", NormWeight));

    [Fact] public void LayerNorm_Width100_ManyRows() => Verify(Kernel("[LayerNorm(Width = 100)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    [Fact] public void LayerNorm_Width4096() => Verify(Kernel("[LayerNorm(Width = 4096)]", NormAffine));

    [Fact] public void RmsNorm_Default() => Verify(Kernel("[RmsNorm]", NormWeight));

    [Fact] public void RmsNorm_WeightOffset_ManyRows() => Verify(Kernel("[RmsNorm(WeightOffset = 1)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength)"));

    [Fact] public void RmsNorm_NotAffine_Double() => Verify(Kernel("[RmsNorm(Affine = false)]", OneRowDouble));

    // CRMSNorm: Σx beside Σx² in the first pass, in the looped form (many rows) and in registers (Width = 63, three vectors and a tail).
    [Fact] public void RmsNorm_Compressed_ManyRows() => Verify(Kernel("[RmsNorm(Compressed = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength)"));

    [Fact] public void RmsNorm_Compressed_Width63() => Verify(Kernel("[RmsNorm(Compressed = true, Width = 63)]", NormWeight));

    // StatisticsOutput: μ and 1/σ written per row from the values the passes computed (looped rows, and a fixed width in registers), RmsNorm's 1/RMS.
    [Fact] public void LayerNorm_StatisticsOutput_ManyRows() => Verify(Kernel("[LayerNorm(StatisticsOutput = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev, int rowLength)"));

    [Fact] public void LayerNorm_StatisticsOutput_Width64_Double() => Verify(Kernel("[LayerNorm(StatisticsOutput = true, Width = 64, Affine = false)]", "(ReadOnlySpan<double> input, Span<double> output, Span<double> mean, Span<double> inverseStdDev)"));

    [Fact] public void RmsNorm_StatisticsOutput_Residual_ManyRows() => Verify(Kernel("[RmsNorm(StatisticsOutput = true, Residual = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, Span<float> sum, Span<float> inverseStdDev, int rowLength)"));

    [Fact] public void RmsNorm_StatisticsOutput_Width1024_Double() => Verify(Kernel("[RmsNorm(StatisticsOutput = true, Width = 1024)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output, Span<double> inverseStdDev, int rowLength)"));

    [Fact] public void RmsNorm_Width64_Double() => Verify(Kernel("[RmsNorm(Width = 64)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, Span<double> output)"));

    [Fact] public void LayerNorm_Residual_ManyRows() => Verify(Kernel("[LayerNorm(Residual = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> sum, int rowLength)"));

    [Fact] public void RmsNorm_Residual_Width64_Double() => Verify(Kernel("[RmsNorm(Residual = true, Width = 64)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> residual, ReadOnlySpan<double> weight, Span<double> output, Span<double> sum)"));

    [Fact] public void L2Normalize_ManyRows() => Verify(Kernel("[L2Normalize]", ManyRows));

    // Softmax attention options: the scale folded into the temperature; mask + scale (ThreePassReload rows); soft cap
    // alone (the tail's select) on Online; mask + sink on TwoPass; MaskedRowsAreZero alone; a width in registers with
    // every row option; causal + ALiBi + sink; log-softmax with a mask on TwoPass.
    [Fact] public void Softmax_Scale() => Verify(Kernel("[Softmax(Scale = 0.125)]"));

    [Fact] public void Softmax_MaskScale_ManyRows() => Verify(Kernel("[Softmax(Mask = true, Scale = 0.125)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength)"));

    [Fact] public void Softmax_Softcap_Online_Double() => Verify(Kernel("[Softmax(Softcap = 30, Algorithm = SoftmaxAlgorithm.Online)]", OneRowDouble));

    [Fact] public void Softmax_MaskSink_TwoPass() => Verify(Kernel("[Softmax(Mask = true, Sink = true, Algorithm = SoftmaxAlgorithm.TwoPass)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, float sink, Span<float> output)"));

    [Fact] public void Softmax_MaskedRowsAreZero() => Verify(Kernel("[Softmax(MaskedRowsAreZero = true)]", ManyRows));

    [Fact] public void Softmax_Width64_MaskSoftcapSinkMaskedRowsAreZero() => Verify(Kernel("[Softmax(Width = 64, Mask = true, Softcap = 10, Sink = true, MaskedRowsAreZero = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, float sink, Span<float> output, int rowLength)"));

    [Fact] public void Softmax_CausalAlibiSink_Online() => Verify(Kernel("[Softmax(Mask = true, Sink = true, Causal = true, CausalOffset = 4, MaxBias = 8, Heads = 12, Algorithm = SoftmaxAlgorithm.Online)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, float sink, Span<float> output, int rowLength, int rowsPerHead)"));

    // Backward: softmax many rows with a scale (the factor), log-softmax one double row.
    [Fact] public void Softmax_Backward_Scale_ManyRows() => Verify(Kernel("[Softmax(Backward = true, Scale = 0.125)]", "(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength)"));

    [Fact] public void LogSoftmax_Backward_Double() => Verify(Kernel("[LogSoftmax(Backward = true)]", "(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient)"));

    [Fact] public void LogSoftmax_Mask_TwoPass_Double() => Verify(Kernel("[LogSoftmax(Mask = true, Algorithm = SoftmaxAlgorithm.TwoPass)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> mask, Span<double> output)"));

    // SeeDNorm: Σx² and ⟨x, β⟩ in one pass, then (s·α + γ)·x/rms: one float row, double rows with an unroll, a row in registers with a tail.
    [Fact] public void SeeDNorm_Default() => Verify(Kernel("[SeeDNorm]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output)"));

    [Fact] public void SeeDNorm_Double_ManyRows_Unroll2() => Verify(Kernel("[SeeDNorm(Epsilon = 1e-5, Unroll = 2)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> beta, ReadOnlySpan<double> alpha, ReadOnlySpan<double> gamma, Span<double> output, int rowLength)"));

    [Fact] public void SeeDNorm_Width100_ManyRows() => Verify(Kernel("[SeeDNorm(Width = 100)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength)"));

    // DynamicTanh: the default (γ and β), without the affine part, γ only with rows, registers with a tail, a looped width, unroll.
    [Fact] public void DynamicTanh_Default() => Verify(Kernel("[DynamicTanh]", "(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)"));

    [Fact] public void DynamicTanh_NotAffine_Double() => Verify(Kernel("[DynamicTanh(Affine = false)]", "(ReadOnlySpan<double> input, double alpha, Span<double> output)"));

    [Fact] public void DynamicTanh_NoBias_ManyRows_Unroll2() => Verify(Kernel("[DynamicTanh(Bias = false, Unroll = 2)]", "(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, Span<float> output, int rowLength)"));

    // DyT backward: one pass for dx, dα (one element, added into), dγ, dβ; and without the affine part, in double, many rows.
    [Fact] public void DynamicTanh_Backward() => Verify(Kernel("[DynamicTanh(Backward = true)]", "(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> alphaGradient, Span<float> weightGradient, Span<float> biasGradient)"));

    [Fact] public void DynamicTanh_Backward_NotAffine_Double_ManyRows() => Verify(Kernel("[DynamicTanh(Backward = true, Affine = false)]", "(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> alphaGradient, int rowLength)"));

    [Fact] public void DynamicTanh_Width100_ManyRows() => Verify(Kernel("[DynamicTanh(Width = 100)]", "(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    [Fact] public void DynamicTanh_Width4096_Double() => Verify(Kernel("[DynamicTanh(Width = 4096)]", "(ReadOnlySpan<double> input, double alpha, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output)"));

    // Sparsemax and 1.5-entmax: the default, double with rows, a fixed width with an unroll, one target.
    [Fact] public void Sparsemax_Default() => Verify(Kernel("[Sparsemax]"));

    [Fact] public void Sparsemax_ManyRows_Double() => Verify(Kernel("[Sparsemax]", "(ReadOnlySpan<double> input, Span<double> output, int rowLength)"));

    [Fact] public void Sparsemax_Width100_Unroll2() => Verify(Kernel("[Sparsemax(Width = 100, Unroll = 2)]"));

    [Fact] public void Entmax15_Default() => Verify(Kernel("[Entmax15]"));

    [Fact] public void Sparsemax_Backward_ManyRows() => Verify(Kernel("[Sparsemax(Backward = true)]", "(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength)"));

    [Fact] public void Entmax15_Backward_Double() => Verify(Kernel("[Entmax15(Backward = true)]", "(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient)"));

    [Fact] public void Entmax15_Double_Avx2Only() => Verify(Kernel("[Entmax15(Targets = KernelTargets.Avx2)]", OneRowDouble));

    // [GumbelSoftmax]: noise from the caller and seeded, soft (a temperature, an unroll, a width) and hard.
    [Fact] public void GumbelSoftmax_Uniform() => Verify(Kernel("[GumbelSoftmax]", "(ReadOnlySpan<float> logits, ReadOnlySpan<float> uniform, Span<float> output)"));

    [Fact] public void GumbelSoftmax_Seeded_Temperature_Double_ManyRows() => Verify(Kernel("[GumbelSoftmax(Temperature = 0.5, Unroll = 2)]", "(ReadOnlySpan<double> logits, Span<double> output, ulong seed, int rowLength)"));

    [Fact] public void GumbelSoftmax_Hard_Seeded_Width8() => Verify(Kernel("[GumbelSoftmax(Hard = true, Width = 8)]", "(ReadOnlySpan<float> logits, Span<float> output, ulong seed, int rowLength)"));

    // [TopKSoftmax]: the default (K = 2, one row), K = 8 compact over rows of doubles, a fixed width with an unroll.
    [Fact] public void TopKSoftmax_Default() => Verify(Kernel("[TopKSoftmax]", "(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices)"));

    [Fact] public void TopKSoftmax_K8_Compact_Double_ManyRows() => Verify(Kernel("[TopKSoftmax(K = 8, Compact = true)]", "(ReadOnlySpan<double> logits, Span<double> weights, Span<int> indices, int rowLength)"));

    [Fact] public void TopKSoftmax_Width64_Unroll2() => Verify(Kernel("[TopKSoftmax(K = 4, Width = 64, Unroll = 2)]", "(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength)"));


    // BatchNorm and PowerNorm (inference): the default (chunked fold), without the affine part, a width within one chunk
    // (fold once, constant bounds), a width past the chunk, PowerNorm's bias read as the shift and its plain form (no add).
    [Fact] public void BatchNorm_Default() => Verify(Kernel("[BatchNorm]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    [Fact] public void BatchNorm_NotAffine_Double_OneRow() => Verify(Kernel("[BatchNorm(Affine = false, Epsilon = 1e-3)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> runningMean, ReadOnlySpan<double> runningVariance, Span<double> output)"));

    [Fact] public void BatchNorm_Width64_Unroll2() => Verify(Kernel("[BatchNorm(Width = 64, Unroll = 2)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    [Fact] public void PowerNorm_Default_Width2048() => Verify(Kernel("[PowerNorm(Width = 2048)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    // Parallel rows: a cached block delegate per path, and each path method hands large calls to RowParallel.
    [Fact] public void Softmax_Parallel() => Verify(Kernel("[Softmax(Parallel = true)]", "(ReadOnlySpan<float> input, Span<float> output, int rowLength)"));

    // A user parameter named 'parts' (the name of the dispatch's pattern local): the local takes another name.
    [Fact] public void Softmax_Parallel_ParameterNamedParts() => Verify(Kernel("[Softmax(Parallel = true)]", "(ReadOnlySpan<float> parts, Span<float> output, int rowLength)"));

    [Fact] public void LayerNorm_Parallel_Statistics() => Verify(Kernel("[LayerNorm(Parallel = true, StatisticsOutput = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, Span<float> inverseStdDev, int rowLength)"));

    // PowerNorm in training: ψ² a Span, squares gathered per chunk, ψ² updated after the chunk's rows; and one row in double without γ, β.
    [Fact] public void PowerNorm_Training() => Verify(Kernel("[PowerNorm(Training = true)]", "(ReadOnlySpan<float> input, Span<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    [Fact] public void PowerNorm_Training_NotAffine_Double_OneRow() => Verify(Kernel("[PowerNorm(Training = true, Affine = false, Momentum = 0.05)]", "(ReadOnlySpan<double> input, Span<double> runningQuadraticMean, Span<double> output)"));

    [Fact] public void PowerNorm_NotAffine_Double() => Verify(Kernel("[PowerNorm(Affine = false)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> runningQuadraticMean, Span<double> output)"));

    // GroupNorm: the default (γ and β, any spatial size), and instance normalization without the affine part, fixed width, double.
    [Fact] public void GroupNorm_Default_ManyRows() => Verify(Kernel("[GroupNorm(Groups = 32, Channels = 64)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength)"));

    [Fact] public void GroupNorm_Instance_NotAffine_Width_Double() => Verify(Kernel("[GroupNorm(Groups = 4, Channels = 4, Affine = false, Width = 196, Unroll = 2)]", "(ReadOnlySpan<double> input, Span<double> output)"));

    [Fact] public void L2Normalize_Width16_Double() => Verify(Kernel("[L2Normalize(Width = 16, Epsilon = 1e-8)]", OneRowDouble));

    // Losses: the shapes (one row, reduced rows, per-row losses) and the options that change the passes.
    // The softmax variants (one emitter): StableMax forward, log form, backward (and log backward) per shape; each map's own options.
    [Fact] public void StableMax_Default() => Verify(Kernel("[StableMax]", OneRow));

    [Fact] public void StableMax_Log_Double_ManyRows() => Verify(Kernel("[StableMax(Log = true)]", "(ReadOnlySpan<double> input, Span<double> output, int rowLength)"));

    [Fact] public void StableMax_Backward_Width64() => Verify(Kernel("[StableMax(Backward = true, Width = 64)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength)"));

    [Fact] public void StableMax_Log_Backward_Double() => Verify(Kernel("[StableMax(Log = true, Backward = true)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient)"));

    [Fact] public void SoftplusNormalize_TrainingLength_Unroll2() => Verify(Kernel("[SoftplusNormalize(Scale = 0.5, TrainingLength = 512, Unroll = 2)]", ManyRows));

    [Fact] public void SigmoidNormalize_Default() => Verify(Kernel("[SigmoidNormalize]", ManyRows));

    [Fact] public void SigmoidNormalize_Bias_Backward_Double() => Verify(Kernel("[SigmoidNormalize(Bias = -3, Backward = true)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient)"));

    [Fact] public void TaylorSoftmax_Order4() => Verify(Kernel("[TaylorSoftmax(Order = 4)]", OneRow));

    [Fact] public void SphericalSoftmax_Epsilon_Double() => Verify(Kernel("[SphericalSoftmax(Epsilon = 0.001, Targets = KernelTargets.Avx2)]", OneRowDouble));

    [Fact] public void CrossEntropy_OneRow() => Verify(Kernel("[CrossEntropy]", "(ReadOnlySpan<float> logits, int target)", "public static partial float"));

    [Fact] public void CrossEntropy_Mean_Gradient() => Verify(Kernel("[CrossEntropy]", "(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient)", "public static partial float"));

    [Fact] public void CrossEntropy_None_Smoothing_ZLoss_Double() => Verify(Kernel("[CrossEntropy(Reduction = LossReduction.None, LabelSmoothing = 0.1, ZLoss = 1e-4)]", "(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses, Span<double> gradient)"));

    // Class weights and label smoothing with a gradient: the three-pass row and the pipeline of rows, Σw·z beside the maximum.
    [Fact] public void CrossEntropy_ClassWeights_Smoothing_Sum_Gradient_Double() => Verify(Kernel("[CrossEntropy(ClassWeights = true, LabelSmoothing = 0.1, Reduction = LossReduction.Sum)]", "(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> gradient)", "public static partial double"));

    [Fact] public void CrossEntropy_ClassWeights_Smoothing_ZLoss_Gradient() => Verify(Kernel("[CrossEntropy(ClassWeights = true, LabelSmoothing = 0.1, ZLoss = 1e-4)]", "(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, Span<float> gradient)", "public static partial float"));

    [Fact] public void CrossEntropy_None_Outputs_Softcap_Gradient() => Verify(Kernel("[CrossEntropy(Reduction = LossReduction.None, Softcap = 30, LseOutput = true, PredictionOutput = true, EntropyOutput = true)]", "(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> lse, Span<int> predictions, Span<float> entropy, Span<float> gradient)"));

    [Fact] public void CrossEntropy_SampleWeights_Sum_Double() => Verify(Kernel("[CrossEntropy(SampleWeights = true, Reduction = LossReduction.Sum)]", "(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> sampleWeights)", "public static partial double"));

    [Fact] public void CrossEntropy_Sum_Width32000_Unroll4() => Verify(Kernel("[CrossEntropy(Reduction = LossReduction.Sum, Width = 32000, Unroll = 4, IgnoreIndex = -1)]", "(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets)", "public static partial float"));

    // The losses of the target probability (the cross-entropy passes with an outer function): one row; many rows with
    // the gradient and class weights; None with sample weights, double.
    [Fact] public void CompSumLoss_Tau0_OneRow() => Verify(Kernel("[CompSumLoss(Tau = 0)]", "(ReadOnlySpan<float> logits, int target)", "public static partial float"));

    [Fact] public void BinaryCrossEntropy_Mean_Gradient() => Verify(Kernel("[BinaryCrossEntropy]", "(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient)", "public static partial float"));

    [Fact] public void BinaryCrossEntropy_Weights_PosWeight_None() => Verify(Kernel("[BinaryCrossEntropy(Weights = true, PosWeight = true, Reduction = LossReduction.None)]", "(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, ReadOnlySpan<double> weight, ReadOnlySpan<double> posWeight, Span<double> losses)"));

    [Fact] public void FocalLoss_Sigmoid_Sum_Gradient() => Verify(Kernel("[FocalLoss(Sigmoid = true, Gamma = 1.5, Reduction = LossReduction.Sum)]", "(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient)", "public static partial float"));

    [Fact] public void FocalLoss_ClassWeights_Mean_Gradient() => Verify(Kernel("[FocalLoss(Gamma = 2, Alpha = 0.25, ClassWeights = true)]", "(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, Span<float> gradient)", "public static partial float"));

    [Fact] public void MarginSoftmaxLoss_ArcFace_Mean_Gradient() => Verify(Kernel("[MarginSoftmaxLoss(Scale = 64, M2 = 0.5)]", "(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, Span<float> gradient)", "public static partial float"));

    [Fact] public void MarginSoftmaxLoss_ElasticCos_None_Gradient_Double() => Verify(Kernel("[MarginSoftmaxLoss(Scale = 64, SampleMargins = SampleMargin.Cosine, Reduction = LossReduction.None)]", "(ReadOnlySpan<double> cosines, ReadOnlySpan<int> targets, ReadOnlySpan<double> margins, Span<double> losses, Span<double> gradient)"));

    [Fact] public void InfoNceLoss_OneRow() => Verify(Kernel("[InfoNceLoss(Temperature = 0.1)]", "(ReadOnlySpan<float> similarities, int positive)", "public static partial float"));

    [Fact] public void InfoNceLoss_Decoupled_P4_Mean_Gradient() => Verify(Kernel("[InfoNceLoss(Decoupled = true, Positives = 4, Temperature = 0.05)]", "(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives, Span<float> gradient)", "public static partial float"));


    [Fact] public void SphericalZLoss_Mean_Gradient_Float() => Verify(Kernel("[SphericalZLoss]", "(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient)", "public static partial float"));
    [Fact] public void MultiMarginLoss_Squared_ClassWeights_None_Gradient_Double() => Verify(Kernel("[MultiMarginLoss(Squared = true, ClassWeights = true, Reduction = LossReduction.None)]", "(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> classWeights, Span<double> losses, Span<double> gradient)"));
    [Fact] public void MultiMarginLoss_CrammerSinger_Gradient_Float() => Verify(Kernel("[MultiMarginLoss(Form = MultiMarginForm.CrammerSinger)]", "(ReadOnlySpan<float> logits, int target, Span<float> gradient)", "public static partial float"));
    [Fact] public void DiceLoss_None_SampleWeights_Gradient_Double() => Verify(Kernel("[DiceLoss(Alpha = 0.5, Gamma = 1, Reduction = LossReduction.None, SampleWeights = true)]", "(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> sampleWeights, Span<double> losses, Span<double> gradient)"));
    // [KLDivergence]: one row forward only; many rows with the gradient and a temperature (fused second pass); the JSD
    // (three passes), double, None. [DistillationLoss]: T = 2 with the gradient (the cross-entropy's own sum), the reverse KL one row.
    [Fact] public void KLDivergence_OneRow() => Verify(Kernel("[KLDivergence]", "(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher)", "public static partial float"));

    [Fact] public void KLDivergence_T4_Mean_Gradient() => Verify(Kernel("[KLDivergence(Temperature = 4)]", "(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient)", "public static partial float"));

    [Fact] public void KLDivergence_Jsd_None_Gradient_Double() => Verify(Kernel("[KLDivergence(Jsd = true, Beta = 0.25, Reduction = LossReduction.None)]", "(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> losses, Span<double> gradient)"));

    [Fact] public void DistillationLoss_T2_Mean_Gradient() => Verify(Kernel("[DistillationLoss(Temperature = 2, Alpha = 0.7)]", "(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, ReadOnlySpan<int> targets, Span<float> gradient)", "public static partial float"));

    [Fact] public void DistillationLoss_Reverse_OneRow_Gradient_Width64() => Verify(Kernel("[DistillationLoss(Jsd = true, Beta = 1, Width = 64, Unroll = 2)]", "(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int target, Span<double> gradient)", "public static partial double"));

    // Backward kernels: LayerNorm with every gradient (one row, float), RmsNorm with an offset (many rows, double, Unroll 2),
    // L2Normalize with a fixed width.
    [Fact] public void LayerNorm_Backward() => Verify(Kernel("[LayerNorm(Backward = true)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient)"));

    [Fact] public void RmsNorm_Backward_WeightOffset_Unroll2_ManyRows_Double() => Verify(Kernel("[RmsNorm(Backward = true, WeightOffset = 1, Unroll = 2)]", "(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> outputGradient, Span<double> inputGradient, Span<double> weightGradient, int rowLength)"));

    [Fact] public void L2Normalize_Backward_Width64() => Verify(Kernel("[L2Normalize(Backward = true, Width = 64)]", "(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rowLength)"));

    [Fact]
    public void RmsNorm_ParameterNamesOfTheGeneratedCode() =>
        // The user's names equal the generated code's own (x, w, y, n, weight, input...).
        Verify(Kernel("[RmsNorm]", "(ReadOnlySpan<float> weight, ReadOnlySpan<float> x, Span<float> w, int n)"));

    // Where and how the kernel is declared.
    [Fact]
    public void NestedTypes() => Verify("""
        using System;
        using KernelGen;

        namespace Demo.Deep;

        public static partial class Outer
        {
            internal partial class Middle
            {
                private static partial class Inner
                {
                    [Softmax]
                    public static partial void Softmax(ReadOnlySpan<float> input, Span<float> output);
                }
            }
        }
        """);

    [Fact]
    public void GlobalNamespace() => Verify("""
        using System;
        using KernelGen;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Softmax(ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void BlockScopedNamespace() => Verify("""
        using System;
        using KernelGen;

        namespace Demo
        {
            namespace Inner
            {
                public static partial class Ops
                {
                    [LogSoftmax]
                    public static partial void LogSoftmax(ReadOnlySpan<double> input, Span<double> output);
                }
            }
        }
        """);

    [Fact] public void KeywordParameterNames() => Verify(Kernel("[Softmax]", "(ReadOnlySpan<float> @in, Span<float> @out, int @int)"));

    [Fact]
    public void ParameterNamesOfTheGeneratedCode() =>
        // The user's names equal the generated code's own locals and parameters (x, y, n, rows, input, output...).
        Verify(Kernel("[Softmax]", "(ReadOnlySpan<float> x, Span<float> y, int n)"));

    [Fact] public void InternalAccessibility() => Verify(Kernel("[Softmax]", OneRow, "internal static partial void", "internal static partial class"));

    [Fact] public void NoAccessibilityModifier() => Verify(Kernel("[Softmax]", OneRow, "static partial void", "static partial class"));

    [Fact] public void ProtectedInternalInNonStaticClass() => Verify(Kernel("[Softmax]", OneRow, "protected internal static partial void", "public partial class"));

    [Fact]
    public void TwoKernelsInOneClass() => Verify("""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax(Unroll = 2)]
            public static partial void Softmax(ReadOnlySpan<float> input, Span<float> output);

            [LogSoftmax(Width = 16)]
            public static partial void LogSoftmax(ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void FullyQualifiedAttribute() => Verify("""
        namespace Demo;

        public static partial class Ops
        {
            [global::KernelGen.SoftmaxAttribute(Algorithm = global::KernelGen.SoftmaxAlgorithm.Online, Temperature = 2)]
            public static partial void Softmax(global::System.ReadOnlySpan<float> input, global::System.Span<float> output);
        }
        """);

    /// <summary>A kernel declared in <c>namespace Demo; public static partial class Ops</c>.</summary>
    internal static string Kernel(string attribute, string parameters = OneRow, string method = "public static partial void", string container = "public static partial class") => $$"""
        using System;
        using KernelGen;

        namespace Demo;

        {{container}} Ops
        {
            {{attribute}}
            {{method}} Kernel{{parameters}};
        }
        """;

    private static void Verify(string source, [CallerMemberName] string testName = "")
    {
        GeneratorOutput run = GeneratorHarness.Run(GeneratorHarness.OldestSupported, source);
        run.AssertGeneratorDidNotThrow();
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "The generator reported:\n" + GeneratorHarness.Describe(run.GeneratorDiagnostics));
        List<GeneratedSourceResult> generated = run.Result.GeneratedSources.ToList();
        Assert.NotEmpty(generated);

        IReadOnlyList<Diagnostic> problems = run.EmitProblems();
        Assert.True(problems.Count == 0, "The output compilation (C# 12) has errors or warnings:\n" + GeneratorHarness.Describe(problems));

        // Every file is compared (and every .received.cs written) before the test fails.
        List<string> mismatches = generated
            .Select(file => SnapshotAssert.Check(testName, file.HintName, file.SourceText.ToString()))
            .OfType<string>()
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));

        // The same kernels with the newest language version: the same text, and still clean.
        GeneratorOutput latest = GeneratorHarness.Run(LanguageVersion.Latest, source);
        latest.AssertGeneratorDidNotThrow();
        Assert.Equal(
            generated.Select(static f => (f.HintName, f.SourceText.ToString())),
            latest.Result.GeneratedSources.Select(static f => (f.HintName, f.SourceText.ToString())));
        IReadOnlyList<Diagnostic> latestProblems = latest.EmitProblems();
        Assert.True(latestProblems.Count == 0, "The output compilation (latest C#) has errors or warnings:\n" + GeneratorHarness.Describe(latestProblems));
    }
}
