using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KernelGen.Generator.Softmax;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The pipeline caches: an unrelated edit leaves every named step Cached or Unchanged, and an
/// attribute edit re-emits exactly the kernel it touches.
/// </summary>
public sealed class IncrementalityTests
{
    private const string Kernels = """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax(Unroll = 2)]
            public static partial void First(ReadOnlySpan<float> input, Span<float> output);

            [Softmax(Width = 64)]
            public static partial void Second(ReadOnlySpan<float> input, Span<float> output);
        }
        """;

    private const string LogKernels = """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class LogOps
        {
            [LogSoftmax]
            public static partial void Third(ReadOnlySpan<double> input, Span<double> output, int rowLength);

            [LayerNorm]
            public static partial void Fourth(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

            [RmsNorm(Width = 64)]
            public static partial void Fifth(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output);

            [DynamicTanh]
            public static partial void Sixth(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

            [BatchNorm]
            public static partial void Seventh(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

            [PowerNorm(Affine = false)]
            public static partial void Eighth(ReadOnlySpan<double> input, ReadOnlySpan<double> runningQuadraticMean, Span<double> output);

            [GroupNorm(Groups = 2, Channels = 4)]
            public static partial void Ninth(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

            [StableMax]
            public static partial void Tenth(ReadOnlySpan<float> input, Span<float> output, int rowLength);

            [SigmoidNormalize(Backward = true)]
            public static partial void Eleventh(ReadOnlySpan<double> input, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);

            [Sparsemax]
            public static partial void Twelfth(ReadOnlySpan<float> input, Span<float> output, int rowLength);

            [Entmax15(Backward = true)]
            public static partial void Thirteenth(ReadOnlySpan<double> output, ReadOnlySpan<double> outputGradient, Span<double> inputGradient);

            [CompSumLoss(Tau = 0.5)]
            public static partial float Fourteenth(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

            [FocalLoss]
            public static partial double Fifteenth(ReadOnlySpan<double> logits, int target);

            [DiceLoss(Alpha = 1)]
            public static partial float Sixteenth(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

            [GumbelSoftmax(Temperature = 0.5)]
            public static partial void Seventeenth(ReadOnlySpan<float> input, Span<float> output, ulong seed, int rowLength);

            [TopKSoftmax(K = 4)]
            public static partial void Eighteenth(ReadOnlySpan<float> input, Span<float> weights, Span<int> indices, int rowLength);

            [SeeDNorm]
            public static partial void Nineteenth(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);

            [BinaryCrossEntropy(PosWeight = true)]
            public static partial float Twentieth(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> posWeight, Span<float> gradient);

            [FocalLoss(Sigmoid = true, Gamma = 1)]
            public static partial double TwentyFirst(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets);

            [MarginSoftmaxLoss(M2 = 0.5)]
            public static partial float TwentySecond(ReadOnlySpan<float> cosines, ReadOnlySpan<int> targets, Span<float> gradient);

            [InfoNceLoss(Temperature = 0.1)]
            public static partial float TwentyThird(ReadOnlySpan<float> similarities, int positive);

            [SphericalZLoss(A = 1)]
            public static partial float TwentyFourth(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);

            [MultiMarginLoss(Form = MultiMarginForm.CrammerSinger)]
            public static partial double TwentyFifth(ReadOnlySpan<double> logits, int target);

            [KLDivergence(Temperature = 2)]
            public static partial float TwentySixth(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient);

            [DistillationLoss(Jsd = true)]
            public static partial double TwentySeventh(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int target);
        }
        """;

    // A broken kernel in each family, so that the Diagnostics steps carry values too.
    private const string Broken = """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class BrokenOps
        {
            [Softmax(Unroll = 9)]
            public static partial void Bad(ReadOnlySpan<float> input, Span<float> output);

            [LogSoftmax]
            public static partial void AlsoBad(ReadOnlySpan<float> input, Span<int> output);

            [LayerNorm(Epsilon = -1)]
            public static partial void BadNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

            [RmsNorm]
            public static partial void BadRms(ReadOnlySpan<float> input, Span<float> output);

            [DynamicTanh]
            public static partial void BadTanh(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);

            [BatchNorm(Epsilon = -1, Affine = false)]
            public static partial void BadBatch(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, Span<float> output);

            [PowerNorm]
            public static partial void BadPower(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, Span<float> output);

            [GroupNorm(Channels = 4, Affine = false)]
            public static partial void BadGroup(ReadOnlySpan<float> input, Span<float> output);

            [TaylorSoftmax(Order = 3)]
            public static partial void BadTaylor(ReadOnlySpan<float> input, Span<float> output);

            [CompSumLoss(Tau = -1)]
            public static partial float BadCompSum(ReadOnlySpan<float> logits, int target);

            [FocalLoss(Gamma = -1)]
            public static partial float BadFocal(ReadOnlySpan<float> logits, int target);

            [DiceLoss]
            public static partial void BadDice(ReadOnlySpan<float> logits, int target);
            [GumbelSoftmax(Temperature = 0)]
            public static partial void BadGumbel(ReadOnlySpan<float> input, Span<float> output, ulong seed);

            [TopKSoftmax(K = 0)]
            public static partial void BadTopK(ReadOnlySpan<float> input, Span<float> weights, Span<int> indices);

            [SeeDNorm(Epsilon = -1)]
            public static partial void BadSeeD(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output);

            [BinaryCrossEntropy]
            public static partial float BadBce(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);

            [FocalLoss(Sigmoid = true, Alpha = 2)]
            public static partial float BadSigmoidFocal(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets);

            [MarginSoftmaxLoss(Scale = 0)]
            public static partial float BadMargin(ReadOnlySpan<float> cosines, int target);

            [InfoNceLoss]
            public static partial void BadInfoNce(ReadOnlySpan<float> similarities, int positive);

            [SphericalZLoss(A = 0)]
            public static partial float BadZ(ReadOnlySpan<float> logits, int target);

            [MultiMarginLoss]
            public static partial float BadMultiMargin(ReadOnlySpan<float> logits, ReadOnlySpan<float> target);

            [KLDivergence(Temperature = 0)]
            public static partial float BadKl(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher);

            [DistillationLoss]
            public static partial float BadDistillation(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, long target);
        }
        """;

