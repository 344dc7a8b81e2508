using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Normalization;

/// <summary>Reads a [BatchNorm] or [PowerNorm] declaration into a <see cref="ChannelNormModel"/> (or diagnostics).</summary>
internal static class ChannelNormParser
{
    public static KernelResult<ChannelNormModel> Parse(GeneratorAttributeSyntaxContext context, ChannelNormKind kind, CancellationToken cancellationToken)
    {
        string shortName = kind.ToString();
        var diagnostics = new List<DiagnosticInfo>();

        // The options come first: Affine decides which spans the signature must take.
        double epsilon = 1e-5;
        bool affine = true;
        bool training = false;
        double momentum = 0.1;
        bool momentumGiven = false;
        CommonOptions common = AttributeArgumentReader.Read(context.Attributes[0], shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Epsilon":
                    epsilon = (double)value;
                    return epsilon >= 0 && !double.IsInfinity(epsilon) ? null : "ε must be finite and at least 0";
                case "Affine":
                    affine = (bool)value;
                    return null;
                case "Training":
                    training = (bool)value;
                    return null;
                case "Momentum":
                    momentum = (double)value;
                    momentumGiven = true;
                    return momentum is >= 0 and <= 1 ? null : "the momentum is the batch's weight in the update of ψ²: it must be in [0, 1]";
                default:
                    return null;
            }
        }, cancellationToken);

        if (momentumGiven && !training && momentum is >= 0 and <= 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(context.Attributes[0], "Momentum", 0, cancellationToken),
                "Momentum",
                AttributeArgumentReader.Format(momentum),
                shortName,
                "the momentum weighs the update of ψ², which only Training = true makes"));
        }

        // The spans in a fixed order: input, the running statistics (as PyTorch's F.batch_norm takes them), γ, β, output.
        var spans = new List<ParameterRole> { ParameterRole.Input };
        if (kind == ChannelNormKind.BatchNorm)
        {
            spans.Add(ParameterRole.RunningMean);
            spans.Add(ParameterRole.RunningVariance);
        }
        else
        {
            spans.Add(training ? ParameterRole.UpdatedQuadraticMean : ParameterRole.RunningQuadraticMean);
        }

        if (affine)
        {
            spans.Add(ParameterRole.Weight);
            spans.Add(ParameterRole.Bias);
        }

        spans.Add(ParameterRole.Output);
        string condition = $"for [{shortName}] with {(affine ? "Affine = true (the default)" : "Affine = false")}{(training ? " and Training = true (ψ² is a Span<T>: the call updates it)" : string.Empty)}";
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", new SignatureShape(spans, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<ChannelNormModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new ChannelNormModel(hierarchy, signature, kind, epsilon, common.Width, common.Unroll, common.Targets | CommonOptions.ScalarTarget, training, training ? momentum : 0);
        return new KernelResult<ChannelNormModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
