using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row attention softmax with a mask.</summary>
public delegate void MaskRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output);

/// <summary>A one-row attention softmax with a sink.</summary>
public delegate void SinkRowKernel<T>(ReadOnlySpan<T> input, T sink, Span<T> output);

/// <summary>A one-row attention softmax with a mask and a sink.</summary>
public delegate void MaskSinkRowKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, T sink, Span<T> output);

/// <summary>The many-rows form of <see cref="MaskRowKernel{T}"/>.</summary>
public delegate void MaskRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output, int rowLength);

/// <summary>The many-rows form of <see cref="SinkRowKernel{T}"/>.</summary>
public delegate void SinkRowsKernel<T>(ReadOnlySpan<T> input, T sink, Span<T> output, int rowLength);

/// <summary>The many-rows form of <see cref="MaskSinkRowKernel{T}"/>.</summary>
public delegate void MaskSinkRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, T sink, Span<T> output, int rowLength);

/// <summary>A causal or ALiBi softmax without a mask or sink: rows and rows per head.</summary>
public delegate void HeadRowsKernel<T>(ReadOnlySpan<T> input, Span<T> output, int rowLength, int rowsPerHead);

/// <summary>The same with a mask.</summary>
public delegate void MaskHeadRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output, int rowLength, int rowsPerHead);

/// <summary>The same with a sink.</summary>
public delegate void SinkHeadRowsKernel<T>(ReadOnlySpan<T> input, T sink, Span<T> output, int rowLength, int rowsPerHead);

/// <summary>The same with a mask and a sink.</summary>
public delegate void MaskSinkHeadRowsKernel<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, T sink, Span<T> output, int rowLength, int rowsPerHead);

/// <summary>One generated attention softmax found by reflection, with its options.</summary>
public sealed class AttentionInfo
{
    public required string Name { get; init; }

    public required bool IsLog { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required int Width { get; init; }

    public required double Temperature { get; init; }

    public required double Scale { get; init; }

    public required double Softcap { get; init; }

    public required bool Mask { get; init; }

    public required bool Sink { get; init; }

    public required bool MaskedRowsAreZero { get; init; }

    public required bool Causal { get; init; }

    public required int CausalOffset { get; init; }

    public required double MaxBias { get; init; }

    public required int Heads { get; init; }

    public bool HasRowsPerHead => this.Causal || this.MaxBias > 0;

    public required MethodInfo Dispatcher { get; init; }

    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public override string ToString() => this.Name;

    /// <summary>Runs <paramref name="method"/>; the mask, sink and rows per head are left out where the kernel takes none.</summary>
    public void Run<T>(MethodInfo method, ReadOnlySpan<T> input, ReadOnlySpan<T> mask, T sink, Span<T> output, int rowLength, int rowsPerHead)
    {
        D Get<D>()
            where D : Delegate => (D)method.CreateDelegate(typeof(D));
        switch ((this.Mask, this.Sink, this.ManyRows, this.HasRowsPerHead))
        {
            case (false, false, false, _): Get<RowKernel<T>>()(input, output); break;
            case (true, false, false, _): Get<MaskRowKernel<T>>()(input, mask, output); break;
            case (false, true, false, _): Get<SinkRowKernel<T>>()(input, sink, output); break;
            case (true, true, false, _): Get<MaskSinkRowKernel<T>>()(input, mask, sink, output); break;
            case (false, false, true, false): Get<RowsKernel<T>>()(input, output, rowLength); break;
            case (true, false, true, false): Get<MaskRowsKernel<T>>()(input, mask, output, rowLength); break;
            case (false, true, true, false): Get<SinkRowsKernel<T>>()(input, sink, output, rowLength); break;
            case (true, true, true, false): Get<MaskSinkRowsKernel<T>>()(input, mask, sink, output, rowLength); break;
            case (false, false, true, true): Get<HeadRowsKernel<T>>()(input, output, rowLength, rowsPerHead); break;
            case (true, false, true, true): Get<MaskHeadRowsKernel<T>>()(input, mask, output, rowLength, rowsPerHead); break;
            case (false, true, true, true): Get<SinkHeadRowsKernel<T>>()(input, sink, output, rowLength, rowsPerHead); break;
            case (true, true, true, true): Get<MaskSinkHeadRowsKernel<T>>()(input, mask, sink, output, rowLength, rowsPerHead); break;
        }
    }
}

/// <summary>Finds every kernel declared in <see cref="AttentionKernels"/>.</summary>
public static class AttentionCatalog
{
    public static readonly IReadOnlyList<AttentionInfo> All = Discover().ToList();

    public static AttentionInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<AttentionInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    private static IEnumerable<AttentionInfo> Discover()
    {
        foreach (MethodInfo method in typeof(AttentionKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<SoftmaxFamilyAttribute>() is not { } attribute)
            {
                continue;
            }

            Type paths = typeof(AttentionKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            yield return new AttentionInfo
            {
                Name = method.Name,
                IsLog = attribute is LogSoftmaxAttribute,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = parameters[^1].ParameterType == typeof(int),
                Width = attribute.Width,
                Temperature = attribute.Temperature,
                Scale = attribute.Scale,
                Softcap = attribute.Softcap,
                Mask = attribute.Mask,
                Sink = attribute.Sink,
                MaskedRowsAreZero = attribute.MaskedRowsAreZero,
                Causal = attribute.Causal,
                CausalOffset = attribute.CausalOffset,
                MaxBias = attribute.MaxBias,
                Heads = attribute.Heads,
                Dispatcher = method,
                Paths = KernelCatalog.PathsOf(paths),
            };
        }
    }
}
