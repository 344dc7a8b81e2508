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
    private const int AllTargets = 31;
    private const int ScalarTarget = 1;

    public static KernelResult<SoftmaxModel> Parse(GeneratorAttributeSyntaxContext context, SoftmaxKind kind, CancellationToken cancellationToken)
    {
        string attributeName = kind == SoftmaxKind.Softmax ? "KernelGen.SoftmaxAttribute" : "KernelGen.LogSoftmaxAttribute";
        var diagnostics = new List<DiagnosticInfo>();
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(context, attributeName, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        AttributeData attribute = context.Attributes[0];
        string shortName = kind == SoftmaxKind.Softmax ? "Softmax" : "LogSoftmax";
        int algorithm = 0, width = 0, unroll = 0, targets = AllTargets;
        double temperature = 1.0;
        var occurrences = new Dictionary<string, int>();
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            // A name given twice (CS0643) appears twice: the n-th occurrence is located at the n-th such argument.
            occurrences.TryGetValue(argument.Key, out int occurrence);
            occurrences[argument.Key] = occurrence + 1;
            if (argument.Value.Kind == TypedConstantKind.Error || argument.Value.Value is null)
            {
                continue;
            }

            Location? Where() => ArgumentLocation(attribute, argument.Key, occurrence, cancellationToken);
            void Invalid(string reason) => diagnostics.Add(DiagnosticInfo.Create(
                KernelDiagnostics.InvalidAttributeArgument, Where(), argument.Key, Format(argument.Value.Value), shortName, reason));

            switch (argument.Key)
            {
                case "Algorithm":
                    algorithm = (int)argument.Value.Value;
                    if (algorithm is < 0 or > 4)
                    {
                        Invalid("it is not a SoftmaxAlgorithm value");
                    }

                    break;
                case "Temperature":
                    temperature = (double)argument.Value.Value;
                    if (!(temperature > 0) || double.IsInfinity(temperature))
                    {
                        Invalid("the temperature must be finite and greater than 0");
                    }
                    else if (signature is not null && TemperatureRangeError(temperature, signature.Element) is { } reason)
                    {
                        Invalid(reason);
                    }

                    break;
                case "Width":
                    width = (int)argument.Value.Value;
                    if (width < 0)
                    {
                        Invalid("the width must be 0 (any row length) or a positive row length");
                    }

                    break;
                case "Unroll":
                    unroll = (int)argument.Value.Value;
                    if (unroll is < 0 or > 8)
                    {
                        Invalid("the unroll must be 0 (the generator's choice) or 1 to 8 vectors");
                    }

                    break;
                case "Targets":
                    targets = (int)argument.Value.Value;
                    if (targets == 0)
                    {
                        Invalid("name at least one target (Scalar is always emitted, but an empty set is a mistake)");
                    }
                    else if ((targets & ~AllTargets) != 0)
                    {
                        Invalid("it contains bits that are not KernelTargets values");
                    }

                    break;
            }
        }

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
            width,
            unroll,
            targets | ScalarTarget);
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

    private static Location? ArgumentLocation(AttributeData attribute, string name, int occurrence, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments.Where(a => a.NameEquals?.Name.Identifier.ValueText == name).ElementAtOrDefault(occurrence);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
