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

        // The options first: Backward decides the signature.
        bool backward = false;
        CommonOptions options = AttributeArgumentReader.Read(context.Attributes[0], shortName, diagnostics, (name, value) =>
        {
            if (name == "Backward")
            {
                backward = (bool)value;
            }

            return null;
        }, cancellationToken);

        // The backward takes the forward's output y (its Jacobian is a function of y alone), then dy, then dx: the
        // norms' rule (inputs first, then outputs), with y in the place of the forward's input.
        SignatureShape shape = backward
            ? new SignatureShape(new[] { ParameterRole.Input, ParameterRole.OutputGradient, ParameterRole.InputGradient }, $"for [{shortName}] with Backward = true (the first span is the forward's output y)")
            : KernelDeclarationParser.InputOutput;
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", shape, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<SparseMapModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new SparseMapModel(hierarchy, signature, kind, backward, options.Width, options.Unroll, options.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<SparseMapModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
