using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Normalization;

/// <summary>Reads a [SeeDNorm] declaration into a <see cref="SeeDNormModel"/> (or diagnostics).</summary>
internal static class SeeDNormParser
{
    private const string ShortName = "SeeDNorm";

    public static KernelResult<SeeDNormModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        double epsilon = 1e-6;
        CommonOptions common = AttributeArgumentReader.Read(context.Attributes[0], ShortName, diagnostics, (name, value) =>
        {
            if (name == "Epsilon")
            {
                epsilon = (double)value;
                return epsilon >= 0 && !double.IsInfinity(epsilon) ? null : "ε must be finite and at least 0";
            }

            return null;
        }, cancellationToken);

        // The per-column vectors in the order they enter y = (tanh(⟨x, β⟩)·α + γ) ⊙ x/rms: β, α, γ.
        var parameters = new List<ParameterRole>
        {
            ParameterRole.Input,
            ParameterRole.RescaleProjection,
            ParameterRole.RescaleWeight,
            ParameterRole.Weight,
            ParameterRole.Output,
        };

        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + ShortName + "Attribute", new SignatureShape(parameters, null), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<SeeDNormModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new SeeDNormModel(hierarchy, signature, epsilon, common.Width, common.Unroll, common.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<SeeDNormModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
