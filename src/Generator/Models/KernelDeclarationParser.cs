using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Models;

/// <summary>
/// Checks what every kernel declaration shares (a static partial method with no body, in
/// partial non-generic classes, with a supported span signature, one kernel attribute) and
/// reads it into a <see cref="KernelSignature"/>. Family parsers add their attribute's options.
/// </summary>
/// <remarks>
/// Diagnostics are produced here, in the generator's transform, and travel as
/// <see cref="DiagnosticInfo"/> beside the model (rather than in a separate analyzer), so that one
/// reading of the declaration decides both what is reported and what is emitted: the two can
/// never disagree, and a declaration that is reported is never emitted.
/// </remarks>
internal static class KernelDeclarationParser
{
    /// <summary>The metadata names of every kernel attribute (a method may carry only one).</summary>
    public static readonly string[] KernelAttributeNames =
    {
        "KernelGen.SoftmaxAttribute",
        "KernelGen.LogSoftmaxAttribute",
        "KernelGen.LayerNormAttribute",
        "KernelGen.RmsNormAttribute",
        "KernelGen.L2NormalizeAttribute",
        "KernelGen.CrossEntropyAttribute",
        "KernelGen.CompSumLossAttribute",
        "KernelGen.FocalLossAttribute",
        "KernelGen.DiceLossAttribute",
        "KernelGen.SphericalZLossAttribute",
        "KernelGen.MultiMarginLossAttribute",
        "KernelGen.DynamicTanhAttribute",
        "KernelGen.SeeDNormAttribute",
        "KernelGen.BatchNormAttribute",
        "KernelGen.PowerNormAttribute",
        "KernelGen.GroupNormAttribute",
        "KernelGen.StableMaxAttribute",
        "KernelGen.SoftplusNormalizeAttribute",
        "KernelGen.SigmoidNormalizeAttribute",
        "KernelGen.TaylorSoftmaxAttribute",
        "KernelGen.SphericalSoftmaxAttribute",
        "KernelGen.SparsemaxAttribute",
        "KernelGen.Entmax15Attribute",
        "KernelGen.GumbelSoftmaxAttribute",
        "KernelGen.TopKSoftmaxAttribute",
        "KernelGen.BinaryCrossEntropyAttribute",
    };

    /// <summary>The spans of the softmax family: input, output.</summary>
    public static readonly SignatureShape InputOutput = new(new[] { ParameterRole.Input, ParameterRole.Output }, null);

    /// <summary>
    /// Reads the declaration; returns nulls (with diagnostics) when it cannot be emitted.
    /// <paramref name="attributeName"/> is the attribute whose pipeline is asking: with several
    /// kernel attributes on one method, only the first one's pipeline reports it.
    /// </summary>
    public static (HierarchyInfo? Hierarchy, KernelSignature? Signature) Parse(
        GeneratorAttributeSyntaxContext context,
        string attributeName,
        SignatureShape expected,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return (null, null);
        }

