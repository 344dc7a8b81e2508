using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// <c>--ratios</c>: every performance target of the issues measured as a paired ratio in one process. BenchmarkDotNet
/// times each method in a process of its own, one after the other; on the shared machines here the same generated code
/// then differs by up to 30% between two processes (code placement, a neighbour's memory traffic that comes and goes),
/// which is as large as the margins the targets ask for. Here the two sides of a ratio are prepared once (each on its
/// own buffers, 64-byte aligned, as BenchmarkDotNet prepares them) and timed in alternating batches of about
/// <see cref="BatchMilliseconds"/> ms each, the order swapped every round; each round gives one ratio, and the table
/// reports the median of <see cref="Rounds"/> of them with the 10th–90th percentile range, beside the medians of the
/// two sides' times per call. A burst of noise lands in one round, on both sides of it.
/// </summary>
public static class PairedRatios
{
    /// <summary>Rounds per ratio (each round: one batch of each side).</summary>
    public const int Rounds = 31;

    /// <summary>The length of one batch of calls.</summary>
    public const double BatchMilliseconds = 10;

    /// <summary>What a ratio compares.</summary>
    public enum Kind
    {
        /// <summary>time(peer) / time(ours): how many times faster ours is.</summary>
        Faster,

        /// <summary>time(copy) · bytes-per-element / 8 / time(ours): the share of the copy bandwidth ours reaches.</summary>
        Roofline,

        /// <summary>
        /// time(peer) / time(floor), where "ours" is a floor no kernel can beat (a copy of the bytes it must move): the most
        /// any kernel can gain over the peer. Below the goal, the goal is out of reach on this machine ("unreachable").
        /// </summary>
        Ceiling,

        /// <summary>
        /// time(fastest peer) / time(ours), where <see cref="Target.Peer"/> lists several methods separated by <c>|</c>
        /// (the other algorithms) and each round takes the fastest of them: how close ours comes to the best choice.
        /// </summary>
        Fastest,
    }

    /// <summary>One target: <paramref name="Ours"/> against <paramref name="Peer"/> (a peer, another algorithm or <c>Copy</c>; or
    /// several methods separated by <c>|</c>, each round against the fastest of them: the other algorithms of
    /// <see cref="Kind.Fastest"/>, or two copies of which the faster is the roofline) of <paramref name="Class"/> at <paramref name="Shape"/>;
    /// <paramref name="PeerClass"/>, if given, is the peer's class (the same kernel with other buffers); else <paramref name="Class"/>.</summary>
    public sealed record Target(string Issue, string What, Type Class, string Shape, string Ours, string Peer, Kind Kind, double Goal, double BytesPerElement = 8, Type? PeerClass = null);

    // The algorithms Auto chooses from (SoftmaxAlgorithms' methods), for "softmax Auto vs the fastest algorithm".
    private const string OtherAlgorithms = "Avx512_ThreePassReload|Avx512_ThreePassRecompute|Avx512_TwoPass|Avx512_Online";

