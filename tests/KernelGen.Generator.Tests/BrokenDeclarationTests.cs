using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// A corpus of broken declarations: each must be reported with its KG diagnostic, must not be
/// emitted, and must never make the generator throw (CS8785). Valid edge cases must produce no
/// diagnostic at all and compile cleanly.
/// </summary>
public sealed class BrokenDeclarationTests
{
    private const string Io = "(ReadOnlySpan<float> input, Span<float> output)";

    /// <summary>Name of the case → (the KG IDs it must report, the source).</summary>
    private static readonly Dictionary<string, (string[] Ids, string Source)> Broken = new()
    {
        ["MissingPartial"] = (["KG0001"], Member($"[Softmax] public static void Kernel{Io};")),
        ["NotStatic"] = (["KG0001"], Member($"[Softmax] public partial void Kernel{Io};", "public partial class")),
        ["NotStaticNotPartial"] = (["KG0001"], Member($"[Softmax] public void Kernel{Io};", "public partial class")),
        ["GenericMethod"] = (["KG0005"], Member($"[Softmax] public static partial void Kernel<T>{Io};")),
        ["GenericMethodOverT"] = (["KG0005", "KG0006"], Member("[Softmax] public static partial void Kernel<T>(ReadOnlySpan<T> input, Span<T> output);")),
        ["InputSpanOfInt"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<int> input, Span<int> output);")),
        ["OutputSpanOfInt"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<int> output);")),
        ["InputArray"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(float[] input, Span<float> output);")),
        ["OutputArray"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, float[] output);")),
        ["InputSpanNotReadOnly"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(Span<float> input, Span<float> output);")),
        ["OutputReadOnlySpan"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> output);")),
        ["MismatchedElementTypes"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<double> output);")),
        ["HalfElements"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<Half> input, Span<Half> output);")),
        ["Memory"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlyMemory<float> input, Memory<float> output);")),
        ["RefParameter"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, ref Span<float> output);")),
        ["OutParameter"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, out Span<float> output);")),
        ["InParameter"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(in ReadOnlySpan<float> input, Span<float> output);")),
        ["RefReadOnlyParameter"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ref readonly ReadOnlySpan<float> input, Span<float> output);")),
        ["ParamsSpan"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, params Span<float> output);")),
        ["ParamsArrayRowLength"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output, params int[] rowLength);")),
        ["ScopedInput"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(scoped ReadOnlySpan<float> input, Span<float> output);")),
        ["Arglist"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output, __arglist);")),
        ["ScopedOutput"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, scoped Span<float> output);")),
        ["ReturnsFloat"] = (["KG0006"], Member("[Softmax] public static partial float Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["ReturnsSpan"] = (["KG0006"], Member("[Softmax] public static partial Span<float> Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["OneParameter"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input);")),
        ["NoParameter"] = (["KG0006"], Member("[Softmax] public static partial void Kernel();")),
        ["FourParameters"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output, int rowLength, int extra);")),
        ["RowLengthLong"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output, long rowLength);")),
        ["RowLengthNint"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output, nint rowLength);")),
        ["ExtensionMethod"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(this ReadOnlySpan<float> input, Span<float> output);")),
        ["NestedInGenericType"] = (["KG0005"], $$"""
            using System;
            using KernelGen;

            namespace Demo;

            public static partial class Outer<T>
            {
                public static partial class Ops
                {
                    [Softmax] public static partial void Kernel{{Io}};
                }
            }
            """),
        ["InGenericType"] = (["KG0005"], Member($"[Softmax] public static partial void Kernel{Io};", "public static partial class", "Ops<T>")),
        ["SoftmaxAndLogSoftmax"] = (["KG0007"], Member($"[Softmax][LogSoftmax] public static partial void Kernel{Io};")),
        ["LogSoftmaxAndSoftmaxInOneList"] = (["KG0007"], Member($"[LogSoftmax, Softmax] public static partial void Kernel{Io};")),
        ["SoftmaxTwice"] = (["KG0007"], Member($"[Softmax][Softmax] public static partial void Kernel{Io};")),
        ["TemperatureZero"] = (["KG0008"], Member($"[Softmax(Temperature = 0)] public static partial void Kernel{Io};")),
        ["TemperatureNegative"] = (["KG0008"], Member($"[Softmax(Temperature = -1)] public static partial void Kernel{Io};")),
        ["TemperatureNaN"] = (["KG0008"], Member($"[Softmax(Temperature = double.NaN)] public static partial void Kernel{Io};")),
        ["TemperatureInfinity"] = (["KG0008"], Member($"[Softmax(Temperature = double.PositiveInfinity)] public static partial void Kernel{Io};")),
        ["TemperatureSubnormalDouble"] = (["KG0008"], Member("[LogSoftmax(Temperature = double.Epsilon)] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")),
        ["TemperatureAboveDoubleRange"] = (["KG0008"], Member("[Softmax(Temperature = 1e301)] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")),
        ["TemperatureBelowFloatRange"] = (["KG0008"], Member($"[Softmax(Temperature = 1e-39)] public static partial void Kernel{Io};")),
        ["TemperatureNegativeZero"] = (["KG0008"], Member($"[LogSoftmax(Temperature = -0.0)] public static partial void Kernel{Io};")),
        ["WidthNegative"] = (["KG0008"], Member($"[Softmax(Width = -1)] public static partial void Kernel{Io};")),
        ["UnrollNine"] = (["KG0008"], Member($"[Softmax(Unroll = 9)] public static partial void Kernel{Io};")),
        ["UnrollNegative"] = (["KG0008"], Member($"[LogSoftmax(Unroll = -1)] public static partial void Kernel{Io};")),
        ["TargetsZero"] = (["KG0008"], Member($"[Softmax(Targets = 0)] public static partial void Kernel{Io};")),
        ["TargetsUnknownBit"] = (["KG0008"], Member($"[Softmax(Targets = (KernelTargets)64)] public static partial void Kernel{Io};")),
        ["TargetsNegative"] = (["KG0008"], Member($"[Softmax(Targets = (KernelTargets)(-1))] public static partial void Kernel{Io};")),
        ["AlgorithmUnknown"] = (["KG0008"], Member($"[Softmax(Algorithm = (SoftmaxAlgorithm)42)] public static partial void Kernel{Io};")),
        ["AlgorithmNegative"] = (["KG0008"], Member($"[LogSoftmax(Algorithm = (SoftmaxAlgorithm)(-1))] public static partial void Kernel{Io};")),
        ["SeveralBadArguments"] = (["KG0008"], Member($"[Softmax(Width = -4, Unroll = 100, Temperature = 0)] public static partial void Kernel{Io};")),
        ["BadArgumentAndBadSignature"] = (["KG0006", "KG0008"], Member("[Softmax(Unroll = 9)] public static partial void Kernel(ReadOnlySpan<float> input, Span<int> output);")),
        ["BodyPresent"] = (["KG0002"], Member($"[Softmax] public static partial void Kernel{Io} {{ }}")),
        ["ExpressionBody"] = (["KG0002"], Member($"[Softmax] public static partial void Kernel{Io} => throw null!;")),
        ["NonPartialWithBody"] = (["KG0001", "KG0002"], Member($"[Softmax] public static void Kernel{Io} {{ }}")),
        ["ImplementationAlreadyWritten"] = (["KG0002"], Member($"[Softmax] public static partial void Kernel{Io};\n    public static partial void Kernel{Io} {{ }}")),
        ["AttributeOnImplementationPart"] = (["KG0002"], Member($"public static partial void Kernel{Io};\n    [Softmax] public static partial void Kernel{Io} {{ }}")),
        ["AttributeOnBothParts"] = (["KG0007"], Member($"[Softmax] public static partial void Kernel{Io};\n    [Softmax] public static partial void Kernel{Io} {{ }}")),
        ["LocalFunction"] = (["KG0009"], Member($"public static void Run() {{ [Softmax] static void Local{Io} {{ }} }}")),
        ["LocalFunctionWithoutBody"] = (["KG0009"], Member($"public static void Run() {{ [LogSoftmax] static extern void Local{Io}; }}")),
        ["LocalFunctionBadArgument"] = (["KG0008", "KG0009"], Member($"public static void Run() {{ [Softmax(Unroll = 9)] static void Local{Io} {{ }} }}")),
        ["InInterface"] = (["KG0003"], Member($"[Softmax] static partial void Kernel{Io};", "public partial interface")),
        ["InRecord"] = (["KG0003"], Member($"[Softmax] public static partial void Kernel{Io};", "public partial record")),
        ["InRecordClass"] = (["KG0003"], Member($"[Softmax] public static partial void Kernel{Io};", "public partial record class")),
        ["InStruct"] = (["KG0003"], Member($"[Softmax] public static partial void Kernel{Io};", "public partial struct")),
        ["InRecordStruct"] = (["KG0003"], Member($"[Softmax] public static partial void Kernel{Io};", "public partial record struct")),
        ["InRefStruct"] = (["KG0003"], Member($"[Softmax] public static partial void Kernel{Io};", "public ref partial struct")),
        ["ClassInStruct"] = (["KG0003"], $$"""
            using System;
            using KernelGen;

            namespace Demo;

            public partial struct Outer
            {
                public static partial class Ops
                {
                    [Softmax] public static partial void Kernel{{Io}};
                }
            }
            """),
        ["InFileLocalClass"] = (["KG0003"], Member($"[Softmax] public static partial void Kernel{Io};", "file static partial class")),
        ["ContainingClassNotPartial"] = (["KG0004"], Member($"[Softmax] public static partial void Kernel{Io};", "public static class")),
        ["OuterClassNotPartial"] = (["KG0004"], $$"""
            using System;
            using KernelGen;

            namespace Demo;

            public static class Outer
            {
                public static partial class Ops
                {
                    [Softmax] public static partial void Kernel{{Io}};
                }
            }
            """),
        ["OverloadedKernel"] = (["KG0010"], Member($"[Softmax] public static partial void Kernel{Io};\n    public static void Kernel(int x) {{ }}")),
        ["TwoKernelsOverloaded"] = (["KG0010"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);\n    [Softmax] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")),
        ["MemberNamedPaths"] = (["KG0010"], Member($"[Softmax] public static partial void Kernel{Io};\n    public static int KernelPaths;")),
        ["NestedTypeNamedPaths"] = (["KG0010"], Member($"[LogSoftmax] public static partial void Kernel{Io};\n    private static class KernelPaths {{ }}")),
        ["PropertyWithKernelName"] = (["KG0010"], Member($"[Softmax] public static partial void Kernel{Io};\n    public static int KernelPaths => 0;")),
        ["DuplicateDefinition"] = (["KG0010"], Member($"[Softmax] public static partial void Kernel{Io};\n    [Softmax] public static partial void Kernel{Io};")),
        ["InheritedMemberNamedPaths"] = (["KG0010"], "using System;\nusing KernelGen;\nnamespace Demo;\npublic class Base { protected static class KernelPaths { } }\npublic partial class Ops : Base\n{\n    [Softmax] public static partial void Kernel" + Io + ";\n}\n"),
        ["LayerNormMissingBias"] = (["KG0006"], Member("[LayerNorm] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);")),
        ["LayerNormNoSpans"] = (["KG0006"], Member("[LayerNorm] public static partial void Kernel();")),
        ["LayerNormWeightWritable"] = (["KG0006"], Member("[LayerNorm] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> weight, ReadOnlySpan<float> bias, Span<float> output);")),
        ["LayerNormOutputReadOnly"] = (["KG0006"], Member("[LayerNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> output);")),
        ["LayerNormEpsilonNegative"] = (["KG0008"], Member("[LayerNorm(Epsilon = -1)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);")),
        ["LayerNormEpsilonNaNAndBadSignature"] = (["KG0006", "KG0008"], Member("[LayerNorm(Epsilon = double.NaN)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["RmsNormWeightOffsetInfinite"] = (["KG0008"], Member("[RmsNorm(WeightOffset = double.NegativeInfinity)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);")),
        ["RmsNormOffsetWithoutWeight"] = (["KG0008"], Member($"[RmsNorm(Affine = false, WeightOffset = 1)] public static partial void Kernel{Io};")),
        ["RmsNormWeightOfDoubles"] = (["KG0006"], Member("[RmsNorm] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<double> weight, Span<float> output);")),
        ["RmsNormAndLayerNorm"] = (["KG0007"], Member($"[RmsNorm(Affine = false)][LayerNorm(Affine = false)] public static partial void Kernel{Io};")),
        ["SoftmaxAndRmsNorm"] = (["KG0007"], Member($"[Softmax][RmsNorm(Affine = false)] public static partial void Kernel{Io};")),
        ["RmsNormLocalFunction"] = (["KG0009"], Member($"public static void Run() {{ [RmsNorm(Affine = false)] static void Local{Io} {{ }} }}")),
        ["RmsNormNotPartial"] = (["KG0001"], Member($"[RmsNorm(Affine = false)] public static void Kernel{Io};")),
        ["LayerNormBackwardForwardShape"] = (["KG0006"], Member("[LayerNorm(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);")),
        ["LayerNormBackwardWithoutBiasGradient"] = (["KG0006"], Member("[LayerNorm(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, int rowLength);")),
        ["RmsNormBackwardGradientReadOnly"] = (["KG0006"], Member("[RmsNorm(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> inputGradient, Span<float> weightGradient);")),
        ["RmsNormBackwardResidual"] = (["KG0008"], Member("[RmsNorm(Backward = true, Residual = true)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient);")),
        ["L2NormalizeBackwardDoubleGradient"] = (["KG0006"], Member("[L2Normalize(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<double> outputGradient, Span<float> inputGradient);")),
        ["L2NormalizeWithWeight"] = (["KG0006"], Member("[L2Normalize] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);")),
        ["L2NormalizeEpsilonNaN"] = (["KG0008"], Member($"[L2Normalize(Epsilon = double.NaN)] public static partial void Kernel{Io};")),
        ["CompSumLossNegativeTau"] = (["KG0008"], Member("[CompSumLoss(Tau = -0.5)] public static partial float Kernel(ReadOnlySpan<float> logits, int target);")),
        ["FocalLossNoneReturnsFloat"] = (["KG0006"], Member("[FocalLoss(Reduction = LossReduction.None)] public static partial float Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);")),
        ["DiceLossSampleWeightsOneRow"] = (["KG0006"], Member("[DiceLoss(SampleWeights = true)] public static partial float Kernel(ReadOnlySpan<float> logits, int target, ReadOnlySpan<float> sampleWeights);")),
        ["KLDivergenceNoneReturnsFloat"] = (["KG0006"], Member("[KLDivergence(Reduction = LossReduction.None)] public static partial float Kernel(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> losses);")),
        ["KLDivergenceTeacherWritable"] = (["KG0006"], Member("[KLDivergence] public static partial float Kernel(ReadOnlySpan<float> student, Span<float> teacher);")),
        ["DistillationLossAlphaNaN"] = (["KG0008"], Member("[DistillationLoss(Alpha = double.NaN)] public static partial float Kernel(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int target);")),
        ["DistillationLossNoTeacher"] = (["KG0006"], Member("[DistillationLoss] public static partial float Kernel(ReadOnlySpan<float> student, int target);")),
        ["CrossEntropyReturnsVoid"] = (["KG0006"], Member("[CrossEntropy] public static partial void Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);")),
        ["CrossEntropyNoneReturnsFloat"] = (["KG0006"], Member("[CrossEntropy(Reduction = LossReduction.None)] public static partial float Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);")),
        ["CrossEntropyTargetsOfLongs"] = (["KG0006"], Member("[CrossEntropy] public static partial float Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets);")),
        ["CrossEntropyReturnsDoubleForFloats"] = (["KG0006"], Member("[CrossEntropy] public static partial double Kernel(ReadOnlySpan<float> logits, int target);")),
        ["CrossEntropySmoothingTooLarge"] = (["KG0008"], Member("[CrossEntropy(LabelSmoothing = 1.5)] public static partial float Kernel(ReadOnlySpan<float> logits, int target);")),
        ["CrossEntropyZLossNegative"] = (["KG0008"], Member("[CrossEntropy(ZLoss = -1)] public static partial float Kernel(ReadOnlySpan<float> logits, int target);")),
        ["CrossEntropySoftcapNaN"] = (["KG0008"], Member("[CrossEntropy(Softcap = double.NaN)] public static partial float Kernel(ReadOnlySpan<float> logits, int target);")),
        ["CrossEntropyPredictionsOfFloats"] = (["KG0006"], Member("[CrossEntropy(PredictionOutput = true)] public static partial float Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> predictions);")),
        ["CrossEntropySampleWeightsOneRow"] = (["KG0006"], Member("[CrossEntropy(SampleWeights = true)] public static partial float Kernel(ReadOnlySpan<float> logits, int target, ReadOnlySpan<float> sampleWeights);")),
        ["CrossEntropyUnknownReduction"] = (["KG0008"], Member("[CrossEntropy(Reduction = (LossReduction)7)] public static partial float Kernel(ReadOnlySpan<float> logits, int target);")),
        ["DynamicTanhWithoutAlpha"] = (["KG0006"], Member("[DynamicTanh] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);")),
        ["DynamicTanhAlphaAsSpan"] = (["KG0006"], Member("[DynamicTanh(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> alpha, Span<float> output);")),
        ["DynamicTanhAlphaOfDoubles"] = (["KG0006"], Member("[DynamicTanh(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, double alpha, Span<float> output);")),
        ["DynamicTanhAlphaByRef"] = (["KG0006"], Member("[DynamicTanh(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ref float alpha, Span<float> output);")),
        ["DynamicTanhAlphaLast"] = (["KG0006"], Member("[DynamicTanh(Bias = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, float alpha);")),
        ["DynamicTanhUnrollNine"] = (["KG0008"], Member("[DynamicTanh(Unroll = 9, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, float alpha, Span<float> output);")),
        ["StableMaxBackwardWithoutGradient"] = (["KG0006"], Member("[StableMax(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["TaylorSoftmaxOddOrder"] = (["KG0008"], Member("[TaylorSoftmax(Order = 3)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["SoftplusNormalizeZeroScale"] = (["KG0008"], Member("[SoftplusNormalize(Scale = 0)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["SoftplusNormalizeTrainingLengthOne"] = (["KG0008"], Member("[SoftplusNormalize(TrainingLength = 1)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["SigmoidNormalizeInfiniteBias"] = (["KG0008"], Member("[SigmoidNormalize(Bias = double.PositiveInfinity)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["SphericalSoftmaxNegativeEpsilon"] = (["KG0008"], Member("[SphericalSoftmax(Epsilon = -1)] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")),
        ["SphericalSoftmaxEpsilonBeyondFloat"] = (["KG0008"], Member("[SphericalSoftmax(Epsilon = 1e300)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["StableMaxAndSoftmax"] = (["KG0007"], Member("[StableMax][Softmax] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["DynamicTanhAndRmsNorm"] = (["KG0007"], Member("[DynamicTanh(Affine = false)][RmsNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, float alpha, Span<float> output);")),
        ["SparsemaxUnrollNine"] = (["KG0008"], Member("[Sparsemax(Unroll = 9)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["SparsemaxWithWeight"] = (["KG0006"], Member("[Sparsemax] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);")),
        ["SparsemaxBackwardForwardShape"] = (["KG0006"], Member("[Sparsemax(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["Entmax15BackwardDyWritable"] = (["KG0006"], Member("[Entmax15(Backward = true)] public static partial void Kernel(ReadOnlySpan<float> output, Span<float> outputGradient, Span<float> inputGradient);")),
        ["Entmax15NegativeWidth"] = (["KG0008"], Member("[Entmax15(Width = -2)] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")),
        ["SparsemaxAndEntmax15"] = (["KG0007"], Member("[Sparsemax][Entmax15] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["GumbelSoftmaxZeroTemperature"] = (["KG0008"], Member("[GumbelSoftmax(Temperature = 0)] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> output, ulong seed);")),
        ["GumbelSoftmaxNaNTemperature"] = (["KG0008"], Member("[GumbelSoftmax(Temperature = double.NaN)] public static partial void Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<float> uniform, Span<float> output);")),
        ["GumbelSoftmaxWithoutNoise"] = (["KG0006"], Member("[GumbelSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> output);")),
        ["GumbelSoftmaxSeedBeforeOutput"] = (["KG0006"], Member("[GumbelSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, ulong seed, Span<float> output);")),
        ["GumbelSoftmaxUniformWritable"] = (["KG0006"], Member("[GumbelSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> uniform, Span<float> output);")),
        ["GumbelSoftmaxUniformOtherType"] = (["KG0006"], Member("[GumbelSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<double> uniform, Span<float> output, int rowLength);")),
        ["GumbelSoftmaxSignedSeed"] = (["KG0006"], Member("[GumbelSoftmax] public static partial void Kernel(ReadOnlySpan<double> logits, Span<double> output, long seed);")),
        ["GumbelSoftmaxNegativeUnroll"] = (["KG0008"], Member("[GumbelSoftmax(Unroll = -1)] public static partial void Kernel(ReadOnlySpan<double> logits, Span<double> output, ulong seed, int rowLength);")),
        ["TopKSoftmaxZeroK"] = (["KG0008"], Member("[TopKSoftmax(K = 0)] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices);")),
        ["TopKSoftmaxHugeK"] = (["KG0008"], Member("[TopKSoftmax(K = 1025)] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices);")),
        ["TopKSoftmaxWidthBelowK"] = (["KG0008"], Member("[TopKSoftmax(K = 8, Width = 4)] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> weights, Span<int> indices, int rowLength);")),
        ["TopKSoftmaxWithoutIndices"] = (["KG0006"], Member("[TopKSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> weights);")),
        ["TopKSoftmaxIndicesOfLongs"] = (["KG0006"], Member("[TopKSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, Span<float> weights, Span<long> indices);")),
        ["TopKSoftmaxIndicesReadOnly"] = (["KG0006"], Member("[TopKSoftmax] public static partial void Kernel(ReadOnlySpan<double> logits, Span<double> weights, ReadOnlySpan<int> indices, int rowLength);")),
        ["TopKSoftmaxIndicesFirst"] = (["KG0006"], Member("[TopKSoftmax] public static partial void Kernel(ReadOnlySpan<float> logits, Span<int> indices, Span<float> weights);")),
        ["BatchNormWithoutVariance"] = (["KG0006"], Member("[BatchNorm] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);")),
        ["BatchNormStatisticsOfDoubles"] = (["KG0006"], Member("[BatchNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<double> runningMean, ReadOnlySpan<double> runningVariance, Span<float> output);")),
        ["BatchNormVarianceWritable"] = (["KG0006"], Member("[BatchNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, Span<float> runningVariance, Span<float> output);")),
        ["BatchNormAffineFalseWithWeights"] = (["KG0006"], Member("[BatchNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);")),
        ["BatchNormEpsilonNegative"] = (["KG0008"], Member("[BatchNorm(Epsilon = -1e-5, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, Span<float> output);")),
        ["BatchNormEpsilonNaN"] = (["KG0008"], Member("[BatchNorm(Epsilon = double.NaN, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, Span<float> output);")),
        ["PowerNormWithMean"] = (["KG0006"], Member("[PowerNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningQuadraticMean, Span<float> output);")),
        ["PowerNormEpsilonInfinite"] = (["KG0008"], Member("[PowerNorm(Epsilon = double.PositiveInfinity, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, Span<float> output);")),
        ["PowerNormUnrollNine"] = (["KG0008"], Member("[PowerNorm(Unroll = 9, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, Span<float> output);")),
        ["PowerNormAndBatchNorm"] = (["KG0007"], Member("[PowerNorm(Affine = false)][BatchNorm(Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, Span<float> output);")),
        ["GroupNormWithoutGroups"] = (["KG0008"], Member("[GroupNorm(Channels = 8, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["GroupNormWithoutChannels"] = (["KG0008"], Member("[GroupNorm(Groups = 2, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["GroupNormChannelsNotDivisible"] = (["KG0008"], Member("[GroupNorm(Groups = 3, Channels = 8, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["GroupNormGroupsZero"] = (["KG0008"], Member("[GroupNorm(Groups = 0, Channels = 8, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["GroupNormWidthNotPlanes"] = (["KG0008"], Member("[GroupNorm(Groups = 2, Channels = 8, Width = 100, Affine = false)] public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);")),
        ["GroupNormWithoutBias"] = (["KG0006"], Member("[GroupNorm(Groups = 2, Channels = 8)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);")),
        ["KeywordMethodName"] = (["KG0011"], Member($"[Softmax] public static partial void @event{Io};")),
        ["KeywordTypeName"] = (["KG0011"], Member($"[Softmax] public static partial void Kernel{Io};", "public static partial class", "@class")),
        ["KeywordNamespace"] = (["KG0011"], Member($"[Softmax] public static partial void Kernel{Io};").Replace("namespace Demo;", "namespace Demo.@void;")),
        ["EverythingWrong"] = (["KG0001", "KG0002", "KG0003", "KG0005", "KG0006", "KG0008"], Member("[Softmax(Width = -1)] public T Kernel<T>(ReadOnlySpan<T> input) => default!;", "public partial struct")),
        ["UnresolvedParameterType"] = (["KG0006"], Member("[Softmax] public static partial void Kernel(ReadOnlySpan<Missing> input, Span<Missing> output);")),
        ["UnresolvedTargetsName"] = (["KG0006"], Member("[Softmax(Targets = KernelTargets.Gpu)] public static partial void Kernel(int input, Span<float> output);")),
    };

    /// <summary>Valid declarations at the edges of the rules: no diagnostic, clean output.</summary>
    private static readonly Dictionary<string, string[]> Valid = new()
    {
        ["TargetsAvx512Only"] = [Member($"[Softmax(Targets = KernelTargets.Avx512)] public static partial void Kernel{Io};")],
        ["TargetsAllAsNumber"] = [Member($"[Softmax(Targets = (KernelTargets)31)] public static partial void Kernel{Io};")],
        ["AlgorithmAsNumber"] = [Member($"[LogSoftmax(Algorithm = (SoftmaxAlgorithm)4)] public static partial void Kernel{Io};")],
        ["TemperatureTiny"] = [Member($"[Softmax(Temperature = 1e-3)] public static partial void Kernel{Io};")],
        ["TemperatureNearFloatLimit"] = [Member($"[Softmax(Temperature = 3e-39)] public static partial void Kernel{Io};")],
        ["TemperatureHugeFloat"] = [Member($"[LogSoftmax(Temperature = double.MaxValue)] public static partial void Kernel{Io};")],
        ["TemperatureTinyDouble"] = [Member("[Softmax(Temperature = 1e-300)] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")],
        ["TemperatureHugeDouble"] = [Member("[Softmax(Temperature = 1e300)] public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);")],
        ["TemperatureIntegerLiteral"] = [Member($"[Softmax(Temperature = 2)] public static partial void Kernel{Io};")],
        ["TemperatureFloatLiteral"] = [Member($"[Softmax(Temperature = 0.5f)] public static partial void Kernel{Io};")],
        ["TemperatureConstant"] = [Member($"private const double T = 0.25;\n    [Softmax(Temperature = T)] public static partial void Kernel{Io};")],
        ["WidthOne"] = [Member($"[Softmax(Width = 1)] public static partial void Kernel{Io};")],
        ["WidthHuge"] = [Member($"[Softmax(Width = 1 << 24)] public static partial void Kernel{Io};")],
        ["UnrollZeroAndEight"] = [Member($"[Softmax(Unroll = 0)] public static partial void A{Io};\n    [LogSoftmax(Unroll = 8)] public static partial void B{Io};")],
        ["EmptyArgumentList"] = [Member($"[Softmax()] public static partial void Kernel{Io};")],
        ["QualifiedAttributeName"] = [Member($"[KernelGen.LogSoftmax] public static partial void Kernel{Io};")],
        ["AliasedAttribute"] = ["using System;\nusing S = KernelGen.SoftmaxAttribute;\nnamespace Demo;\npublic static partial class Ops\n{\n    [S] public static partial void Kernel" + Io + ";\n}\n"],
        ["OtherAttributesBeside"] = [Member($"[Softmax, System.Obsolete(\"x\")] public static partial void Kernel{Io};\n    [System.Obsolete(\"x\")] public static void Caller() => Kernel(default, default);")],
        ["ExplicitParameterTypes"] = [Member("[Softmax] public static partial void Kernel(System.ReadOnlySpan<System.Single> input, System.Span<System.Single> output, System.Int32 rowLength);")],
        ["KeywordParameterNames"] = [Member("[LogSoftmax] public static partial void Kernel(ReadOnlySpan<double> @class, Span<double> @void, int @return);")],
        ["ParametersNamedLikeGeneratedMembers"] = [Member("[Softmax(Temperature = 2)] public static partial void Kernel(ReadOnlySpan<float> Temperature, Span<float> InverseTemperature, int Selected);")],
        ["PrivateKernelInNonStaticClass"] = [Member($"[Softmax] private static partial void Kernel{Io};\n    public void Use() => Kernel(default, default);", "internal sealed partial class")],
        ["UnsafeModifier"] = [Member($"[Softmax] public static unsafe partial void Kernel{Io};")],
        ["UnsafeWithoutAccessibility"] = [Member($"[Softmax] unsafe static partial void Kernel{Io};")],
        ["NewModifierHidingBaseMember"] = ["using System;\nusing KernelGen;\nnamespace Demo;\npublic class Base { public static void Kernel(ReadOnlySpan<float> input, Span<float> output) { } }\npublic partial class Ops : Base\n{\n    [Softmax] public new static partial void Kernel" + Io + ";\n}\n"],
        ["InheritedPrivatePathsMember"] = ["using System;\nusing KernelGen;\nnamespace Demo;\npublic class Base { private static int KernelPaths = 0; public static int Use() => KernelPaths; }\npublic partial class Ops : Base\n{\n    [Softmax] public static partial void Kernel" + Io + ";\n}\n"],
        ["PartialClassSplitOverFiles"] = [Member($"[Softmax] public static partial void Kernel{Io};"), "namespace Demo { public static partial class Ops { public static void Other() { } } }"],
        ["DeeplyNested"] = ["using System;\nusing KernelGen;\nnamespace A.B.C;\npublic partial class X { public partial class Y { internal static partial class Z { [Softmax] internal static partial void Kernel" + Io + "; } } }\n"],
        ["SameNameInTwoClasses"] = [Member($"[Softmax] public static partial void Kernel{Io};"), Member($"[Softmax] public static partial void Kernel{Io};", name: "Other")],
        ["BatchNormEpsilonZeroWidthOne"] = [Member("[BatchNorm(Epsilon = 0, Width = 1)] public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);")],
        ["PowerNormParametersNamedLikeLocals"] = [Member("[PowerNorm] public static partial void Kernel(ReadOnlySpan<double> x, ReadOnlySpan<double> s, ReadOnlySpan<double> chunk, ReadOnlySpan<double> folded, Span<double> rows, int channels);")],
        ["SameClassNameInTwoNamespaces"] = [Member($"[Softmax] public static partial void Kernel{Io};"), Member($"[Softmax] public static partial void Kernel{Io};").Replace("namespace Demo;", "namespace Demo.Other;")],
    };

    public static TheoryData<string> BrokenCases => new(Broken.Keys);

    public static TheoryData<string> ValidCases => new(Valid.Keys);

    [Theory]
    [MemberData(nameof(BrokenCases))]
    public void Broken_declaration_is_reported_and_not_emitted(string name)
    {
        (string[] ids, string source) = Broken[name];
        foreach (LanguageVersion version in new[] { GeneratorHarness.OldestSupported, LanguageVersion.Latest })
        {
            GeneratorOutput run = GeneratorHarness.Run(version, source);
            run.AssertGeneratorDidNotThrow();
            List<Diagnostic> reported = run.GeneratorDiagnostics.ToList();
            string description = GeneratorHarness.Describe(reported);
            Assert.True(reported.Count != 0, $"{name}: no KG diagnostic.");
            Assert.All(reported, d =>
            {
                Assert.StartsWith("KG", d.Id, System.StringComparison.Ordinal);
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                // Diagnostics travel through the pipeline as (path, span, line span): external-file locations.
                Assert.True(d.Location.Kind != LocationKind.None, $"{name}: {d.Id} has no location.");
                Assert.Equal("Source0.cs", d.Location.GetLineSpan().Path);
                Assert.False(d.Location.SourceSpan.IsEmpty, $"{name}: {d.Id} points at an empty span.");
            });
            Assert.Equal(ids.OrderBy(static i => i), reported.Select(static d => d.Id).Distinct().OrderBy(static i => i));
            Assert.True(run.Result.GeneratedSources.IsEmpty, $"{name}: a reported declaration was emitted. Diagnostics:\n{description}");
        }
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_edge_declaration_has_no_diagnostic(string name)
    {
        GeneratorOutput run = GeneratorHarness.Run(GeneratorHarness.OldestSupported, Valid[name]);
        run.AssertGeneratorDidNotThrow();
        Assert.True(run.GeneratorDiagnostics.IsEmpty, $"{name}:\n" + GeneratorHarness.Describe(run.GeneratorDiagnostics));
        Assert.NotEmpty(run.Result.GeneratedSources);
        IReadOnlyList<Diagnostic> problems = run.EmitProblems()
            .Where(static d => d.Id != "CS0618") // [Obsolete] on purpose in one case.
            .ToList();
        Assert.True(problems.Count == 0, $"{name}: the output compilation has errors or warnings:\n" + GeneratorHarness.Describe(problems));
    }

    [Fact]
    public void Namespace_and_type_of_the_same_name_do_not_make_the_generator_throw()
    {
        // namespace A.B + class A.B (CS0101) would give both kernels the hint name A.B.C.M.g.cs.
        GeneratorOutput run = GeneratorHarness.Run(
            LanguageVersion.Latest,
            Member($"[Softmax] public static partial void M{Io};", name: "C").Replace("namespace Demo;", "namespace A.B;"),
            Member($"[Softmax] public static partial void M{Io};", name: "B { public static partial class C").Replace("namespace Demo;", "namespace A;") + " }");
        run.AssertGeneratorDidNotThrow();
        Assert.Contains(run.Output.GetDiagnostics(TestContext.Current.CancellationToken), static d => d.Id == "CS0101");
    }

    // The generated code names its own members fully qualified, so the user's parameter names cannot shadow them.
    [Theory]
    [InlineData("(ReadOnlySpan<float> Width, Span<float> output)")]
    [InlineData("(ReadOnlySpan<float> input, Span<float> output, int Width)")]
    [InlineData("(ReadOnlySpan<float> KernelPaths, Span<float> output)")]
    public void Parameter_names_that_shadow_generated_names_compile(string parameters)
    {
        GeneratorOutput run = GeneratorHarness.Run(GeneratorHarness.OldestSupported, Member($"[Softmax] public static partial void Kernel{parameters};"));
        run.AssertGeneratorDidNotThrow();
        Assert.Empty(run.GeneratorDiagnostics);
        IReadOnlyList<Diagnostic> problems = run.EmitProblems();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }

    /// <summary>A source with <paramref name="members"/> in <c>namespace Demo; {container} {name}</c>.</summary>
    internal static string Member(string members, string container = "public static partial class", string name = "Ops") => $$"""
        using System;
        using KernelGen;

        namespace Demo;

        {{container}} {{name}}
        {
            {{members}}
        }
        """;
}
