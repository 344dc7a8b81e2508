using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row normalization with a weight.</summary>
public delegate void WeightedRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, Span<T> output);

/// <summary>A many-rows normalization with a weight.</summary>
public delegate void WeightedRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, Span<T> output, int rowLength);

/// <summary>A one-row normalization with a weight and a bias.</summary>
public delegate void AffineRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output);

/// <summary>A many-rows normalization with a weight and a bias.</summary>
public delegate void AffineRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength);

/// <summary>A fused residual normalization (one row; γ and β present or not by <see cref="NormInfo"/>).</summary>
public delegate void ResidualRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, Span<T> output, Span<T> sum);

/// <summary>The many-rows form of <see cref="ResidualRowKernel{T}"/>.</summary>
public delegate void ResidualRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, Span<T> output, Span<T> sum, int rowLength);

/// <summary>A fused residual normalization with a weight.</summary>
public delegate void ResidualWeightedRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, Span<T> output, Span<T> sum);

/// <summary>The many-rows form of <see cref="ResidualWeightedRowKernel{T}"/>.</summary>
public delegate void ResidualWeightedRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, Span<T> output, Span<T> sum, int rowLength);

/// <summary>A fused residual normalization with a weight and a bias.</summary>
public delegate void ResidualAffineRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Span<T> sum);

/// <summary>The many-rows form of <see cref="ResidualAffineRowKernel{T}"/>.</summary>
public delegate void ResidualAffineRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Span<T> sum, int rowLength);

/// <summary>One generated normalization kernel found by reflection.</summary>
public sealed class NormInfo
{
    public required string Name { get; init; }

    public required bool IsLayer { get; init; }

    /// <summary>[L2Normalize] (its oracle differs from RmsNorm's: no mean, ε on the norm).</summary>
    public required bool IsL2 { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool HasWeight { get; init; }

    public required bool HasBias { get; init; }

    /// <summary>The fused residual form: takes r after the input and writes h = x + r after the output.</summary>
    public required bool HasResidual { get; init; }

    public required double Epsilon { get; init; }

    public required double WeightOffset { get; init; }

    /// <summary>[RmsNorm(Compressed = true)], CRMSNorm: the mean square is (Σx² + (Σx)²)/(n + 1).</summary>
    public bool Compressed { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    /// <summary>Path name (Avx512, Avx2, Neon, Vector128, Scalar, Reference) → method.</summary>
    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public required KernelPath Selected { get; init; }

    public override string ToString() => this.Name;

    /// <summary>Runs <paramref name="method"/>; weight and bias are ignored when the kernel takes none.</summary>
    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)
    {
        if (this.HasResidual)
        {
            throw new InvalidOperationException($"{this.Name} takes a residual: call RunResidual.");
        }

        switch ((this.HasWeight, this.HasBias, this.ManyRows))
        {
            case (false, _, false): ((RowKernel<T>)method.CreateDelegate(typeof(RowKernel<T>)))(input, output); break;
            case (false, _, true): ((RowsKernel<T>)method.CreateDelegate(typeof(RowsKernel<T>)))(input, output, rowLength); break;
            case (true, false, false): ((WeightedRowKernel<T>)method.CreateDelegate(typeof(WeightedRowKernel<T>)))(input, weight, output); break;
            case (true, false, true): ((WeightedRowsKernel<T>)method.CreateDelegate(typeof(WeightedRowsKernel<T>)))(input, weight, output, rowLength); break;
            case (true, true, false): ((AffineRowKernel<T>)method.CreateDelegate(typeof(AffineRowKernel<T>)))(input, weight, bias, output); break;
            case (true, true, true): ((AffineRowsKernel<T>)method.CreateDelegate(typeof(AffineRowsKernel<T>)))(input, weight, bias, output, rowLength); break;
        }
    }
}

/// <summary>Running the fused residual kernels.</summary>
public static class NormInfoExtensions
{
    /// <summary>Runs a fused residual kernel: h = x + r into <paramref name="sum"/>, y = norm(h) into <paramref name="output"/>.</summary>
    public static void RunResidual<T>(this NormInfo kernel, MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, Span<T> sum, int rowLength)
    {
        switch ((kernel.HasWeight, kernel.HasBias, kernel.ManyRows))
        {
            case (false, _, false): ((ResidualRowKernel<T>)method.CreateDelegate(typeof(ResidualRowKernel<T>)))(input, residual, output, sum); break;
            case (false, _, true): ((ResidualRowsKernel<T>)method.CreateDelegate(typeof(ResidualRowsKernel<T>)))(input, residual, output, sum, rowLength); break;
            case (true, false, false): ((ResidualWeightedRowKernel<T>)method.CreateDelegate(typeof(ResidualWeightedRowKernel<T>)))(input, residual, weight, output, sum); break;
            case (true, false, true): ((ResidualWeightedRowsKernel<T>)method.CreateDelegate(typeof(ResidualWeightedRowsKernel<T>)))(input, residual, weight, output, sum, rowLength); break;
            case (true, true, false): ((ResidualAffineRowKernel<T>)method.CreateDelegate(typeof(ResidualAffineRowKernel<T>)))(input, residual, weight, bias, output, sum); break;
            case (true, true, true): ((ResidualAffineRowsKernel<T>)method.CreateDelegate(typeof(ResidualAffineRowsKernel<T>)))(input, residual, weight, bias, output, sum, rowLength); break;
        }
    }
}

/// <summary>Finds every kernel declared in <see cref="NormKernels"/>.</summary>
public static class NormCatalog
{
    public static readonly IReadOnlyList<NormInfo> All = Discover().ToList();

    public static NormInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<NormInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<NormInfo> Discover()
    {
        foreach (MethodInfo method in typeof(NormKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            LayerNormAttribute? layer = method.GetCustomAttribute<LayerNormAttribute>();
            RmsNormAttribute? rms = method.GetCustomAttribute<RmsNormAttribute>();
            L2NormalizeAttribute? l2 = method.GetCustomAttribute<L2NormalizeAttribute>();
            if (layer is null && rms is null && l2 is null)
            {
                continue;
            }

            Type paths = typeof(NormKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            bool manyRows = parameters[^1].ParameterType == typeof(int);
            bool residual = layer?.Residual ?? rms?.Residual ?? false;
            int spans = parameters.Length - (manyRows ? 1 : 0) - (residual ? 2 : 0);
            yield return new NormInfo
            {
                Name = method.Name,
                IsLayer = layer is not null,
                IsL2 = l2 is not null,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = manyRows,
                HasWeight = spans >= 3,
                HasBias = spans == 4,
                HasResidual = residual,
                Epsilon = layer?.Epsilon ?? rms?.Epsilon ?? l2!.Epsilon,
                WeightOffset = rms?.WeightOffset ?? 0,
                Compressed = rms?.Compressed ?? false,
                Width = layer?.Width ?? rms?.Width ?? l2!.Width,
                Unroll = layer?.Unroll ?? rms?.Unroll ?? l2!.Unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