        if (context.TargetNode is LocalFunctionStatementSyntax localFunction)
        {
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.LocalFunction, localFunction.Identifier.GetLocation(), method.Name));
            return (null, null);
        }

        if (context.TargetNode is not MethodDeclarationSyntax syntax)
        {
            return (null, null);
        }

        // Two kernel attributes: report once (from the first one in source order), emit nothing.
        List<AttributeData> kernelAttributes = method.GetAttributes()
            .Where(static a => a.AttributeClass is { } c && KernelAttributeNames.Contains(c.ToDisplayString()))
            .ToList();
        if (kernelAttributes.Count > 1)
        {
            AttributeData first = kernelAttributes.OrderBy(static a => a.ApplicationSyntaxReference?.Span.Start ?? 0).First();
            // With attributes on both parts of a partial method, each part's node runs this transform:
            // only the one holding the first attribute reports, so the diagnostic appears once.
            bool firstIsHere = first.ApplicationSyntaxReference is { } reference
                && reference.SyntaxTree == syntax.SyntaxTree
                && syntax.Span.Contains(reference.Span);
            if (firstIsHere && first.AttributeClass!.ToDisplayString() == attributeName)
            {
                SyntaxNode? second = kernelAttributes.OrderBy(static a => a.ApplicationSyntaxReference?.Span.Start ?? 0)
                    .Skip(1).First().ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                diagnostics.Add(DiagnosticInfo.Create(
                    KernelDiagnostics.MultipleKernelAttributes,
                    second?.GetLocation() ?? syntax.Identifier.GetLocation(),
                    method.Name,
                    string.Join(", ", kernelAttributes.Select(static a => "[" + ShortName(a.AttributeClass!.Name) + "]"))));
            }

            return (null, null);
        }

        int before = diagnostics.Count;
        Location nameLocation = syntax.Identifier.GetLocation();

        // A keyword name (written @class) would need escaping in the emitted code but cannot appear in a
        // hint name ('@' is rejected there: the generator would throw), so it is reported instead.
        if (IsKeyword(method.Name))
        {
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.KeywordName, nameLocation, method.Name, method.Name));
        }

        for (INamespaceSymbol? ns = method.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (IsKeyword(ns.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.KeywordName, nameLocation, method.Name, ns.Name));
            }
        }

        if (!method.IsStatic || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.NotStaticPartial, nameLocation, method.Name));
        }

        if (syntax.Body is not null || syntax.ExpressionBody is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.HasBody, ((SyntaxNode?)syntax.Body ?? syntax.ExpressionBody!).GetLocation(), method.Name));
        }
        else if (method.PartialImplementationPart is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.HasBody, method.PartialImplementationPart.Locations.FirstOrDefault() ?? nameLocation, method.Name));
        }

        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.Generic, syntax.TypeParameterList?.GetLocation() ?? nameLocation, method.Name));
        }

        HierarchyInfo? hierarchy = ReadHierarchy(method, nameLocation, diagnostics, cancellationToken);
        if (ReadSignature(method, syntax, expected, diagnostics) is not { } shape)
        {
            return (null, null);
        }

        if (hierarchy is not null)
        {
            INamedTypeSymbol container = method.ContainingType;
            bool conflict = container.GetMembers(method.Name).Any(m => !SymbolEqualityComparer.Default.Equals(m, method)
                    && !SymbolEqualityComparer.Default.Equals(m, method.PartialImplementationPart)
                    && !SymbolEqualityComparer.Default.Equals(m, method.PartialDefinitionPart))
                || !container.GetMembers(method.Name + "Paths").IsEmpty
                || InheritsMember(container, method.Name + "Paths");
            if (conflict)
            {
                diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.NameConflict, nameLocation, method.Name, container.Name));
            }
        }

        if (diagnostics.Count != before || hierarchy is null)
        {
            return (null, null);
        }

        // A namespace and a type of the same name side by side (CS0101, already an error) can give two
        // kernels the same hint name, which would make the generator throw: emit nothing, the compiler reports.
        if (HasNamespaceTypeClash(method))
        {
            return (null, null);
        }

        // The modifiers both parts of a partial method must share: accessibility, and 'new' and 'unsafe'
        // (CS8800, CS0764), which the implementation repeats in this order before 'static partial'.
        string accessibility = string.Join(" ", syntax.Modifiers
            .Where(static m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword)
                || m.IsKind(SyntaxKind.NewKeyword) || m.IsKind(SyntaxKind.UnsafeKeyword))
            .Select(static m => m.Text));
        var parameters = new List<KernelParameter>();
        for (int index = 0; index < method.Parameters.Length; index++)
        {
            parameters.Add(new KernelParameter(shape.Roles[index], Escape(method.Parameters[index].Name)));
        }

        KernelSignature signature = new(
            method.Name,
            accessibility,
            AccessibilityText(method.DeclaredAccessibility),
            shape.Element,
            shape.Shape,
            new EquatableArray<KernelParameter>(parameters),
            expected.Returns(shape.Shape));
        return (hierarchy, signature);
    }

    private static HierarchyInfo? ReadHierarchy(IMethodSymbol method, Location nameLocation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var types = new List<ContainingTypeInfo>();
        bool valid = true;
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (type.TypeKind != TypeKind.Class || type.IsRecord || type.IsFileLocal)
            {
                // A file-local class cannot be extended from the generated file (its parts must share one file).
                string kind = type.IsRecord ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
                    : type.IsFileLocal ? "file-local " + type.TypeKind.ToString().ToLowerInvariant()
                    : type.TypeKind.ToString().ToLowerInvariant();
                diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.InvalidContainingType, nameLocation, method.Name, kind, type.Name));
                valid = false;
            }
            else if (type.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.Generic, nameLocation, method.Name));
                valid = false;
            }
            else if (!type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                Location where = type.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    ? declaration.Identifier.GetLocation()
                    : nameLocation;
                diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.ContainingTypeNotPartial, where, type.Name, method.Name));
                valid = false;
            }
            else if (IsKeyword(type.Name))
            {
                Location where = type.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    ? declaration.Identifier.GetLocation()
                    : nameLocation;
                diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.KeywordName, where, method.Name, type.Name));
                valid = false;
            }

            types.Insert(0, new ContainingTypeInfo(type.Name));
        }

        if (!valid || types.Count == 0)
        {
            return null;
        }

        string? ns = method.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return new HierarchyInfo(ns, new EquatableArray<ContainingTypeInfo>(types));
    }

    private static (ElementType Element, KernelShape Shape, IReadOnlyList<ParameterRole> Roles)? ReadSignature(IMethodSymbol method, MethodDeclarationSyntax syntax, SignatureShape expected, List<DiagnosticInfo> diagnostics)
    {
        void Fail(Location location, string reason) =>
            diagnostics.Add(DiagnosticInfo.Create(KernelDiagnostics.InvalidSignature, location, method.Name, reason, expected.Describe(method.Name)));

        if (!expected.OneRowReturns && !expected.ManyRowsReturn && !method.ReturnsVoid)
        {
            Fail(syntax.ReturnType.GetLocation(), "it must return void");
            return null;
        }

        int count = method.Parameters.Length;
        var forms = new List<(KernelShape Shape, IReadOnlyList<ParameterRole> Roles)>();
        if (expected.OneRow is not null)
        {
            forms.Add((KernelShape.OneRow, expected.OneRow));
        }

        forms.Add((KernelShape.ManyRows, expected.ManyRows));
        if (!forms.Any(f => f.Roles.Count == count))
        {
            int many = expected.ManyRows.Count, one = expected.OneRow?.Count ?? many;
            string counts = one == many ? one.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{one} or {many}";
            Fail(syntax.ParameterList.GetLocation(), $"it has {count} parameter{(count == 1 ? string.Empty : "s")}, not {counts}");
            return null;
        }

        if (method.IsVararg)
        {
            Fail(syntax.ParameterList.GetLocation(), "it cannot take __arglist");
            return null;
        }

        if (method.IsExtensionMethod)
        {
            Fail(syntax.ParameterList.Parameters[0].GetLocation(), "it cannot be an extension method");
            return null;
        }

        Location ParameterLocation(int index) => syntax.ParameterList.Parameters.Count > index
            ? syntax.ParameterList.Parameters[index].GetLocation()
            : syntax.ParameterList.GetLocation();

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            // 'scoped' must be repeated on the implementation (CS8988), which the generator does not write.
            if (parameter.RefKind != RefKind.None || parameter.IsParams || parameter.ScopedKind != ScopedKind.None)
            {
                Fail(ParameterLocation(parameter.Ordinal), $"the parameter '{parameter.Name}' must be passed by value (no ref, out, in, params or scoped)");
                return null;
            }
        }

        ElementType? input = SpanElement(method.Parameters[0].Type, "System.ReadOnlySpan<T>");
        if (input is null)
        {
            Fail(ParameterLocation(0), $"the first parameter must be ReadOnlySpan<float> or ReadOnlySpan<double>, not '{method.Parameters[0].Type.ToDisplayString()}'");
            return null;
        }

        string t = input == ElementType.Float ? "float" : "double";

        // The forms with this many parameters; the one that matches furthest decides (the loss forms differ in
        // their second parameter: int target or ReadOnlySpan<int> targets).
        var candidates = forms.Where(f => f.Roles.Count == count).Distinct().ToList();
        int best = -1;
        var mismatches = new List<ParameterRole>();
        foreach ((KernelShape shape, IReadOnlyList<ParameterRole> roles) in candidates)
        {
            int index = 1;
            while (index < count && Matches(method.Parameters[index].Type, roles[index], input.Value))
            {
                index++;
            }

            if (index == count)
            {
                bool returns = expected.Returns(shape);
                if (returns && method.ReturnType.SpecialType != (input == ElementType.Float ? SpecialType.System_Single : SpecialType.System_Double))
                {
                    Fail(syntax.ReturnType.GetLocation(), $"it must return {t} (the loss; the element type of the input), not '{method.ReturnType.ToDisplayString()}'");
                    return null;
                }

                if (!returns && !method.ReturnsVoid)
                {
                    Fail(syntax.ReturnType.GetLocation(), "it must return void (the losses go to the losses span)");
                    return null;
                }

                return (input.Value, shape, roles);
            }

            if (index > best)
            {
                best = index;
                mismatches.Clear();
            }

            if (index == best && !mismatches.Contains(roles[index]))
            {
                mismatches.Add(roles[index]);
            }
        }

        string actual = method.Parameters[best].Type.ToDisplayString();
        if (mismatches.Count > 1)
        {
            string either = string.Join(" or ", mismatches.Select(r => $"{SignatureShape.TypeText(r, t)} (the {SignatureShape.RoleText(r)})"));
            Fail(ParameterLocation(best), $"the {Ordinal(best)} parameter must be {either}, not '{actual}'");
        }
        else if (mismatches[0] is ParameterRole.RowLength or ParameterRole.Target or ParameterRole.Targets or ParameterRole.Predictions or ParameterRole.RowsPerHead or ParameterRole.Seed or ParameterRole.Indices)
        {
            Fail(ParameterLocation(best), $"the {Ordinal(best)} parameter (the {SignatureShape.RoleText(mismatches[0])}) must be {SignatureShape.TypeText(mismatches[0], t)}, not '{actual}'");
        }
        else
        {
            string role = mismatches[0] == ParameterRole.Output ? string.Empty : $" (the {SignatureShape.RoleText(mismatches[0])})";
            Fail(ParameterLocation(best), $"the {Ordinal(best)} parameter{role} must be {SignatureShape.TypeText(mismatches[0], t)} (the same element type as the input), not '{actual}'");
        }

        return null;
    }

    // True when a parameter of this type can take the role (T spans must have the input's element type).
    private static bool Matches(ITypeSymbol type, ParameterRole role, ElementType element) => role switch
    {
        ParameterRole.RowLength or ParameterRole.Target or ParameterRole.RowsPerHead => type.SpecialType == SpecialType.System_Int32,
        ParameterRole.Alpha or ParameterRole.Sink => ScalarElement(type) == element,
        ParameterRole.Targets => IsIntSpan(type, "System.ReadOnlySpan<T>"),
        ParameterRole.Predictions or ParameterRole.Indices => IsIntSpan(type, "System.Span<T>"),
        ParameterRole.Seed => type.SpecialType == SpecialType.System_UInt64,
        _ => SpanElement(type, new KernelParameter(role, string.Empty).IsReadOnly ? "System.ReadOnlySpan<T>" : "System.Span<T>") == element,
    };

    private static bool IsIntSpan(ITypeSymbol type, string definition) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named
            && named.OriginalDefinition.ToDisplayString() == definition
            && named.TypeArguments[0].SpecialType == SpecialType.System_Int32;

    private static string Ordinal(int index) => index switch
    {
        0 => "first",
        1 => "second",
        2 => "third",
        3 => "fourth",
        4 => "fifth",
        5 => "sixth",
        6 => "seventh",
        7 => "eighth",
        8 => "ninth",
        _ => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "th",
    };

    private static ElementType? SpanElement(ITypeSymbol type, string definition)
    {
        if (type is not INamedTypeSymbol { TypeArguments.Length: 1 } named || named.OriginalDefinition.ToDisplayString() != definition)
        {
            return null;
        }

        return named.TypeArguments[0].SpecialType switch
        {
            SpecialType.System_Single => ElementType.Float,
            SpecialType.System_Double => ElementType.Double,
            _ => null,
        };
    }

    private static ElementType? ScalarElement(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Single => ElementType.Float,
        SpecialType.System_Double => ElementType.Double,
        _ => null,
    };

    private static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static string Escape(string name) =>
        IsKeyword(name) ? "@" + name : name;

    private static bool IsKeyword(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;

    // A visible member of a base type named like the paths class would be hidden by it (warning CS0108 in generated code).
    private static bool InheritsMember(INamedTypeSymbol type, string name)
    {
        for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (baseType.GetMembers(name).Any(static m => m.DeclaredAccessibility != Accessibility.Private))
            {
                return true;
            }
        }

        return false;
    }

    // True when a namespace of the kernel's namespace chain, or its outermost containing type, has a
    // same-named type or namespace beside it in source.
    private static bool HasNamespaceTypeClash(IMethodSymbol method)
    {
        INamedTypeSymbol outermost = method.ContainingType;
        while (outermost.ContainingType is not null)
        {
            outermost = outermost.ContainingType;
        }

        if (outermost.ContainingNamespace.GetNamespaceMembers().Any(n => n.Name == outermost.Name && n.Locations.Any(static l => l.IsInSource)))
        {
            return true;
        }

        for (INamespaceSymbol ns = method.ContainingNamespace; !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
        {
            if (ns.ContainingNamespace.GetTypeMembers(ns.Name).Any(static t => t.Locations.Any(static l => l.IsInSource)))
            {
                return true;
            }
        }

        return false;
    }

    private static string ShortName(string attributeClassName) =>
        attributeClassName.EndsWith("Attribute", System.StringComparison.Ordinal) ? attributeClassName.Substring(0, attributeClassName.Length - "Attribute".Length) : attributeClassName;
}
