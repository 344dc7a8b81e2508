using KernelGen.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator.Models;

// Every model here is immutable and compares by value: strings, primitives, enums, nested records
// and EquatableArray only. No ISymbol, SyntaxNode, Location or Compilation: holding any of them
// would break the incremental pipeline's caching (an edit anywhere would re-emit every kernel).

/// <summary>The element type of a kernel's spans.</summary>
internal enum ElementType
{
    Float,
    Double,
}

/// <summary>The signature shape of a kernel (api.md, "Signature shapes").</summary>
internal enum KernelShape
{
    /// <summary><c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c>.</summary>
    OneRow,

    /// <summary><c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c>.</summary>
    ManyRows,
}

/// <summary>One type that contains a kernel, outermost first in <see cref="HierarchyInfo.Types"/>.</summary>
internal sealed record ContainingTypeInfo(string Name);

/// <summary>Where a kernel lives: its namespace (null for the global namespace) and its containing types.</summary>
internal sealed record HierarchyInfo(string? Namespace, EquatableArray<ContainingTypeInfo> Types)
{
    /// <summary>The hint-name prefix: namespace and type names joined by dots.</summary>
    public string FullName => (this.Namespace is null ? string.Empty : this.Namespace + ".") + string.Join(".", System.Linq.Enumerable.Select(this.Types, static t => t.Name));
}

/// <summary>The parts of a kernel's declaration that its implementation must repeat.</summary>
/// <param name="MethodName">The method's name.</param>
/// <param name="Modifiers">The declared accessibility keywords and the modifiers the implementation must repeat (new, unsafe); "" when there are none.</param>
/// <param name="PathsAccessibility">The accessibility of the nested paths class (the method's effective one).</param>
/// <param name="Element">float or double.</param>
/// <param name="Shape">One row or many rows.</param>
/// <param name="InputName">The input parameter's name, escaped for C#.</param>
/// <param name="OutputName">The output parameter's name, escaped for C#.</param>
/// <param name="RowLengthName">The row-length parameter's name, escaped, for <see cref="KernelShape.ManyRows"/>.</param>
internal sealed record KernelSignature(
    string MethodName,
    string Modifiers,
    string PathsAccessibility,
    ElementType Element,
    KernelShape Shape,
    string InputName,
    string OutputName,
    string? RowLengthName);

/// <summary>A source location that compares by value (file path, span and line span).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(this.FilePath, this.Span, this.LineSpan);
}

/// <summary>A diagnostic as plain data: created in the transform, turned into a <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments));
}
