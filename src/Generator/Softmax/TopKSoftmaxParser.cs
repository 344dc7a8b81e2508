using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Softmax;

/// <summary>Reads a [TopKSoftmax] declaration into a <see cref="TopKSoftmaxModel"/> (or diagnostics).</summary>
internal static class TopKSoftmaxParser
{
    private static readonly SignatureShape Shape = new(
        new[] { ParameterRole.Input, ParameterRole.Output, ParameterRole.Indices },
        "for [TopKSoftmax] (logits, weights, indices)");

    public static KernelResult<TopKSoftmaxModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen.TopKSoftmaxAttribute", Shape, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        int k = 2;
        bool compact = false;
        CommonOptions options = AttributeArgumentReader.Read(context.Attributes[0], "TopKSoftmax", diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "K":
                    k = (int)value;
                    return k is >= 1 and <= TopKSoftmaxModel.MaxK ? null : $"K must be 1 to {TopKSoftmaxModel.MaxK} (the kept entries live on the stack)";
                case "Compact":
                    compact = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<TopKSoftmaxModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        if (options.Width != 0 && options.Width < k)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(context.Attributes[0], "Width", 0, cancellationToken),
                "Width",
                AttributeArgumentReader.Format(options.Width),
                "TopKSoftmax",
                $"a fixed row length shorter than K = {k} has no K largest"));
            return new KernelResult<TopKSoftmaxModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new TopKSoftmaxModel(hierarchy, signature, k, compact, options.Width, options.Unroll, options.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<TopKSoftmaxModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
