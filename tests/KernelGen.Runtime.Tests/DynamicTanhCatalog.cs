using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row DyT without γ and β: y = tanh(α·x).</summary>
public delegate void ScaledRowKernel<T>(ReadOnlySpan<T> input, T alpha, Span<T> output);

/// <summary>The many-rows form of <see cref="ScaledRowKernel{T}"/>.</summary>
public delegate void ScaledRowsKernel<T>(ReadOnlySpan<T> input, T alpha, Span<T> output, int rowLength);

/// <summary>A one-row DyT with γ only.</summary>
public delegate void ScaledWeightedRowKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, Span<T> output);

/// <summary>The many-rows form of <see cref="ScaledWeightedRowKernel{T}"/>.</summary>
public delegate void ScaledWeightedRowsKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, Span<T> output, int rowLength);

/// <summary>A one-row DyT with γ and β.</summary>
public delegate void ScaledAffineRowKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output);

/// <summary>The many-rows form of <see cref="ScaledAffineRowKernel{T}"/>.</summary>
public delegate void ScaledAffineRowsKernel<T>(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength);

/// <summary>One generated [DynamicTanh] kernel found by reflection.</summary>
public sealed class DynamicTanhInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool HasWeight { get; init; }

    public required bool HasBias { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    /// <summary>Path name (Avx512, Avx2, Neon, Vector128, Scalar, Reference) → method.</summary>
    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public required KernelPath Selected { get; init; }

    public override string ToString() => this.Name;

    /// <summary>Runs <paramref name="method"/>; weight and bias are ignored when the kernel takes none.</summary>
    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)
    {
        switch ((this.HasWeight, this.HasBias, this.ManyRows))
        {
            case (false, _, false): ((ScaledRowKernel<T>)method.CreateDelegate(typeof(ScaledRowKernel<T>)))(input, alpha, output); break;
            case (false, _, true): ((ScaledRowsKernel<T>)method.CreateDelegate(typeof(ScaledRowsKernel<T>)))(input, alpha, output, rowLength); break;
            case (true, false, false): ((ScaledWeightedRowKernel<T>)method.CreateDelegate(typeof(ScaledWeightedRowKernel<T>)))(input, alpha, weight, output); break;
            case (true, false, true): ((ScaledWeightedRowsKernel<T>)method.CreateDelegate(typeof(ScaledWeightedRowsKernel<T>)))(input, alpha, weight, output, rowLength); break;
            case (true, true, false): ((ScaledAffineRowKernel<T>)method.CreateDelegate(typeof(ScaledAffineRowKernel<T>)))(input, alpha, weight, bias, output); break;
            case (true, true, true): ((ScaledAffineRowsKernel<T>)method.CreateDelegate(typeof(ScaledAffineRowsKernel<T>)))(input, alpha, weight, bias, output, rowLength); break;
        }
    }
}

/// <summary>Finds every kernel declared in <see cref="DynamicTanhKernels"/>.</summary>
public static class DynamicTanhCatalog
{
    public static readonly IReadOnlyList<DynamicTanhInfo> All = Discover().ToList();

    public static DynamicTanhInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<DynamicTanhInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<DynamicTanhInfo> Discover()
    {
        foreach (MethodInfo method in typeof(DynamicTanhKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<DynamicTanhAttribute>() is not { } attribute)
            {
                continue;
            }

            Type paths = typeof(DynamicTanhKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            bool manyRows = parameters[^1].ParameterType == typeof(int);
            int spans = parameters.Length - (manyRows ? 1 : 0) - 1;
            yield return new DynamicTanhInfo
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = manyRows,
                HasWeight = spans >= 3,
                HasBias = spans == 4,
                Width = attribute.Width,
                Unroll = attribute.Unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