    /// <summary>The targets of issues 4, 5 and 6 (see docs/benchmarks.md, "The ratios the team must show").</summary>
    public static IReadOnlyList<Target> All { get; } =
    [
        new("6", "softmax Auto vs ONNX Runtime", typeof(SoftmaxAlgorithms), "1024x1024", "Avx512_Auto", "OnnxRuntime_Softmax", Kind.Faster, 1.3),
        new("6", "softmax Auto vs ONNX Runtime", typeof(SoftmaxAlgorithms), "64x4096", "Avx512_Auto", "OnnxRuntime_Softmax", Kind.Faster, 1.3),
        new("6", "softmax Width = 64 vs ONNX Runtime", typeof(SoftmaxWidth64), "4096x64", "Avx512_Width64", "OnnxRuntime_Softmax", Kind.Faster, 1.5),
        new("6", "softmax TwoPass vs ThreePassReload", typeof(SoftmaxAlgorithms), "1x16777216", "Avx512_TwoPass", "Avx512_ThreePassReload", Kind.Faster, 1.15),
        new("6", "softmax TwoPass vs ThreePassReload", typeof(SoftmaxAlgorithms), "256x65536", "Avx512_TwoPass", "Avx512_ThreePassReload", Kind.Faster, 1.15),
        new("6", "ceiling of the above: TwoPass's arithmetic alone (each row computed from one row kept in L2) vs ThreePassReload", typeof(SoftmaxTwoPassFloor), "256x65536", "Avx512_TwoPass_OneRowInL2", "Avx512_ThreePassReload", Kind.Ceiling, 1.15, PeerClass: typeof(SoftmaxAlgorithms)),
        new("6", "softmax TwoPass, share of its copy roofline (12 B/elem)", typeof(SoftmaxAlgorithms), "1x16777216", "Avx512_TwoPass", "Copy", Kind.Roofline, 0.85, 12),
        new("6", "softmax TwoPass, share of its copy roofline (12 B/elem)", typeof(SoftmaxAlgorithms), "256x65536", "Avx512_TwoPass", "Copy", Kind.Roofline, 0.85, 12),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "4096x64", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "1024x1024", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "64x4096", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "1x65536", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "4x262144", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "1x1048576", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "1x16777216", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "softmax Auto vs the fastest algorithm", typeof(SoftmaxAlgorithms), "256x65536", "Avx512_Auto", OtherAlgorithms, Kind.Fastest, 0.95),
        new("6", "log-softmax Auto vs ONNX Runtime", typeof(LogSoftmaxAlgorithms), "1024x1024", "Dispatched_Auto", "OnnxRuntime_LogSoftmax", Kind.Faster, 1.3),
        new("6", "log-softmax Auto vs ONNX Runtime", typeof(LogSoftmaxAlgorithms), "64x4096", "Dispatched_Auto", "OnnxRuntime_LogSoftmax", Kind.Faster, 1.3),
        new("4, 6", "cross-entropy forward (mean) vs ONNX Runtime", typeof(CrossEntropyBenchmarks), "1024x32000", "Dispatched_Forward", "OnnxRuntime_SoftmaxCrossEntropyLoss", Kind.Faster, 4),
        new("4", "cross-entropy forward + gradient vs TensorPrimitives", typeof(CrossEntropyBenchmarks), "1024x32000", "Dispatched_ForwardGradient", "TensorPrimitives_ForwardGradient", Kind.Faster, 3),
        new("4", "ceiling of the above: streaming copy of the logits into the gradient vs TensorPrimitives", typeof(CrossEntropyBenchmarks), "1024x32000", "Copy_Streaming", "TensorPrimitives_ForwardGradient", Kind.Ceiling, 3),
        new("4", "ceiling of the above: the kernel's arithmetic alone (each row computed from one row kept in L2) vs TensorPrimitives", typeof(CrossEntropyFloor), "1024x32000", "Avx512_ForwardGradient_OneRowInL2", "TensorPrimitives_ForwardGradient", Kind.Ceiling, 3, PeerClass: typeof(CrossEntropyBenchmarks)),
        new("5, 6", "LayerNorm vs ONNX Runtime", typeof(LayerNormBenchmarks), "256x4096", "Dispatched", "OnnxRuntime_LayerNormalization", Kind.Faster, 1.5),
        new("5", "LayerNorm vs TensorPrimitives", typeof(LayerNormBenchmarks), "256x4096", "Dispatched", "TensorPrimitives_Composition", Kind.Faster, 1.3),
        new("5", "LayerNorm, share of the copy roofline (8 B/elem)", typeof(LayerNormBenchmarks), "4096x4096", "Dispatched", "Copy", Kind.Roofline, 0.85),
        new("5", "LayerNorm fused residual vs add then norm", typeof(LayerNormBenchmarks), "256x4096", "Dispatched_Residual", "Separate_AddThenNorm", Kind.Faster, 1),
        new("5", "LayerNorm fused residual vs add then norm", typeof(LayerNormBenchmarks), "4096x4096", "Dispatched_Residual", "Separate_AddThenNorm", Kind.Faster, 1),
        new("5, 6", "RmsNorm vs ONNX Runtime", typeof(RmsNormBenchmarks), "256x4096", "Dispatched", "OnnxRuntime_RmsNormalization", Kind.Faster, 1.5),
        new("5", "RmsNorm vs TensorPrimitives", typeof(RmsNormBenchmarks), "256x4096", "Dispatched", "TensorPrimitives_Composition", Kind.Faster, 1.3),
        new("5", "ceiling of RmsNorm vs TensorPrimitives: a copy of the batch (in L3) vs TensorPrimitives", typeof(RmsNormBenchmarks), "256x4096", "Copy", "TensorPrimitives_Composition", Kind.Ceiling, 1.3),
        new("5", "RmsNorm vs TensorPrimitives, rows of 1024 floats (run as a chain)", typeof(RmsNormBenchmarks), "1024x1024", "Dispatched", "TensorPrimitives_Composition", Kind.Faster, 1.3),
        new("5", "RmsNorm, share of the copy roofline (8 B/elem)", typeof(RmsNormBenchmarks), "4096x4096", "Dispatched", "Copy", Kind.Roofline, 0.85),
        new("5", "RmsNorm fused residual vs add then norm", typeof(RmsNormBenchmarks), "256x4096", "Dispatched_Residual", "Separate_AddThenNorm", Kind.Faster, 1),
        new("5", "RmsNorm fused residual vs add then norm", typeof(RmsNormBenchmarks), "4096x4096", "Dispatched_Residual", "Separate_AddThenNorm", Kind.Faster, 1),
        new("6", "softmax Auto, unaligned output (8 B past 64, as a new float[] may be) vs aligned", typeof(SoftmaxUnalignedOutput), "4096x4096", "Avx512_Auto", "Avx512_OneThread", Kind.Faster, 0.95, PeerClass: typeof(ParallelSoftmaxBenchmarks)),
        new("6", "softmax Auto, unaligned output (8 B past 64, as a new float[] may be) vs aligned", typeof(SoftmaxUnalignedOutput), "1024x1024", "Avx512_Auto", "Avx512_OneThread", Kind.Faster, 0.95, PeerClass: typeof(ParallelSoftmaxBenchmarks)),
        new("6", "parallel softmax vs one thread", typeof(ParallelSoftmaxBenchmarks), "1024x1024", "Avx512_Parallel", "Avx512_OneThread", Kind.Faster, 1.8),
        new("6", "parallel softmax, share of the two-thread copy (8 B/elem; the faster of memmove and streaming stores)", typeof(ParallelSoftmaxBenchmarks), "4096x4096", "Avx512_Parallel", "Copy_Parallel|Copy_ParallelStreaming", Kind.Roofline, 0.85),
    ];

    /// <summary>Measures every target (those whose text contains <paramref name="filter"/>, if given) and prints the table.</summary>
    public static int Run(string? filter)
    {
        List<Target> targets = All.Where(t => filter is null || $"{t.What} {t.Shape}".Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        if (targets.Count == 0)
        {
            Console.Error.WriteLine($"ratios: no target matches '{filter}'");
            return 1;
        }

        var rows = new List<string>();
        int index = 0;
        foreach (Target target in targets)
        {
            index++;
            Console.Error.Write($"ratios: [{index}/{targets.Count}] {target.What}, {target.Shape} ... ");
            (double ours, string peerName, double peer, double median, double low, double high) = Measure(target);
            bool met = median >= target.Goal;
            string verdict = target.Kind == Kind.Ceiling ? (met ? "reachable" : "unreachable") : met ? "met" : "short";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{median:0.00} ({verdict})"));
            rows.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| {target.Issue} | {target.What} | {target.Shape} | {target.Ours} {Time(ours)} | {peerName} {Time(peer)} | **{median:0.00}** ({low:0.00}–{high:0.00}) | ≥ {target.Goal:0.00} | {verdict} |"));
        }

        Console.WriteLine($"Paired ratios, {Rounds} rounds of ~{BatchMilliseconds} ms batches per side, one process ({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}):");
        Console.WriteLine();
        Console.WriteLine("| issue | ratio | shape | ours (median per call) | against (median per call) | ratio, median of rounds (p10–p90) | target | |");
        Console.WriteLine("|---|---|---|---|---|---:|---:|---|");
        foreach (string row in rows)
        {
            Console.WriteLine(row);
        }

        return 0;
    }

    private static (double Ours, string Peer, double PeerTime, double Median, double Low, double High) Measure(Target target)
    {
        string[] peerNames = target.Peer.Split('|');
        using BenchmarkInvoker.Prepared ours = BenchmarkInvoker.Prepare(target.Class, target.Ours, target.Shape);
        var peers = new BenchmarkInvoker.Prepared[peerNames.Length];
        try
        {
            for (int p = 0; p < peers.Length; p++)
            {
                peers[p] = BenchmarkInvoker.Prepare(target.PeerClass ?? target.Class, peerNames[p], target.Shape);
            }

            // Warm up (tiered JIT: past the first tiers) and size the batches.
            int oursBatch = BatchSize(ours.Call);
            int[] peerBatches = peers.Select(peer => BatchSize(peer.Call)).ToArray();
            var oursTimes = new double[Rounds];
            var peerTimes = new double[peers.Length][];
            for (int p = 0; p < peers.Length; p++)
            {
                peerTimes[p] = new double[Rounds];
            }

            var ratios = new double[Rounds];
            for (int round = 0; round < Rounds; round++)
            {
                // Ours first in even rounds, last in odd ones.
                if (round % 2 == 0)
                {
                    oursTimes[round] = PerCall(ours.Call, oursBatch);
                }

                for (int p = 0; p < peers.Length; p++)
                {
                    peerTimes[p][round] = PerCall(peers[p].Call, peerBatches[p]);
                }

                if (round % 2 != 0)
                {
                    oursTimes[round] = PerCall(ours.Call, oursBatch);
                }

                double peerTime = peerTimes.Min(times => times[round]);
                ratios[round] = target.Kind == Kind.Roofline
                    ? peerTime * (target.BytesPerElement / 8) / oursTimes[round]
                    : peerTime / oursTimes[round];
            }

            // The peer quoted beside the ratio: the one with the smallest median (for Kind.Fastest, the fastest other).
            int fastest = Enumerable.Range(0, peers.Length).MinBy(p => Median(peerTimes[p]));
            Array.Sort(ratios);
            return (Median(oursTimes), peerNames[fastest], Median(peerTimes[fastest]), ratios[Rounds / 2], ratios[Rounds / 10], ratios[Rounds - 1 - (Rounds / 10)]);
        }
        finally
        {
            foreach (BenchmarkInvoker.Prepared? peer in peers)
            {
                peer?.Dispose();
            }
        }
    }

    // Calls until 300 ms have passed (and at least 30 times), then returns how many calls make a batch of BatchMilliseconds.
    private static int BatchSize(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < 30 || Stopwatch.GetElapsedTime(start).TotalMilliseconds < 300)
        {
            call();
            calls++;
        }

        double perCall = PerCall(call, Math.Max(1, calls / 10));
        return Math.Max(1, (int)Math.Round(BatchMilliseconds / (perCall * 1e3)));
    }

    // Seconds per call over a batch of 'count' calls.
    private static double PerCall(Action call, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            call();
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds / count;
    }

    private static double Median(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static string Time(double seconds) => seconds >= 1e-3
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.000} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.0} µs");
}
