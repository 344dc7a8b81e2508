using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Softmax;

/// <summary>Reads a [StableMax], [SoftplusNormalize], [SigmoidNormalize], [TaylorSoftmax] or [SphericalSoftmax] declaration into a <see cref="SoftmaxVariantModel"/>.</summary>
internal static class SoftmaxVariantParser
{
    /// <summary>The attribute's short name (also its metadata name without "KernelGen." and "Attribute").</summary>
    public static string ShortName(SoftmaxVariantKind kind) => kind.ToString();

    public static KernelResult<SoftmaxVariantModel> Parse(GeneratorAttributeSyntaxContext context, SoftmaxVariantKind kind, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string shortName = ShortName(kind);
        AttributeData attribute = context.Attributes[0];

        // Backward decides the signature, so it is read first (its diagnostics come with the rest below).
        bool backward = false;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == "Backward" && argument.Value.Value is bool b)
            {
                backward = b;
            }
        }

        SignatureShape shape = backward
            ? new SignatureShape(new[] { ParameterRole.Input, ParameterRole.OutputGradient, ParameterRole.InputGradient }, $"for [{shortName}] with Backward = true")
            : KernelDeclarationParser.InputOutput;
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(context, "KernelGen." + shortName + "Attribute", shape, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        // A double option becomes a constant of the element type: it must stay finite there.
        double limit = signature?.Element == ElementType.Float ? float.MaxValue : double.MaxValue;
        bool log = false;
        double scale = 1.0, bias = double.NaN, epsilon = 1e-6;
        int trainingLength = 0, order = 2;
        CommonOptions options = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Log":
                    log = (bool)value;
                    return null;
                case "Scale":
                    scale = (double)value;
                    return scale > 0 && scale <= limit ? null : "the scale must be finite and greater than 0";
                case "TrainingLength":
                    trainingLength = (int)value;
                    return trainingLength is 0 or >= 2 ? null : "the training length must be 0 (a fixed scale) or at least 2 (log L > 0)";
                case "Bias":
                    bias = (double)value;
                    return double.IsNaN(bias) || System.Math.Abs(bias) <= limit ? null : "the bias must be finite, or NaN for −log n";
                case "Order":
                    order = (int)value;
                    return order is 2 or 4 or 6 ? null : "the order must be 2, 4 or 6 (an even order keeps the polynomial positive)";
                case "Epsilon":
                    epsilon = (double)value;
                    return epsilon >= 0 && epsilon <= limit ? null : "ε must be finite and at least 0";
                default:
                    return null;
            }
        }, cancellationToken);

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<SoftmaxVariantModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new SoftmaxVariantModel(
            hierarchy, signature, kind, log, scale, trainingLength, bias, order, epsilon,
            options.Width, options.Unroll, options.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<SoftmaxVariantModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
