using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>One generated [Sparsemax] or [Entmax15] kernel found by reflection.</summary>
public sealed class SparseMapInfo
{
    public required string Name { get; init; }

    public required bool IsEntmax { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

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

    /// <summary>Runs <paramref name="method"/> on <paramref name="x"/> (rounded to the element type), into a fresh output, as doubles.</summary>
    public double[] Run(MethodInfo method, double[] x, int rowLength)
    {
        if (this.IsDouble)
        {
            var y = new double[x.Length];
            this.Run<double>(method, x, y, rowLength);
            return y;
        }

        float[] input = x.Select(static v => (float)v).ToArray();
        var output = new float[x.Length];
        this.Run<float>(method, input, output, rowLength);
        return output.Select(static v => (double)v).ToArray();
    }

    /// <summary>The same in place: the input span is the output span.</summary>
    public double[] RunInPlace(MethodInfo method, double[] x, int rowLength)
    {
        if (this.IsDouble)
        {
            double[] data = (double[])x.Clone();
            this.Run<double>(method, data, data, rowLength);
            return data;
        }

        float[] values = x.Select(static v => (float)v).ToArray();
        this.Run<float>(method, values, values, rowLength);
        return values.Select(static v => (double)v).ToArray();
    }
}

/// <summary>Finds every kernel declared in <see cref="SparseMapKernels"/>.</summary>
public static class SparseMapCatalog
{
    public static readonly IReadOnlyList<SparseMapInfo> All = Discover().ToList();

    public static SparseMapInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<SparseMapInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<SparseMapInfo> Discover()
    {
        foreach (MethodInfo method in typeof(SparseMapKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            SparsemaxAttribute? sparsemax = method.GetCustomAttribute<SparsemaxAttribute>();
            Entmax15Attribute? entmax = method.GetCustomAttribute<Entmax15Attribute>();
            if (sparsemax is null && entmax is null)
            {
                continue;
            }

            Type paths = typeof(SparseMapKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new SparseMapInfo
            {
                Name = method.Name,
                IsEntmax = entmax is not null,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters.Length == 3,
                Width = sparsemax?.Width ?? entmax!.Width,
                Unroll = sparsemax?.Unroll ?? entmax!.Unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
