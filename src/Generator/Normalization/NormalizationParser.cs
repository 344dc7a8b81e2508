using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Normalization;

/// <summary>Reads a [LayerNorm] or [RmsNorm] declaration into a <see cref="NormalizationModel"/> (or diagnostics).</summary>
internal static class NormalizationParser
{
    public static KernelResult<NormalizationModel> Parse(GeneratorAttributeSyntaxContext context, NormalizationKind kind, CancellationToken cancellationToken)
    {
        bool layer = kind == NormalizationKind.LayerNorm;
        bool l2 = kind == NormalizationKind.L2Normalize;
        string shortName = kind.ToString();
        var diagnostics = new List<DiagnosticInfo>();

        // The options come first: Affine and Bias decide which spans the signature must take.
        AttributeData attribute = context.Attributes[0];
        double epsilon = layer ? 1e-5 : l2 ? 1e-12 : 1e-6;
        double weightOffset = 0;
        bool affine = !l2, bias = true, residual = false, backward = false, compressed = false, statistics = false;
        bool offsetGiven = false;
        CommonOptions common = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Epsilon":
                    epsilon = (double)value;
                    return epsilon >= 0 && !double.IsInfinity(epsilon) ? null : "ε must be finite and at least 0";
                case "WeightOffset":
                    weightOffset = (double)value;
                    offsetGiven = true;
                    // The offset becomes a float constant in float kernels: it must stay finite there too.
                    return double.IsNaN(weightOffset) || System.Math.Abs(weightOffset) > float.MaxValue
                        ? "the offset must be finite (and within float's range: at most " + float.MaxValue.ToString("G9", CultureInfo.InvariantCulture) + " in magnitude)"
                        : null;
                case "Affine":
                    affine = (bool)value;
                    return null;
                case "Bias":
                    bias = (bool)value;
                    return null;
                case "Residual":
                    residual = (bool)value;
                    return null;
                case "Backward":
                    backward = (bool)value;
                    return null;
                case "Compressed":
                    compressed = (bool)value;
                    return null;
                case "StatisticsOutput":
                    statistics = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        if (offsetGiven && !affine && weightOffset != 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(attribute, "WeightOffset", 0, cancellationToken),
                "WeightOffset",
                AttributeArgumentReader.Format(weightOffset),
                shortName,
                "the offset applies to the weight γ, which Affine = false leaves out"));
        }

        if (backward && compressed)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(attribute, "Compressed", 0, cancellationToken),
                "Compressed",
                "true",
                shortName,
                "the compressed form CRMSNorm has no backward kernel yet: declare the forward only"));
        }

        if (backward && residual)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(attribute, "Backward", 0, cancellationToken),
                "Backward",
                "true",
                shortName,
                "the fused residual form has no backward kernel: the gradient of h = x + r is dh for both, so take the backward of the norm and add its dx to the residual's gradient"));
        }

        if (backward && statistics)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(attribute, "StatisticsOutput", 0, cancellationToken),
                "StatisticsOutput",
                "true",
                shortName,
                "the statistics are outputs of the forward kernel: the backward kernel recomputes them from the input"));
        }

        // The spans in a fixed order, the options deciding which are there. Forward: input, residual r,
        // weight γ, bias β, output, sum h, mean μ, 1/σ. Backward: the forward's inputs that the gradient needs (input,
        // weight γ; β does not enter it), the output gradient dy, then what is written: dx, dγ, dβ.
        var spans = new List<ParameterRole> { ParameterRole.Input };
        if (residual && !backward)
        {
            spans.Add(ParameterRole.Residual);
        }

        var options = new List<string>();
        bool hasWeight = !l2 && affine;
        bool hasBias = hasWeight && layer && bias;
        if (l2)
        {
            // [L2Normalize] has no options that change its signature but Backward.
        }
        else if (affine)
        {
            options.Add("Affine = true");
            if (layer)
            {
                options.Add(bias ? "Bias = true" : "Bias = false");
            }
        }
        else
        {
            options.Add("Affine = false");
        }

        if (residual)
        {
            options.Add("Residual = true");
        }

        if (backward)
        {
            options.Add("Backward = true");
            if (hasWeight)
            {
                spans.Add(ParameterRole.Weight);
            }

            spans.Add(ParameterRole.OutputGradient);
            spans.Add(ParameterRole.InputGradient);
            if (hasWeight)
            {
                spans.Add(ParameterRole.WeightGradient);
            }

            if (hasBias)
            {
                spans.Add(ParameterRole.BiasGradient);
            }
        }
        else
        {
            if (hasWeight)
            {
                spans.Add(ParameterRole.Weight);
            }

            if (hasBias)
            {
                spans.Add(ParameterRole.Bias);
            }

            spans.Add(ParameterRole.Output);
            if (residual)
            {
                spans.Add(ParameterRole.Sum);
            }

            // The per-row statistics, last: LayerNorm's μ and 1/sqrt(σ² + ε), RmsNorm's 1/RMS.
            if (statistics)
            {
                options.Add("StatisticsOutput = true");
                if (layer)
                {
                    spans.Add(ParameterRole.Mean);
                }

                spans.Add(ParameterRole.InverseStdDev);
            }
        }

        bool defaults = affine && (!layer || bias) && !residual && !backward && !statistics;
        string? condition = options.Count == 0 ? null : $"for [{shortName}] with {string.Join(" and ", options)}{(defaults ? (options.Count > 1 ? " (the defaults)" : " (the default)") : string.Empty)}";
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", new SignatureShape(spans, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (common.Parallel && (backward || signature is { Shape: KernelShape.OneRow }))
        {
            diagnostics.Add(DiagnosticInfo.Create(
                Diagnostics.KernelDiagnostics.InvalidAttributeArgument,
                AttributeArgumentReader.ArgumentLocation(attribute, "Parallel", 0, cancellationToken),
                "Parallel",
                "true",
                shortName,
                backward
                    ? "the backward kernels add dγ and dβ over all rows and run on one thread: leave Parallel out"
                    : "Parallel splits the rows of the many-rows form: add the 'int rowLength' parameter, or leave Parallel out"));
        }

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<NormalizationModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new NormalizationModel(
            hierarchy,
            signature,
            kind,
            epsilon,
            weightOffset,
            compressed,
            common.Width,
            common.Unroll,
            common.Targets | CommonOptions.ScalarTarget,
            common.Parallel);
        return new KernelResult<NormalizationModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
