using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Normalization;

/// <summary>Reads a [GroupNorm] declaration into a <see cref="GroupNormModel"/> (or diagnostics).</summary>
internal static class GroupNormParser
{
    private const string ShortName = "GroupNorm";

    public static KernelResult<GroupNormModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        AttributeData attribute = context.Attributes[0];
        double epsilon = 1e-5;
        bool affine = true;
        int groups = 0, channels = 0;
        CommonOptions common = AttributeArgumentReader.Read(attribute, ShortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Epsilon":
                    epsilon = (double)value;
                    return epsilon >= 0 && !double.IsInfinity(epsilon) ? null : "ε must be finite and at least 0";
                case "Affine":
                    affine = (bool)value;
                    return null;
                case "Groups":
                    groups = (int)value;
                    return groups > 0 ? null : "the number of groups must be at least 1";
                case "Channels":
                    channels = (int)value;
                    return channels > 0 ? null : "the number of channels must be at least 1";
                default:
                    return null;
            }
        }, cancellationToken);

        void Report(string name, int value, string reason) => diagnostics.Add(DiagnosticInfo.Create(
            KernelDiagnostics.InvalidAttributeArgument,
            AttributeArgumentReader.ArgumentLocation(attribute, name, 0, cancellationToken),
            name,
            value.ToString(CultureInfo.InvariantCulture),
            ShortName,
            reason));

        // Groups and Channels have no defaults: a model's architecture fixes them, and a guess would normalize silently wrong.
        if (!attribute.NamedArguments.Any(static a => a.Key == "Groups"))
        {
            Report("Groups", 0, "set the number of groups G (PyTorch's num_groups), at least 1");
        }

        if (!attribute.NamedArguments.Any(static a => a.Key == "Channels"))
        {
            Report("Channels", 0, "set the number of channels C (PyTorch's num_channels), a multiple of Groups");
        }
        else if (groups > 0 && channels > 0 && channels % groups != 0)
        {
            Report("Channels", channels, $"the channels must split into {groups} groups of equal size (a multiple of Groups = {groups})");
        }

        if (common.Width > 0 && channels > 0 && common.Width % channels != 0)
        {
            Report("Width", common.Width, $"a row is {channels} planes of H·W elements: the width must be a multiple of Channels = {channels}");
        }

        var spans = new List<ParameterRole> { ParameterRole.Input };
        if (affine)
        {
            spans.Add(ParameterRole.Weight);
            spans.Add(ParameterRole.Bias);
        }

        spans.Add(ParameterRole.Output);
        string condition = $"for [{ShortName}] with {(affine ? "Affine = true (the default)" : "Affine = false")}";
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + ShortName + "Attribute", new SignatureShape(spans, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<GroupNormModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new GroupNormModel(hierarchy, signature, groups, channels, epsilon, common.Width, common.Unroll, common.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<GroupNormModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
