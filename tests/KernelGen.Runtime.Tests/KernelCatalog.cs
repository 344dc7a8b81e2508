using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row kernel or path.</summary>
public delegate void RowKernel<T>(ReadOnlySpan<T> input, Span<T> output);

/// <summary>A many-rows kernel or path.</summary>
public delegate void RowsKernel<T>(ReadOnlySpan<T> input, Span<T> output, int rowLength);

/// <summary>One generated kernel found by reflection: its options, its dispatcher, its paths and its reference.</summary>
public sealed class KernelInfo
{
    public required string Name { get; init; }

    public required bool IsLog { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required SoftmaxAlgorithm Algorithm { get; init; }

    public required double Temperature { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required KernelTargets Targets { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    /// <summary>Path name (Avx512, Avx2, Neon, Vector128, Scalar, Reference) → method.</summary>
    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public required KernelPath Selected { get; init; }

    public override string ToString() => this.Name;

    /// <summary>Runs <paramref name="method"/> on rows of <paramref name="rowLength"/> (one row for one-row kernels).</summary>
    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, Span<T> output, int rowLength)
    {
        if (this.ManyRows)
        {
            ((RowsKernel<T>)method.CreateDelegate(typeof(RowsKernel<T>)))(input, output, rowLength);
        }
        else
        {
            ((RowKernel<T>)method.CreateDelegate(typeof(RowKernel<T>)))(input, output);
        }
    }
}

/// <summary>Finds every kernel declared in <see cref="TestKernels"/>.</summary>
public static class KernelCatalog
{
    public static readonly string[] PathNames = { "Avx512", "Avx2", "Neon", "Vector128", "Scalar" };

    /// <summary>The path methods (and <c>Reference</c>) that a generated paths class declares, by name.</summary>
    public static IReadOnlyDictionary<string, MethodInfo> PathsOf(Type pathsType) =>
        PathNames.Append("Reference")
            .Select(name => (Name: name, Method: pathsType.GetMethod(name, BindingFlags.Public | BindingFlags.Static)))
            .Where(static p => p.Method is not null)
            .ToDictionary(static p => p.Name, static p => p.Method!);

    public static readonly IReadOnlyList<KernelInfo> All = Discover().ToList();

    public static KernelInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<KernelInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<KernelInfo> Discover()
    {
        foreach (MethodInfo method in typeof(TestKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<SoftmaxFamilyAttribute>() is not { } options)
            {
                continue;
            }

            Type paths = typeof(TestKernels).GetNestedType(method.Name + "Paths")!;
            IReadOnlyDictionary<string, MethodInfo> map = PathsOf(paths);

            yield return new KernelInfo
            {
                Name = method.Name,
                IsLog = options is LogSoftmaxAttribute,
                IsDouble = method.GetParameters()[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = method.GetParameters().Length == 3,
                Algorithm = options.Algorithm,
                Temperature = options.Temperature,
                Width = options.Width,
                Unroll = options.Unroll,
                Targets = options.Targets,
                Dispatcher = method,
                Paths = map,
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
