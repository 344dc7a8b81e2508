using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks.Columns;

/// <summary>Median nanoseconds per element (rows × row length).</summary>
public sealed class NanosecondsPerElementColumn() : KernelColumn(1)
{
    public override string ColumnName => "ns/elem";

    public override string Legend => "Median time per element (rows x row length), in nanoseconds";

    protected override string? Compute(Summary summary, BenchmarkCase benchmarkCase) =>
        SummaryLookup.NanosecondsPerElement(summary, benchmarkCase) is double ns ? Format(ns, ns < 10 ? "0.000" : "0.0") : null;
}

/// <summary>The bytes per element the traffic model assumes for the method at this row length.</summary>
public sealed class BytesPerElementColumn() : KernelColumn(2)
{
    public override string ColumnName => "B/elem";

    public override string Legend =>
        "Bytes read + written per element assumed (4-byte floats, every pass counted): ThreePassReload 20 (log 16), " +
        "ThreePassRecompute 16, TwoPass/Online 12, Auto = ThreePassReload up to 2M-float (8 MiB) rows else TwoPass, " +
        "Width rows kept in registers 8, Scalar 20 (log 16); TensorPrimitives.SoftMax 12, TensorPrimitives compositions 32, " +
        "ONNX Runtime Softmax 20, LogSoftmax 16; LayerNorm kernels 16, RmsNorm kernels 12, their TensorPrimitives compositions 32 and 20, " +
        "ONNX Runtime LayerNormalization and RMSNormalization 16 (weight and bias rows not counted); " +
        "cross-entropy kernels 4 forward, 12 forward+gradient, TensorPrimitives compositions 24 and 32, ONNX Runtime SoftmaxCrossEntropyLoss 16 " +
        "(targets not counted); Copy 8";

    protected override string? Compute(Summary summary, BenchmarkCase benchmarkCase) =>
        SummaryLookup.BytesPerElement(benchmarkCase) is int bytes ? bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>GB/s by the traffic model: bytes per element / ns per element.</summary>
public sealed class GigabytesPerSecondColumn() : KernelColumn(3)
{
    public override string ColumnName => "GB/s";

    public override string Legend => "Bytes moved per second by the traffic model (B/elem / ns/elem), in 10^9 bytes per second";

    protected override string? Compute(Summary summary, BenchmarkCase benchmarkCase) =>
        SummaryLookup.GigabytesPerSecond(summary, benchmarkCase) is double gbs ? Format(gbs, "0.0") : null;
}

/// <summary>
/// GB/s as a fraction of the copy bandwidth: the Copy benchmark of the same shape in this run, or
/// (when the run does not include it) a Stopwatch measurement of the same copy made once in this process.
/// </summary>
public sealed class RooflineColumn() : KernelColumn(4)
{
    public override string ColumnName => "Roofline";

    public override string Legend =>
        "GB/s divided by the copy bandwidth (Span.CopyTo of the same bytes, counted as 8 B/elem): from the Copy benchmark of the same " +
        "shape and job in this run; values marked ~ use a Stopwatch copy measured once in the host process because Copy was not run";

    protected override string? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (SummaryLookup.GigabytesPerSecond(summary, benchmarkCase) is not double gbs || SummaryLookup.Shape(benchmarkCase) is not RowShape shape)
        {
            return null;
        }

        if (SummaryLookup.FindPeer(summary, benchmarkCase, Peer.Copy) is { } copy && SummaryLookup.GigabytesPerSecond(summary, copy) is double copyGbs)
        {
            return Format(gbs / copyGbs, "0.00");
        }

        return "~" + Format(gbs / CopyBandwidth.GigabytesPerSecond(shape.Elements), "0.00");
    }
}
