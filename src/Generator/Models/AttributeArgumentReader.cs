using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Models;

/// <summary>The options every kernel attribute shares.</summary>
internal sealed class CommonOptions
{
    public const int AllTargets = 31;
    public const int ScalarTarget = 1;

    /// <summary>The fixed row length, or 0.</summary>
    public int Width { get; set; }

    /// <summary>Vectors per iteration, 1..8, or 0 for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The KernelTargets flags asked for (without the always-emitted Scalar bit added).</summary>
    public int Targets { get; set; } = AllTargets;

    /// <summary>Parallel = true: the many-rows form splits its rows over threads (only on the attributes that declare it).</summary>
    public bool Parallel { get; set; }
}

/// <summary>
/// Walks a kernel attribute's named arguments: checks the shared ones (Width, Unroll, Targets, Parallel) and
/// hands the family's own to <c>readFamily</c>, which returns null when the value is valid or the
/// reason it is not (reported as KG0008 at that argument).
/// </summary>
internal static class AttributeArgumentReader
{
    public static CommonOptions Read(
        AttributeData attribute,
        string shortName,
        List<DiagnosticInfo> diagnostics,
        Func<string, object, string?> readFamily,
        CancellationToken cancellationToken)
    {
        var options = new CommonOptions();
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

            object value = argument.Value.Value;
            string? reason = null;
            switch (argument.Key)
            {
                case "Width":
                    options.Width = (int)value;
                    reason = options.Width < 0 ? "the width must be 0 (any row length) or a positive row length" : null;
                    break;
                case "Unroll":
                    options.Unroll = (int)value;
                    reason = options.Unroll is < 0 or > 8 ? "the unroll must be 0 (the generator's choice) or 1 to 8 vectors" : null;
                    break;
                case "Parallel":
                    options.Parallel = (bool)value;
                    break;
                case "Targets":
                    options.Targets = (int)value;
                    reason = options.Targets == 0 ? "name at least one target (Scalar is always emitted, but an empty set is a mistake)"
                        : (options.Targets & ~CommonOptions.AllTargets) != 0 ? "it contains bits that are not KernelTargets values"
                        : null;
                    break;
                default:
                    reason = readFamily(argument.Key, value);
                    break;
            }

            if (reason is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    KernelDiagnostics.InvalidAttributeArgument,
                    ArgumentLocation(attribute, argument.Key, occurrence, cancellationToken),
                    argument.Key,
                    Format(value),
                    shortName,
                    reason));
            }
        }

        return options;
    }

    /// <summary>Where the <paramref name="occurrence"/>-th argument named <paramref name="name"/> is written (or the attribute).</summary>
    public static Location? ArgumentLocation(AttributeData attribute, string name, int occurrence, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments.Where(a => a.NameEquals?.Name.Identifier.ValueText == name).ElementAtOrDefault(occurrence);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }

    /// <summary>An argument's value as the messages show it (invariant culture, doubles round-trip).</summary>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