    private const string Unrelated = """
        namespace Demo;

        public static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    private static readonly string[] StepNames =
    {
        TrackingNames.SoftmaxTransform,
        TrackingNames.LogSoftmaxTransform,
        TrackingNames.LayerNormTransform,
        TrackingNames.RmsNormTransform,
        TrackingNames.DynamicTanhTransform,
        TrackingNames.SeeDNormTransform,
        TrackingNames.BatchNormTransform,
        TrackingNames.PowerNormTransform,
        TrackingNames.GroupNormTransform,
        TrackingNames.StableMaxTransform,
        TrackingNames.SigmoidNormalizeTransform,
        TrackingNames.TaylorSoftmaxTransform,
        TrackingNames.SparsemaxTransform,
        TrackingNames.Entmax15Transform,
        TrackingNames.CompSumLossTransform,
        TrackingNames.FocalLossTransform,
        TrackingNames.DiceLossTransform,
        TrackingNames.MarginSoftmaxLossTransform,
        TrackingNames.InfoNceLossTransform,
        TrackingNames.SphericalZLossTransform,
        TrackingNames.MultiMarginLossTransform,
        TrackingNames.GumbelSoftmaxTransform,
        TrackingNames.TopKSoftmaxTransform,
        TrackingNames.BinaryCrossEntropyTransform,
        TrackingNames.SigmoidFocalLossTransform,
        TrackingNames.KLDivergenceTransform,
        TrackingNames.DistillationLossTransform,
        TrackingNames.Models,
        TrackingNames.Diagnostics,
    };

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        CSharpCompilation next = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Demo; public static class More { public const int X = 1; }",
            GeneratorHarness.ParseOptions(LanguageVersion.Latest),
            path: "More.cs",
            cancellationToken: TestContext.Current.CancellationToken));

        GeneratorRunResult result = driver.RunGenerators(next, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        AssertEverythingCached(result);
    }

    [Fact]
    public void Editing_an_unrelated_file_leaves_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        SyntaxTree old = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source3.cs");
        SyntaxTree edited = old.WithChangedText(old.GetText(TestContext.Current.CancellationToken).Replace(0, 0, "// an edit\n"));
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, edited);

        GeneratorRunResult result = driver.RunGenerators(next, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        AssertEverythingCached(result);
    }

    [Fact]
    public void Editing_a_comment_beside_a_kernel_does_not_re_emit_it()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        SyntaxTree old = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source0.cs");
        string text = old.GetText(TestContext.Current.CancellationToken).ToString();
        SyntaxTree edited = old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace("namespace Demo;", "namespace Demo; // kernels")));
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, edited);

        GeneratorRunResult result = driver.RunGenerators(next, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        AssertEverythingCached(result);
    }

    [Fact]
    public void Editing_one_attribute_re_emits_only_that_kernel()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = RunOnce();
        GeneratorRunResult before = driver.GetRunResult().Results.Single();
        SyntaxTree old = compilation.SyntaxTrees.Single(static t => t.FilePath == "Source0.cs");
        string text = old.GetText(TestContext.Current.CancellationToken).ToString();
        SyntaxTree edited = old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace("Unroll = 2", "Unroll = 4")));
        CSharpCompilation next = compilation.ReplaceSyntaxTree(old, edited);

        GeneratorRunResult after = driver.RunGenerators(next, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        // The models: First changed; Second (same file) and Third (other file) did not.
        Dictionary<string, IncrementalStepRunReason> models = after.TrackedSteps[TrackingNames.Models]
            .SelectMany(static step => step.Outputs)
            .ToDictionary(static o => MethodName(o.Value), static o => o.Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, models["First"]);
        Assert.Contains(models["Second"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Third"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Fourth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Fifth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Sixth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Seventh"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Eighth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Ninth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Twelfth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Thirteenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Fourteenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Fifteenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Sixteenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Seventeenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Eighteenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Nineteenth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["Twentieth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentyFirst"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentySecond"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentyThird"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentyFourth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentyFifth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentySixth"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Contains(models["TwentySeventh"], new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        Assert.Equal(27, models.Count);

        // The outputs: exactly one source output step re-ran, and only First's text changed.
        List<IncrementalStepRunReason> outputs = after.TrackedOutputSteps
            .SelectMany(static pair => pair.Value)
            .SelectMany(static step => step.Outputs)
            .Select(static o => o.Reason)
            .ToList();
        Assert.Equal(1, outputs.Count(static r => r == IncrementalStepRunReason.Modified));
        Assert.All(outputs, static r => Assert.Contains(r, new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));

        Dictionary<string, string> oldTexts = before.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());
        Dictionary<string, string> newTexts = after.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText.ToString());
        Assert.Equal(oldTexts.Keys.OrderBy(static k => k), newTexts.Keys.OrderBy(static k => k));
        Assert.Equal(new[] { "Demo.Ops.First.g.cs" }, oldTexts.Keys.Where(k => oldTexts[k] != newTexts[k]));
    }

    [Fact]
    public void Equal_declarations_in_separate_compilations_give_equal_models()
    {
        ImmutableArray<object> First() => Models(RunOnce().Driver);
        ImmutableArray<object> a = First();
        ImmutableArray<object> b = First();
        Assert.Equal(27, a.Length);
        Assert.Equal(a, b);
        Assert.Equal(a.Select(static m => m.GetHashCode()), b.Select(static m => m.GetHashCode()));
        Assert.All(a.Zip(b), static pair => Assert.NotSame(pair.First, pair.Second));
    }

    private static ImmutableArray<object> Models(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Models]
            .SelectMany(static step => step.Outputs)
            .Select(static o => o.Value)
            .OrderBy(static m => MethodName(m))
            .ToImmutableArray();

    private static string MethodName(object model) => model switch
    {
        SoftmaxModel softmax => softmax.Signature.MethodName,
        KernelGen.Generator.Normalization.NormalizationModel norm => norm.Signature.MethodName,
        KernelGen.Generator.Normalization.DynamicTanhModel dynamicTanh => dynamicTanh.Signature.MethodName,
        KernelGen.Generator.Normalization.SeeDNormModel seeDNorm => seeDNorm.Signature.MethodName,
        KernelGen.Generator.Normalization.ChannelNormModel channelNorm => channelNorm.Signature.MethodName,
        KernelGen.Generator.Normalization.GroupNormModel groupNorm => groupNorm.Signature.MethodName,
        KernelGen.Generator.Softmax.SoftmaxVariantModel variant => variant.Signature.MethodName,
        KernelGen.Generator.Softmax.SparseMapModel sparseMap => sparseMap.Signature.MethodName,
        KernelGen.Generator.Losses.RowLossModel rowLoss => rowLoss.Signature.MethodName,
        KernelGen.Generator.Losses.CrossEntropyModel loss => loss.Signature.MethodName,
        KernelGen.Generator.Losses.DistillationModel distillation => distillation.Signature.MethodName,
        KernelGen.Generator.Softmax.GumbelSoftmaxModel gumbel => gumbel.Signature.MethodName,
        KernelGen.Generator.Softmax.TopKSoftmaxModel topK => topK.Signature.MethodName,
        KernelGen.Generator.Losses.BinaryCrossEntropyModel binary => binary.Signature.MethodName,
        _ => throw new System.InvalidOperationException("Unknown model " + model),
    };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) RunOnce()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(LanguageVersion.Latest, Kernels, LogKernels, Broken, Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(LanguageVersion.Latest, trackSteps: true)
            .RunGenerators(compilation, TestContext.Current.CancellationToken);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.Equal(27, first.GeneratedSources.Length);
        Assert.Equal(23, first.Diagnostics.Length);
        return (driver, compilation);
    }

    private static void AssertEverythingCached(GeneratorRunResult result)
    {
        Assert.Null(result.Exception);
        foreach (string name in StepNames)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps), $"No step named {name} ran.");
            List<(object Value, IncrementalStepRunReason Reason)> outputs = steps.SelectMany(static s => s.Outputs).ToList();
            Assert.True(outputs.Count != 0, $"The step {name} has no outputs: the test would prove nothing.");
            Assert.All(outputs, o => Assert.True(
                o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{name}: {o.Reason} for {o.Value}"));
        }

        // Nothing is emitted or reported again.
        Assert.All(
            result.TrackedOutputSteps.SelectMany(static pair => pair.Value).SelectMany(static step => step.Outputs),
            static o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }
}
