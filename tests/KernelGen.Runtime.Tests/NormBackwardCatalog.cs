using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row backward normalization without parameters: (x, dy, dx).</summary>
public delegate void PlainBackwardRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient);

/// <summary>The many-rows form of <see cref="PlainBackwardRowKernel{T}"/>.</summary>
public delegate void PlainBackwardRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int rowLength);

/// <summary>A one-row backward normalization with a weight: (x, γ, dy, dx, dγ).</summary>
public delegate void WeightedBackwardRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient);

/// <summary>The many-rows form of <see cref="WeightedBackwardRowKernel{T}"/>.</summary>
public delegate void WeightedBackwardRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, int rowLength);

/// <summary>A one-row backward layer normalization with weight and bias: (x, γ, dy, dx, dγ, dβ).</summary>
public delegate void AffineBackwardRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, Span<T> biasGradient);

/// <summary>The many-rows form of <see cref="AffineBackwardRowKernel{T}"/>.</summary>
public delegate void AffineBackwardRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, Span<T> biasGradient, int rowLength);

/// <summary>One generated backward normalization kernel, with its forward partner (double kernels) for the finite differences.</summary>
public sealed class NormBackwardInfo
{
    public required string Name { get; init; }

    /// <summary>The kernel read as a forward one (its options, paths and dispatcher), for the shared helpers.</summary>
    public required NormInfo Forward { get; init; }

    /// <summary>The forward kernel of the same options declared beside it, or null.</summary>
    public required NormInfo? Partner { get; init; }

    public bool IsLayer => this.Forward.IsLayer;

    public bool IsL2 => this.Forward.IsL2;

    public bool IsDouble => this.Forward.IsDouble;

    public bool ManyRows => this.Forward.ManyRows;

    public bool HasWeight => this.Forward.HasWeight;

    public bool HasBias => this.Forward.HasBias;

    public double Epsilon => this.Forward.Epsilon;

    public double WeightOffset => this.Forward.WeightOffset;

    public int Width => this.Forward.Width;

    public int Unroll => this.Forward.Unroll;

    public override string ToString() => this.Name;

    /// <summary>Runs <paramref name="method"/>; the weight and the parameter gradients are ignored when the kernel takes none.</summary>
    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, Span<T> biasGradient, int rowLength)
    {
        switch ((this.HasWeight, this.HasBias, this.ManyRows))
        {
            case (false, _, false): ((PlainBackwardRowKernel<T>)method.CreateDelegate(typeof(PlainBackwardRowKernel<T>)))(input, outputGradient, inputGradient); break;
            case (false, _, true): ((PlainBackwardRowsKernel<T>)method.CreateDelegate(typeof(PlainBackwardRowsKernel<T>)))(input, outputGradient, inputGradient, rowLength); break;
            case (true, false, false): ((WeightedBackwardRowKernel<T>)method.CreateDelegate(typeof(WeightedBackwardRowKernel<T>)))(input, weight, outputGradient, inputGradient, weightGradient); break;
            case (true, false, true): ((WeightedBackwardRowsKernel<T>)method.CreateDelegate(typeof(WeightedBackwardRowsKernel<T>)))(input, weight, outputGradient, inputGradient, weightGradient, rowLength); break;
            case (true, true, false): ((AffineBackwardRowKernel<T>)method.CreateDelegate(typeof(AffineBackwardRowKernel<T>)))(input, weight, outputGradient, inputGradient, weightGradient, biasGradient); break;
            case (true, true, true): ((AffineBackwardRowsKernel<T>)method.CreateDelegate(typeof(AffineBackwardRowsKernel<T>)))(input, weight, outputGradient, inputGradient, weightGradient, biasGradient, rowLength); break;
        }
    }
}

/// <summary>Finds every backward kernel declared in <see cref="NormBackwardKernels"/>.</summary>
public static class NormBackwardCatalog
{
    public static readonly IReadOnlyList<NormBackwardInfo> All = Discover().ToList();

    public static NormBackwardInfo Get(string name) => All.Single(k => k.Name == name);

    public static IEnumerable<object[]> Names(Func<NormBackwardInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<NormBackwardInfo> Discover()
    {
        Dictionary<string, NormInfo> kernels = Describe().ToDictionary(static k => k.Info.Name, static k => k.Info);
        foreach ((NormInfo info, bool backward) in Describe())
        {
            if (backward)
            {
                yield return new NormBackwardInfo
                {
                    Name = info.Name,
                    Forward = info,
                    Partner = kernels.GetValueOrDefault(info.Name.Replace("Backward", "Forward", StringComparison.Ordinal)),
                };
            }
        }
    }

    private static IEnumerable<(NormInfo Info, bool Backward)> Describe()
    {
        foreach (MethodInfo method in typeof(NormBackwardKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            LayerNormAttribute? layer = method.GetCustomAttribute<LayerNormAttribute>();
            RmsNormAttribute? rms = method.GetCustomAttribute<RmsNormAttribute>();
            L2NormalizeAttribute? l2 = method.GetCustomAttribute<L2NormalizeAttribute>();
            if (layer is null && rms is null && l2 is null)
            {
                continue;
            }

            Type paths = typeof(NormBackwardKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            bool backward = layer?.Backward ?? rms?.Backward ?? l2!.Backward;
            bool affine = l2 is null && (layer?.Affine ?? rms!.Affine);
            bool bias = affine && layer is not null && layer.Bias;
            var info = new NormInfo
            {
                Name = method.Name,
                IsLayer = layer is not null,
                IsL2 = l2 is not null,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                HasWeight = affine,
                HasBias = bias,
                HasResidual = false,
                Epsilon = layer?.Epsilon ?? rms?.Epsilon ?? l2!.Epsilon,
                WeightOffset = rms?.WeightOffset ?? 0,
                Width = layer?.Width ?? rms?.Width ?? l2!.Width,
                Unroll = layer?.Unroll ?? rms?.Unroll ?? l2!.Unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
                Selected = (KernelPath)paths.GetProperty("Selected")!.GetValue(null)!,
            };
            yield return (info, backward);
        }
    }
}
