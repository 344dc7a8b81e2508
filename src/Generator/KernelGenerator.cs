using System.Collections.Immutable;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Losses;
using KernelGen.Generator.Models;
using KernelGen.Generator.Normalization;
using KernelGen.Generator.Softmax;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator;

/// <summary>
/// The KernelGen incremental generator: for every <c>static partial</c> method carrying a kernel
/// attribute, it writes the method's body, its paths class and its reference.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // One pipeline per attribute. The predicate is syntactic; the transform reads the symbol
        // into a value-equal model plus diagnostics, so unrelated edits hit the cache.
        RegisterFamily(context, Pipeline(context, "KernelGen.SoftmaxAttribute", TrackingNames.SoftmaxTransform, static (c, t) => SoftmaxParser.Parse(c, SoftmaxKind.Softmax, t)), SoftmaxEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.LogSoftmaxAttribute", TrackingNames.LogSoftmaxTransform, static (c, t) => SoftmaxParser.Parse(c, SoftmaxKind.LogSoftmax, t)), SoftmaxEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.LayerNormAttribute", TrackingNames.LayerNormTransform, static (c, t) => NormalizationParser.Parse(c, NormalizationKind.LayerNorm, t)), NormalizationEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.RmsNormAttribute", TrackingNames.RmsNormTransform, static (c, t) => NormalizationParser.Parse(c, NormalizationKind.RmsNorm, t)), NormalizationEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.L2NormalizeAttribute", TrackingNames.L2NormalizeTransform, static (c, t) => NormalizationParser.Parse(c, NormalizationKind.L2Normalize, t)), NormalizationEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.CrossEntropyAttribute", TrackingNames.CrossEntropyTransform, static (c, t) => CrossEntropyParser.Parse(c, t)), CrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.CompSumLossAttribute", TrackingNames.CompSumLossTransform, static (c, t) => CrossEntropyParser.Parse(c, TargetLossKind.CompSum, t)), CrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.FocalLossAttribute", TrackingNames.FocalLossTransform, static (c, t) => CrossEntropyParser.Parse(c, TargetLossKind.Focal, t)), CrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.FocalLossAttribute", TrackingNames.SigmoidFocalLossTransform, static (c, t) => BinaryCrossEntropyParser.ParseSigmoidFocal(c, t)), BinaryCrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.DiceLossAttribute", TrackingNames.DiceLossTransform, static (c, t) => CrossEntropyParser.Parse(c, TargetLossKind.Dice, t)), CrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.MarginSoftmaxLossAttribute", TrackingNames.MarginSoftmaxLossTransform, static (c, t) => CrossEntropyParser.Parse(c, TargetLossKind.MarginSoftmax, t)), CrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.InfoNceLossAttribute", TrackingNames.InfoNceLossTransform, static (c, t) => CrossEntropyParser.Parse(c, TargetLossKind.InfoNce, t)), CrossEntropyEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.SphericalZLossAttribute", TrackingNames.SphericalZLossTransform, static (c, t) => RowLossParser.Parse(c, multiMargin: false, t)), RowLossEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.MultiMarginLossAttribute", TrackingNames.MultiMarginLossTransform, static (c, t) => RowLossParser.Parse(c, multiMargin: true, t)), RowLossEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.KLDivergenceAttribute", TrackingNames.KLDivergenceTransform, static (c, t) => DistillationParser.Parse(c, DistillationKind.KLDivergence, t)), DistillationEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.DistillationLossAttribute", TrackingNames.DistillationLossTransform, static (c, t) => DistillationParser.Parse(c, DistillationKind.DistillationLoss, t)), DistillationEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.DynamicTanhAttribute", TrackingNames.DynamicTanhTransform, static (c, t) => DynamicTanhParser.Parse(c, t)), DynamicTanhEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.SeeDNormAttribute", TrackingNames.SeeDNormTransform, static (c, t) => SeeDNormParser.Parse(c, t)), SeeDNormEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.SparsemaxAttribute", TrackingNames.SparsemaxTransform, static (c, t) => SparseMapParser.Parse(c, SparseMapKind.Sparsemax, t)), SparseMapEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.Entmax15Attribute", TrackingNames.Entmax15Transform, static (c, t) => SparseMapParser.Parse(c, SparseMapKind.Entmax15, t)), SparseMapEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.BatchNormAttribute", TrackingNames.BatchNormTransform, static (c, t) => ChannelNormParser.Parse(c, ChannelNormKind.BatchNorm, t)), ChannelNormEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.PowerNormAttribute", TrackingNames.PowerNormTransform, static (c, t) => ChannelNormParser.Parse(c, ChannelNormKind.PowerNorm, t)), ChannelNormEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.GroupNormAttribute", TrackingNames.GroupNormTransform, static (c, t) => GroupNormParser.Parse(c, t)), GroupNormEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.StableMaxAttribute", TrackingNames.StableMaxTransform, static (c, t) => SoftmaxVariantParser.Parse(c, SoftmaxVariantKind.StableMax, t)), SoftmaxVariantEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.SoftplusNormalizeAttribute", TrackingNames.SoftplusNormalizeTransform, static (c, t) => SoftmaxVariantParser.Parse(c, SoftmaxVariantKind.SoftplusNormalize, t)), SoftmaxVariantEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.SigmoidNormalizeAttribute", TrackingNames.SigmoidNormalizeTransform, static (c, t) => SoftmaxVariantParser.Parse(c, SoftmaxVariantKind.SigmoidNormalize, t)), SoftmaxVariantEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.TaylorSoftmaxAttribute", TrackingNames.TaylorSoftmaxTransform, static (c, t) => SoftmaxVariantParser.Parse(c, SoftmaxVariantKind.TaylorSoftmax, t)), SoftmaxVariantEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.SphericalSoftmaxAttribute", TrackingNames.SphericalSoftmaxTransform, static (c, t) => SoftmaxVariantParser.Parse(c, SoftmaxVariantKind.SphericalSoftmax, t)), SoftmaxVariantEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.GumbelSoftmaxAttribute", TrackingNames.GumbelSoftmaxTransform, static (c, t) => GumbelSoftmaxParser.Parse(c, t)), GumbelSoftmaxEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.TopKSoftmaxAttribute", TrackingNames.TopKSoftmaxTransform, static (c, t) => TopKSoftmaxParser.Parse(c, t)), TopKSoftmaxEmitter.Emit);
        RegisterFamily(context, Pipeline(context, "KernelGen.BinaryCrossEntropyAttribute", TrackingNames.BinaryCrossEntropyTransform, static (c, t) => BinaryCrossEntropyParser.Parse(c, t)), BinaryCrossEntropyEmitter.Emit);
    }

    private static IncrementalValuesProvider<KernelResult<TModel>> Pipeline<TModel>(
        IncrementalGeneratorInitializationContext context,
        string attributeName,
        string trackingName,
        System.Func<GeneratorAttributeSyntaxContext, System.Threading.CancellationToken, KernelResult<TModel>> parse)
        where TModel : class, IKernelModel =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attributeName,
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                (c, t) => parse(c, t))
            .WithTrackingName(trackingName);

    private static void RegisterFamily<TModel>(
        IncrementalGeneratorInitializationContext context,
        IncrementalValuesProvider<KernelResult<TModel>> results,
        System.Func<TModel, string> emit)
        where TModel : class, IKernelModel
    {
        // Diagnostics and models travel separately, so a diagnostic change does not re-emit code and vice versa.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => d.Count != 0)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (DiagnosticInfo info in items)
            {
                spc.ReportDiagnostic(Diagnostic.Create(KernelDiagnostics.Get(info.Id), info.Location?.ToLocation(), info.Arguments.ToArray<object>()));
            }
        });

        IncrementalValuesProvider<TModel> models = results
            .Select(static (r, _) => r.Model!)
            .Where(static m => m is not null)
            .WithTrackingName(TrackingNames.Models);
        context.RegisterSourceOutput(models, (spc, model) =>
            spc.AddSource(model.HintName, SourceText.From(emit(model), System.Text.Encoding.UTF8)));
    }
}
