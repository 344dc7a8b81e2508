using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Softmax;

/// <summary>Reads a [Sparsemax] or [Entmax15] declaration into a <see cref="SparseMapModel"/> (or diagnostics).</summary>
internal static class SparseMapParser
{
    public static KernelResult<SparseMapModel> Parse(GeneratorAttributeSyntaxContext context, SparseMapKind kind, CancellationToken cancellationToken)
    {
        string shortName = kind == SparseMapKind.Sparsemax ? "Sparsemax" : "Entmax15";
        var diagnostics = new List<DiagnosticInfo>();
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", KernelDeclarationParser.InputOutput, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // Only the shared options (Width, Unroll, Targets): the maps have no parameter of their own.
        CommonOptions options = AttributeArgumentReader.Read(context.Attributes[0], shortName, diagnostics, static (_, _) => null, cancellationToken);
        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<SparseMapModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new SparseMapModel(hierarchy, signature, kind, options.Width, options.Unroll, options.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<SparseMapModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
