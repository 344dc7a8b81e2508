using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic KernelGen reports. Each ID has a section in docs/diagnostics.md, which the
/// help link opens.
/// </summary>
internal static class KernelDiagnostics
{
    private const string Category = "KernelGen";
    private const string HelpBase = "https://github.com/kernelgen/kernelgen/blob/main/docs/diagnostics.md#";

    /// <summary>Format: "The kernel method '{0}' must be declared 'static partial' ...".</summary>
    public static readonly DiagnosticDescriptor NotStaticPartial = Create(
        "KG0001",
        "Kernel method must be static partial",
        "The kernel method '{0}' must be declared 'static partial' so that KernelGen can write its body");

    /// <summary>Format: "The kernel method '{0}' already has a body ...".</summary>
    public static readonly DiagnosticDescriptor HasBody = Create(
        "KG0002",
        "Kernel method already has a body",
        "The kernel method '{0}' already has a body; declare it without one and KernelGen writes it");

    /// <summary>Format: "The kernel method '{0}' is declared in {1} '{2}' ...".</summary>
    public static readonly DiagnosticDescriptor InvalidContainingType = Create(
        "KG0003",
        "Kernel must be declared in a class",
        "The kernel method '{0}' is declared in {1} '{2}'; kernels must be declared in classes (not records, structs, interfaces or file-local types)");

    /// <summary>Format: "The type '{0}' that contains the kernel method '{1}' must be partial".</summary>
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
        "KG0004",
        "Containing type must be partial",
        "The type '{0}' that contains the kernel method '{1}' must be declared 'partial'");

    /// <summary>Format: "The kernel method '{0}' cannot be generic ...".</summary>
    public static readonly DiagnosticDescriptor Generic = Create(
        "KG0005",
        "Kernels cannot be generic",
        "The kernel method '{0}' cannot be generic or be declared in a generic type; declare one kernel per element type");

    /// <summary>Format: "The kernel method '{0}' has an unsupported signature: {1} ...".</summary>
    public static readonly DiagnosticDescriptor InvalidSignature = Create(
        "KG0006",
        "Unsupported kernel signature",
        "The kernel method '{0}' has an unsupported signature: {1}. Expected {2}.");

    /// <summary>Format: "The kernel method '{0}' carries several kernel attributes ({1}) ...".</summary>
    public static readonly DiagnosticDescriptor MultipleKernelAttributes = Create(
        "KG0007",
        "More than one kernel attribute",
        "The kernel method '{0}' carries several kernel attributes ({1}); keep exactly one");

    /// <summary>Format: "{0} = {1} is not valid for [{2}]: {3}".</summary>
    public static readonly DiagnosticDescriptor InvalidAttributeArgument = Create(
        "KG0008",
        "Attribute argument out of range",
        "{0} = {1} is not valid for [{2}]: {3}");

    /// <summary>Format: "Kernel attributes apply to methods of a partial class, not to the local function '{0}'".</summary>
    public static readonly DiagnosticDescriptor LocalFunction = Create(
        "KG0009",
        "Kernels cannot be local functions",
        "Kernel attributes apply to static partial methods of a partial class, not to the local function '{0}'");

    /// <summary>Format: "The kernel method '{0}' shares its name with another member of '{1}' ...".</summary>
    public static readonly DiagnosticDescriptor NameConflict = Create(
        "KG0010",
        "Kernel name is not unique",
        "The kernel method '{0}' shares its name with another member of '{1}' (an overload, or a member named '{0}Paths'); give each kernel its own name");

    /// <summary>Format: "The kernel method '{0}' is declared under the C# keyword '{1}' ...".</summary>
    public static readonly DiagnosticDescriptor KeywordName = Create(
        "KG0011",
        "Kernel names cannot be C# keywords",
        "The kernel method '{0}' is declared under the C# keyword '{1}' (written '@{1}'), as its own name or the name of a containing type or namespace; KernelGen cannot generate code for it: rename it");

    /// <summary>All descriptors, for the analyzer's SupportedDiagnostics and for tests.</summary>
    public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
    {
        NotStaticPartial, HasBody, InvalidContainingType, ContainingTypeNotPartial, Generic,
        InvalidSignature, MultipleKernelAttributes, InvalidAttributeArgument, LocalFunction, NameConflict,
        KeywordName,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = All.ToDictionary(static d => d.Id);

    /// <summary>Finds a descriptor by ID (diagnostics travel through the pipeline as IDs).</summary>
    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
