using System.Collections.Immutable;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
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
        IncrementalValuesProvider<KernelResult<SoftmaxModel>> softmax = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "KernelGen.SoftmaxAttribute",
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                static (context, token) => SoftmaxParser.Parse(context, SoftmaxKind.Softmax, token))
            .WithTrackingName(TrackingNames.SoftmaxTransform);

        IncrementalValuesProvider<KernelResult<SoftmaxModel>> logSoftmax = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "KernelGen.LogSoftmaxAttribute",
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                static (context, token) => SoftmaxParser.Parse(context, SoftmaxKind.LogSoftmax, token))
            .WithTrackingName(TrackingNames.LogSoftmaxTransform);

        IncrementalValuesProvider<KernelResult<NormalizationModel>> layerNorm = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "KernelGen.LayerNormAttribute",
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                static (context, token) => NormalizationParser.Parse(context, NormalizationKind.LayerNorm, token))
            .WithTrackingName(TrackingNames.LayerNormTransform);

        IncrementalValuesProvider<KernelResult<NormalizationModel>> rmsNorm = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "KernelGen.RmsNormAttribute",
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                static (context, token) => NormalizationParser.Parse(context, NormalizationKind.RmsNorm, token))
            .WithTrackingName(TrackingNames.RmsNormTransform);

        IncrementalValuesProvider<KernelResult<NormalizationModel>> l2Normalize = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "KernelGen.L2NormalizeAttribute",
                static (node, _) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax,
                static (context, token) => NormalizationParser.Parse(context, NormalizationKind.L2Normalize, token))
            .WithTrackingName(TrackingNames.L2NormalizeTransform);

        RegisterFamily(context, softmax, SoftmaxEmitter.Emit);
        RegisterFamily(context, logSoftmax, SoftmaxEmitter.Emit);
        RegisterFamily(context, layerNorm, NormalizationEmitter.Emit);
        RegisterFamily(context, rmsNorm, NormalizationEmitter.Emit);
        RegisterFamily(context, l2Normalize, NormalizationEmitter.Emit);
    }

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
