using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using KernelGen.Generator.Models;
using KernelGen.Generator.Softmax;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The values that travel through the pipeline hold only value-equal data: never a symbol, a
/// syntax node, a location, a compilation or an ImmutableArray (which compares by reference).
/// </summary>
public sealed class ModelShapeTests
{
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxToken), typeof(SyntaxTree), typeof(Location),
        typeof(Compilation), typeof(SemanticModel), typeof(AttributeData), typeof(TypedConstant),
    };

    // Roslyn value types that compare by value.
    private static readonly Type[] AllowedRoslynValues =
    {
        typeof(Microsoft.CodeAnalysis.Text.TextSpan),
        typeof(Microsoft.CodeAnalysis.Text.LinePositionSpan),
        typeof(Microsoft.CodeAnalysis.Text.LinePosition),
    };

    [Theory]
    [InlineData(typeof(SoftmaxModel))]
    [InlineData(typeof(KernelResult<SoftmaxModel>))]
    [InlineData(typeof(KernelGen.Generator.Normalization.NormalizationModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Normalization.NormalizationModel>))]
    [InlineData(typeof(KernelGen.Generator.Normalization.DynamicTanhModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Normalization.DynamicTanhModel>))]
    [InlineData(typeof(KernelGen.Generator.Normalization.SeeDNormModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Normalization.SeeDNormModel>))]
    [InlineData(typeof(KernelGen.Generator.Normalization.ChannelNormModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Normalization.ChannelNormModel>))]
    [InlineData(typeof(KernelGen.Generator.Softmax.SoftmaxVariantModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Softmax.SoftmaxVariantModel>))]
    [InlineData(typeof(KernelGen.Generator.Normalization.GroupNormModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Normalization.GroupNormModel>))]
    [InlineData(typeof(KernelGen.Generator.Softmax.SparseMapModel))]
    [InlineData(typeof(KernelResult<KernelGen.Generator.Softmax.SparseMapModel>))]
    public void Pipeline_values_hold_only_value_equal_data(Type root)
    {
        var problems = new List<string>();
        var visited = new HashSet<Type>();
        Walk(root, root.Name, visited, problems);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Walk_reaches_every_nested_model()
    {
        var visited = new HashSet<Type>();
        Walk(typeof(KernelResult<SoftmaxModel>), "root", visited, new List<string>());
        Assert.Contains(typeof(SoftmaxModel), visited);
        Assert.Contains(typeof(HierarchyInfo), visited);
        Assert.Contains(typeof(ContainingTypeInfo), visited);
        Assert.Contains(typeof(KernelSignature), visited);
        Assert.Contains(typeof(KernelParameter), visited);
        Assert.Contains(typeof(DiagnosticInfo), visited);
        Assert.Contains(typeof(LocationInfo), visited);
    }

    private static void Walk(Type type, string path, HashSet<Type> visited, List<string> problems)
    {
        if (!visited.Add(type))
        {
            return;
        }

        if (Forbidden.FirstOrDefault(f => f.IsAssignableFrom(type)) is { } forbidden)
        {
            problems.Add($"{path}: {type} is a {forbidden.Name}.");
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
        {
            problems.Add($"{path}: {type} is an ImmutableArray (reference equality); use EquatableArray.");
            return;
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || AllowedRoslynValues.Contains(type))
        {
            return;
        }

        if (type.IsArray)
        {
            // Only as the storage of EquatableArray, which compares the elements.
            Walk(type.GetElementType()!, path + "[]", visited, problems);
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Walk(underlying, path, visited, problems);
            return;
        }

        if (type.Assembly != typeof(KernelGenerator).Assembly)
        {
            problems.Add($"{path}: {type} is neither a generator model nor a plain value.");
            return;
        }

        if (!typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type))
        {
            problems.Add($"{path}: {type} does not implement IEquatable<{type.Name}> (value equality).");
        }

        if (!type.IsValueType && !type.IsSealed)
        {
            problems.Add($"{path}: {type} is not sealed.");
        }

        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.FieldType, $"{path}.{field.Name}", visited, problems);
            }
        }
    }
}
