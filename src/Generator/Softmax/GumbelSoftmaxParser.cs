using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Softmax;

/// <summary>Reads a [GumbelSoftmax] declaration into a <see cref="GumbelSoftmaxModel"/> (or diagnostics).</summary>
internal static class GumbelSoftmaxParser
{
    /// <summary>Noise from the caller: logits, then the uniform samples, then the output.</summary>
    private static readonly SignatureShape WithUniform = new(
        new[] { ParameterRole.Input, ParameterRole.Uniform, ParameterRole.Output },
        "for [GumbelSoftmax] with noise from the caller (seeded: 'void M(ReadOnlySpan<T> logits, Span<T> output, ulong seed[, int rowLength])')");

    /// <summary>Seeded noise: logits, output, then the seed.</summary>
    private static readonly SignatureShape WithSeed = new(
        new[] { ParameterRole.Input, ParameterRole.Output, ParameterRole.Seed },
        "for [GumbelSoftmax] with seeded noise (the ulong parameter)");

    public static KernelResult<GumbelSoftmaxModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();

        // The types decide the form: a ulong parameter anywhere means seeded noise (its place is then checked), else
        // the second span is the caller's uniform samples.
        bool seeded = context.TargetSymbol is IMethodSymbol method && method.Parameters.Any(static p => p.Type.SpecialType == SpecialType.System_UInt64);
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen.GumbelSoftmaxAttribute", seeded ? WithSeed : WithUniform, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        double limit = signature?.Element == ElementType.Float ? float.MaxValue : double.MaxValue;
        double temperature = 1.0;
        bool hard = false;
        CommonOptions options = AttributeArgumentReader.Read(context.Attributes[0], "GumbelSoftmax", diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Temperature":
                    temperature = (double)value;
                    return temperature > 0 && temperature <= limit ? null : "the temperature τ must be finite and greater than 0";
                case "Hard":
                    hard = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<GumbelSoftmaxModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new GumbelSoftmaxModel(hierarchy, signature, temperature, hard, options.Width, options.Unroll, options.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<GumbelSoftmaxModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
