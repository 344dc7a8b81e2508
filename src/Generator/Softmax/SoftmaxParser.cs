using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Softmax;

/// <summary>Reads a [Softmax] or [LogSoftmax] declaration into a <see cref="SoftmaxModel"/> (or diagnostics).</summary>
internal static class SoftmaxParser
{
    public static KernelResult<SoftmaxModel> Parse(GeneratorAttributeSyntaxContext context, SoftmaxKind kind, CancellationToken cancellationToken)
    {
        string attributeName = kind == SoftmaxKind.Softmax ? "KernelGen.SoftmaxAttribute" : "KernelGen.LogSoftmaxAttribute";
        var diagnostics = new List<DiagnosticInfo>();
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(context, attributeName, KernelDeclarationParser.InputOutput, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        AttributeData attribute = context.Attributes[0];
        string shortName = kind == SoftmaxKind.Softmax ? "Softmax" : "LogSoftmax";
        int algorithm = 0;
        double temperature = 1.0;
        CommonOptions options = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Algorithm":
                    algorithm = (int)value;
                    return algorithm is < 0 or > 4 ? "it is not a SoftmaxAlgorithm value" : null;
                case "Temperature":
                    temperature = (double)value;
                    if (!(temperature > 0) || double.IsInfinity(temperature))
                    {
                        return "the temperature must be finite and greater than 0";
                    }

                    return signature is not null ? TemperatureRangeError(temperature, signature.Element) : null;
                default:
                    return null;
            }
        }, cancellationToken);

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<SoftmaxModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new SoftmaxModel(
            hierarchy,
            signature,
            kind,
            (SoftmaxAlgorithmKind)algorithm,
            temperature,
            options.Width,
            options.Unroll,
            options.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<SoftmaxModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }

    // The emitter bakes 1/T into constants of the element type, and for double also the rounding error of
    // 1/T, found with Dekker's split (a multiplication by 2^27 + 1 of T and of 1/T): all must stay finite,
    // or the generated code would hold 'Infinity' or 'NaN' literals that do not compile.
    private static string? TemperatureRangeError(double temperature, ElementType element)
    {
        const double DekkerSplitter = 134217729.0;
        double inverse = 1.0 / temperature;
        if (element == ElementType.Float)
        {
            return float.IsInfinity((float)inverse)
                ? "1/T overflows float: a float kernel's temperature must be at least " + (1.0 / float.MaxValue).ToString("G2", CultureInfo.InvariantCulture)
                : null;
        }

        return System.Math.Max(temperature, inverse) > double.MaxValue / DekkerSplitter
            ? "a double kernel's temperature must lie between " + (DekkerSplitter / double.MaxValue).ToString("G2", CultureInfo.InvariantCulture)
                + " and " + (double.MaxValue / DekkerSplitter).ToString("G2", CultureInfo.InvariantCulture)
            : null;
    }
}
