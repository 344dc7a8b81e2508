using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks.Columns;

/// <summary>
/// How many times faster than a peer measured in the same run (the peer's median / this median). The peer
/// computes the same operation (softmax, log-softmax, LayerNorm, RmsNorm) at the same shape and job.
/// </summary>
public abstract class SpeedupColumn(Peer peer, int priority) : KernelColumn(priority)
{
    protected override string? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (SummaryLookup.MedianNanoseconds(summary, benchmarkCase) is not double median
            || SummaryLookup.Info(benchmarkCase) is not { Operation: not Operation.Copy }
            || SummaryLookup.FindPeer(summary, benchmarkCase, peer) is not { } other
            || SummaryLookup.MedianNanoseconds(summary, other) is not double peerMedian)
        {
            return null;
        }

        return Format(peerMedian / median, "0.00") + "x";
    }
}

/// <summary>Speedup over TensorPrimitives (SoftMax for softmax, the composition for log-softmax and the normalizations).</summary>
public sealed class TensorPrimitivesSpeedupColumn() : SpeedupColumn(Peer.TensorPrimitives, 5)
{
    public override string ColumnName => "vs TP";

    public override string Legend =>
        "Speedup over TensorPrimitives in the same run and shape: median(TensorPrimitives) / median(this); " +
        "softmax: TensorPrimitives.SoftMax per row, log-softmax, LayerNorm and RmsNorm: the TensorPrimitives composition; " +
        "cross-entropy: the forward composition for forward methods, the forward+gradient composition for gradient methods";
}

/// <summary>Speedup over ONNX Runtime.</summary>
public sealed class OnnxRuntimeSpeedupColumn() : SpeedupColumn(Peer.OnnxRuntime, 6)
{
    public override string ColumnName => "vs ORT";

    public override string Legend => "Speedup over ONNX Runtime (one thread) in the same run and shape: median(ORT) / median(this)";
}
