using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row loss.</summary>
public delegate T RowLoss<T>(ReadOnlySpan<T> logits, int target);

/// <summary>A one-row loss with its gradient.</summary>
public delegate T RowLossGradient<T>(ReadOnlySpan<T> logits, int target, Span<T> gradient);

/// <summary>A reduced many-rows loss.</summary>
public delegate T RowsLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets);

/// <summary>A reduced many-rows loss with its gradient.</summary>
public delegate T RowsLossGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> gradient);

/// <summary>A many-rows loss without reduction.</summary>
public delegate void RowsLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses);

/// <summary>A many-rows loss without reduction, with its gradient.</summary>
public delegate void RowsLossesGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, Span<T> gradient);

/// <summary>What one call of a loss kernel gave back, in double.</summary>
/// <param name="Loss">The returned loss (NaN for Reduction = None, which returns nothing).</param>
/// <param name="Losses">The per-row losses (None), else empty.</param>
/// <param name="Gradient">The gradient, else empty.</param>
public sealed record LossResult(double Loss, double[] Losses, double[] Gradient);

/// <summary>One generated cross-entropy kernel found by reflection.</summary>
public sealed class LossInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool HasGradient { get; init; }

    public required LossReduction Reduction { get; init; }

    public required int IgnoreIndex { get; init; }

    public required double LabelSmoothing { get; init; }

    public required double ZLoss { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    /// <summary>Path name (Avx512, Avx2, Neon, Vector128, Scalar, Reference) → method.</summary>
    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public override string ToString() => this.Name;

    /// <summary>
    /// Runs <paramref name="method"/> on the logits (rounded to the element type) and targets (one per row;
    /// the first only for a one-row kernel), into fresh outputs.
    /// </summary>
    public LossResult Run(MethodInfo method, double[] logits, int[] targets) =>
        this.IsDouble
            ? this.Run<double>(method, logits, targets, static v => v, static v => v)
            : this.Run<float>(method, logits, targets, static v => (float)v, static v => v);

    /// <summary>Runs with the outputs given by the caller (the tests of bad spans and of in-place gradients).</summary>
    public double Call<T>(MethodInfo method, ReadOnlySpan<T> logits, int[] targets, Span<T> losses, Span<T> gradient)
        where T : struct
    {
        bool none = this.Reduction == LossReduction.None;
        if (!this.ManyRows)
        {
            return ToDouble(this.HasGradient
                ? ((RowLossGradient<T>)method.CreateDelegate(typeof(RowLossGradient<T>)))(logits, targets[0], gradient)
                : ((RowLoss<T>)method.CreateDelegate(typeof(RowLoss<T>)))(logits, targets[0]));
        }

        if (!none)
        {
            return ToDouble(this.HasGradient
                ? ((RowsLossGradient<T>)method.CreateDelegate(typeof(RowsLossGradient<T>)))(logits, targets, gradient)
                : ((RowsLoss<T>)method.CreateDelegate(typeof(RowsLoss<T>)))(logits, targets));
        }

        if (this.HasGradient)
        {
            ((RowsLossesGradient<T>)method.CreateDelegate(typeof(RowsLossesGradient<T>)))(logits, targets, losses, gradient);
        }
        else
        {
            ((RowsLosses<T>)method.CreateDelegate(typeof(RowsLosses<T>)))(logits, targets, losses);
        }

        return double.NaN;
    }

    private static double ToDouble<T>(T value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);

    private LossResult Run<T>(MethodInfo method, double[] logits, int[] targets, Func<double, T> narrow, Func<T, double> widen)
        where T : struct
    {
        T[] x = logits.Select(narrow).ToArray();
        var losses = new T[this.ManyRows && this.Reduction == LossReduction.None ? targets.Length : 0];
        var gradient = new T[this.HasGradient ? logits.Length : 0];
        double loss = this.Call<T>(method, x, targets, losses, gradient);
        return new LossResult(loss, losses.Select(widen).ToArray(), gradient.Select(widen).ToArray());
    }
}

/// <summary>Finds every kernel declared in <see cref="LossKernels"/>.</summary>
public static class LossCatalog
{
    public static readonly IReadOnlyList<LossInfo> All = Discover().ToList();

    public static LossInfo Get(string name) => All.Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<LossInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    /// <summary>The paths of <paramref name="kernel"/> this machine runs, the dispatcher, and Reference.</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(LossInfo kernel)
    {
        foreach ((string name, MethodInfo method) in kernel.Paths)
        {
            if (Harness.IsSupported(name))
            {
                yield return (name, method);
            }
        }

        yield return ("Dispatch", kernel.Dispatcher);
    }

    private static IEnumerable<LossInfo> Discover()
    {
        foreach (MethodInfo method in typeof(LossKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<CrossEntropyAttribute>() is not { } attribute)
            {
                continue;
            }

            Type paths = typeof(LossKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!;
            ParameterInfo[] parameters = method.GetParameters();
            bool manyRows = parameters[1].ParameterType == typeof(ReadOnlySpan<int>);
            int outputs = parameters.Length - 2;
            yield return new LossInfo
            {
                Name = method.Name,
                IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
                ManyRows = manyRows,
                HasGradient = outputs == (manyRows && attribute.Reduction == LossReduction.None ? 2 : 1),
                Reduction = attribute.Reduction,
                IgnoreIndex = attribute.IgnoreIndex,
                LabelSmoothing = attribute.LabelSmoothing,
                ZLoss = attribute.ZLoss,
                Width = attribute.Width,
                Unroll = attribute.Unroll,
                Dispatcher = method,
                Paths = KernelCatalog.PathNames.Append("Reference")
                    .Select(name => (name, paths.GetMethod(name, BindingFlags.Public | BindingFlags.Static)))
                    .Where(static p => p.Item2 is not null)
                    .ToDictionary(static p => p.name, static p => p.Item2!),
            };
        }
    }
}
