using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row BatchNorm with γ and β.</summary>
public delegate void BatchNormRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output);

/// <summary>The many-rows form of <see cref="BatchNormRowKernel{T}"/>.</summary>
public delegate void BatchNormRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength);

/// <summary>A one-row BatchNorm without γ and β.</summary>
public delegate void PlainBatchNormRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, Span<T> output);

/// <summary>The many-rows form of <see cref="PlainBatchNormRowKernel{T}"/>.</summary>
public delegate void PlainBatchNormRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, Span<T> output, int rowLength);

/// <summary>A one-row PowerNorm with γ and β.</summary>
public delegate void PowerNormRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> quadraticMean, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output);

/// <summary>The many-rows form of <see cref="PowerNormRowKernel{T}"/>.</summary>
public delegate void PowerNormRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> quadraticMean, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength);

/// <summary>A one-row PowerNorm without γ and β.</summary>
public delegate void PlainPowerNormRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> quadraticMean, Span<T> output);

/// <summary>The many-rows form of <see cref="PlainPowerNormRowKernel{T}"/>.</summary>
public delegate void PlainPowerNormRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> quadraticMean, Span<T> output, int rowLength);

/// <summary>One generated [BatchNorm] or [PowerNorm] kernel found by reflection.</summary>
public sealed class ChannelNormInfo
{
    public required string Name { get; init; }

    /// <summary>True for [BatchNorm] (μ and σ²), false for [PowerNorm] (ψ²).</summary>
    public required bool IsBatch { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool Affine { get; init; }

    public required double Epsilon { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    /// <summary>Path name (Avx512, Avx2, Neon, Vector128, Scalar, Reference) → method.</summary>
    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public required KernelPath Selected { get; init; }

    public override string ToString() => this.Name;

    /// <summary>
    /// Runs <paramref name="method"/>. <paramref name="variance"/> is σ² for BatchNorm and ψ² for PowerNorm;
    /// the mean is ignored by PowerNorm, weight and bias by a kernel without Affine.
    /// </summary>
    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)
    {
        switch ((this.IsBatch, this.Affine, this.ManyRows))
        {
            case (true, true, false): this.Make<BatchNormRowKernel<T>>(method)(input, mean, variance, weight, bias, output); break;
            case (true, true, true): this.Make<BatchNormRowsKernel<T>>(method)(input, mean, variance, weight, bias, output, rowLength); break;
            case (true, false, false): this.Make<PlainBatchNormRowKernel<T>>(method)(input, mean, variance, output); break;
            case (true, false, true): this.Make<PlainBatchNormRowsKernel<T>>(method)(input, mean, variance, output, rowLength); break;
            case (false, true, false): this.Make<PowerNormRowKernel<T>>(method)(input, variance, weight, bias, output); break;
            case (false, true, true): this.Make<PowerNormRowsKernel<T>>(method)(input, variance, weight, bias, output, rowLength); break;
            case (false, false, false): this.Make<PlainPowerNormRowKernel<T>>(method)(input, variance, output); break;
            case (false, false, true): this.Make<PlainPowerNormRowsKernel<T>>(method)(input, variance, output, rowLength); break;
        }
    }

    private TDelegate Make<TDelegate>(MethodInfo method)
        where TDelegate : Delegate => (TDelegate)method.CreateDelegate(typeof(TDelegate));
}

/// <summary>Finds every kernel declared in <see cref="ChannelNormKernels"/>.</summary>
public static class ChannelNormCatalog
{
    public static readonly IReadOnlyList<ChannelNormInfo> All = Discover().ToList();

    public static ChannelNormInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<ChannelNormInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<ChannelNormInfo> Discover()
    {
        foreach (MethodInfo method in typeof(ChannelNormKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            (bool isBatch, double epsilon, bool affine, int width, int unroll) = method.GetCustomAttribute<BatchNormAttribute>() is { } b
                ? (true, b.Epsilon, b.Affine, b.Width, b.Unroll)
                : method.GetCustomAttribute<PowerNormAttribute>() is { } p
                    ? (false, p.Epsilon, p.Affine, p.Width, p.Unroll)
                    : (false, double.NaN, false, -1, -1);
            if (width < 0)
            {
                continue;
            }

            Type paths = typeof(ChannelNormKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new ChannelNormInfo
            {
                Name = method.Name,
                IsBatch = isBatch,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Affine = affine,
                Epsilon = epsilon,
                Width = width,
                Unroll = unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
        }
    }
}
