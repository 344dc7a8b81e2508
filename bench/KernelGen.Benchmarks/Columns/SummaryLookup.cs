using System;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks.Columns;

/// <summary>What the columns read out of a summary: medians, shapes, and the peers measured in the same run.</summary>
internal static class SummaryLookup
{
    /// <summary>The method's attributes, or null for a method without them.</summary>
    public static BenchmarkMethodInfo? Info(BenchmarkCase benchmarkCase) =>
        BenchmarkMethodInfo.Of(benchmarkCase.Descriptor.WorkloadMethod);

    /// <summary>The case's shape, or null when it has no Shape parameter.</summary>
    public static RowShape? Shape(BenchmarkCase benchmarkCase) =>
        ShapeText(benchmarkCase) is { } text ? RowShape.Parse(text) : null;

    /// <summary>The median time of one operation, in nanoseconds, or null when the case has no result.</summary>
    public static double? MedianNanoseconds(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics?.Median is double median && median > 0 ? median : null;

    /// <summary>The median nanoseconds per element.</summary>
    public static double? NanosecondsPerElement(Summary summary, BenchmarkCase benchmarkCase) =>
        MedianNanoseconds(summary, benchmarkCase) is double median && Shape(benchmarkCase) is RowShape shape
            ? median / shape.Elements
            : null;

    /// <summary>Bytes read plus written per element, by the traffic model.</summary>
    public static int? BytesPerElement(BenchmarkCase benchmarkCase) =>
        Info(benchmarkCase) is { } info && Shape(benchmarkCase) is RowShape shape ? info.BytesPerElement(shape.RowLength) : null;

    /// <summary>GB/s (bytes per nanosecond) moved by the case, by the traffic model.</summary>
    public static double? GigabytesPerSecond(Summary summary, BenchmarkCase benchmarkCase) =>
        BytesPerElement(benchmarkCase) is int bytes && NanosecondsPerElement(summary, benchmarkCase) is double ns ? bytes / ns : null;

    /// <summary>
    /// The case of <paramref name="peer"/> for the same operation, shape and job in this run: from the same
    /// class if it has one, else from any class.
    /// </summary>
    public static BenchmarkCase? FindPeer(Summary summary, BenchmarkCase benchmarkCase, Peer peer)
    {
        BenchmarkMethodInfo? info = Info(benchmarkCase);
        string? shape = ShapeText(benchmarkCase);
        if (info is null || shape is null)
        {
            return null;
        }

        Operation operation = peer == Peer.Copy ? Operation.Copy : info.Operation;
        var candidates = summary.BenchmarksCases
            .Where(other => Info(other) is { } o && o.Peer == peer && o.Operation == operation
                && ShapeText(other) == shape
                && other.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
                && MedianNanoseconds(summary, other) is not null)
            .ToList();
        return candidates.FirstOrDefault(other => other.Descriptor.Type == benchmarkCase.Descriptor.Type) ?? candidates.FirstOrDefault();
    }

    private static string? ShapeText(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value as string;
}
