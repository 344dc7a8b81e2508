using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Normalization;

/// <summary>Reads a [DynamicTanh] declaration into a <see cref="DynamicTanhModel"/> (or diagnostics).</summary>
internal static class DynamicTanhParser
{
    private const string ShortName = "DynamicTanh";

    public static KernelResult<DynamicTanhModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();

        // The options come first: Affine and Bias decide which spans the signature must take.
        bool affine = true, bias = true, backward = false;
        CommonOptions common = AttributeArgumentReader.Read(context.Attributes[0], ShortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Affine":
                    affine = (bool)value;
                    return null;
                case "Bias":
                    bias = (bool)value;
                    return null;
                case "Backward":
                    backward = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        // α is a run-time scalar right after the input: it is a trained weight, like γ and β. Backward: the forward's
        // inputs that the gradient needs (x, α, γ; β does not enter it), dy, then what is written: dx, dα, dγ, dβ.
        var parameters = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Alpha };
        string options;
        if (affine)
        {
            parameters.Add(ParameterRole.Weight);
            if (bias && !backward)
            {
                parameters.Add(ParameterRole.Bias);
            }

            options = bias ? "Affine = true and Bias = true" : "Affine = true and Bias = false";
        }
        else
        {
            options = "Affine = false";
        }

        if (backward)
        {
            parameters.Add(ParameterRole.OutputGradient);
            parameters.Add(ParameterRole.InputGradient);
            parameters.Add(ParameterRole.AlphaGradient);
            if (affine)
            {
                parameters.Add(ParameterRole.WeightGradient);
                if (bias)
                {
                    parameters.Add(ParameterRole.BiasGradient);
                }
            }

            options += " and Backward = true";
        }
        else
        {
            parameters.Add(ParameterRole.Output);
            if (affine && bias)
            {
                options += " (the defaults)";
            }
        }

        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + ShortName + "Attribute", new SignatureShape(parameters, $"for [{ShortName}] with {options}"), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<DynamicTanhModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new DynamicTanhModel(hierarchy, signature, common.Width, common.Unroll, common.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<DynamicTanhModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
