using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// Many rows of <c>ThreePassReload</c> (softmax and log-softmax) with three rows in flight: one walk per
/// row, <c>{Path}RowsInFlight</c>, finds the maximum of row r + 1 (read from L2/L3 for the first time), computes and stores
/// the exps of row r (pass 2) and writes row r − 1's output from what it stored (pass 3). The loads of the next row then
/// overlap the exps instead of waiting for the pass after them, as they do in the two-row pipelining of
/// <see cref="WritePipelinedRows"/>. In a batch under 8 MiB the walk works in place in the output; out of cache
/// (<c>{Path}RowsInFlightStreamed</c>, a batch whose output streams) the exps go to two per-thread scratch rows and the
/// output is written from them with streaming stores. A row's arithmetic is pass 2's and pass 3's statements, with the same
/// accumulators in the same loops: the same bits as the row alone (EquivalenceTests.ManyRowsEqualEachRowAloneBitForBit).
/// </summary>
internal sealed partial class SoftmaxEmitter
{
    /// <summary>
    /// Rows of at most this many bytes run three in flight (two rows or more; one row takes the three passes). Paired probe
    /// of the generated kernels on the Zen 5 machine (docs/benchmarks.md, session 13), against the two-row pipelining:
    /// 1.15–1.39× faster for 3 to 1792 rows of 512 to 2048 floats, 1.05–1.10× for rows of 4096 to 262 144 floats, 0.92× for
    /// rows of 1 048 576 floats. Batches of 8 MiB or more (the runtime's <c>CacheHints.StreamingThresholdBytes</c>) do not
    /// run in flight: from 8 MiB of floats on, the probe measured 0.81–0.99× (1024 floats a row) and 0.94–0.98× (4096 and
    /// 65 536 floats a row).
    /// </summary>
    public const int RowsInFlightRowBytes = 1024 * 1024;

    /// <summary>
    /// Out of cache (a batch whose output streams, <c>CacheHints.ShouldStream</c>), rows of at most this many bytes run three in
    /// flight with the exps in per-thread scratch rows and the output streamed from them. Paired probe on the Zen 5 machine
    /// (docs/benchmarks.md, session 13), against the two-row pipelining, 64 MiB of floats: one thread 1.14–1.22× faster for rows
    /// of 1024 to 4096 floats, 0.98× for rows of 65 536 (the scratch rows no longer stay in L2). With <c>Parallel = true</c> on
    /// two threads, 4096 × 4096 went from 0.58–0.63 to 0.88–0.92 of the two-thread copy's bandwidth (<c>--ratios</c>).
    /// </summary>
    public const int RowsInFlightStreamedRowBytes = 16 * 1024;

    /// <summary>
    /// Out of cache (a batch of 8 MiB or more), rows longer than <see cref="RowsInFlightStreamedRowBytes"/> and at most this many
    /// bytes run one at a time — the row's maximum, then its exps and output (<c>{Path}RowMaximum</c>, <c>{Path}Row…Last</c>, the
    /// row alone's passes) — instead of the two-row pipelining, whose output pass also reads the next row from memory and so
    /// pushes the row and its output out of L2 (1 MiB) between the passes. Paired, <c>--ratios</c> on the Zen 5 machine
    /// (docs/benchmarks.md, session 20): <c>Auto</c> against the fastest other algorithm (Online) at 256 × 65 536 floats went from
    /// 0.89–0.91 to 1.00–1.05; at 2048 × 8192, 1024 × 16 384 and 512 × 32 768 from 0.89–0.95 to 0.98–1.06. Rows of 1 MiB and more
    /// gained nothing (0.71–0.89 of Online either way).
    /// </summary>
    public const int RowsOneAtATimeRowBytes = 256 * 1024;

    private int ElementBytes => this.Element == ElementType.Float ? 4 : 8;

    // True where the rows of this path run three in flight (when short enough, at run time).
    private bool HasRowsInFlight(PathInfo path) =>
        this.PipelinedAlgorithm(path) == SoftmaxAlgorithmKind.ThreePassReload
        && (this.model.Width == 0 || this.model.Width * this.ElementBytes <= RowsInFlightRowBytes);

    // Any path with rows in flight: the constants are written.
    private bool AnyRowsInFlight => PathInfo.All.Any(this.HasRowsInFlight);

    // The constants of the rows in flight.
    private void WriteRowsInFlightConstants(IndentedWriter writer)
    {
        if (!this.AnyRowsInFlight)
        {
            return;
        }

        writer.Line($"/// <summary>Rows of at most this many elements ({RowsInFlightRowBytes / 1024} KiB), two or more, in a batch smaller than RowsInFlightBatchLength, run three rows in flight.</summary>");
        writer.Line($"private const int RowsInFlightRowLength = {this.RowsInFlightRowLength};");
        writer.Line("/// <summary>Batches of this many elements or more (8 MiB, where outputs stream) do not stay in cache: their rows run in flight only from scratch rows with the output streamed, else two walks each.</summary>");
        writer.Line($"private const int RowsInFlightBatchLength = global::KernelGen.Runtime.CacheHints.StreamingThresholdBytes / sizeof({this.T});");
        writer.Line($"/// <summary>Out of cache, rows of at most this many elements ({RowsInFlightStreamedRowBytes / 1024} KiB) run three in flight with their output streamed.</summary>");
        writer.Line($"private const int RowsInFlightStreamedRowLength = {RowsInFlightStreamedRowBytes / this.ElementBytes};");
        writer.Line($"/// <summary>Out of cache, longer rows of at most this many elements ({RowsOneAtATimeRowBytes / 1024} KiB) run one at a time, so that a row and its output stay in L2.</summary>");
        writer.Line($"private const int RowsOneAtATimeRowLength = {RowsOneAtATimeRowBytes / this.ElementBytes};");
    }

    private int RowsInFlightRowLength => RowsInFlightRowBytes / this.ElementBytes;

    // In the rows loop, before the two-row pipelining: two or more rows of at most RowsInFlightRowLength, in a batch that stays
    // in cache, run three in flight.
    private void WriteRowsInFlightLoop(IndentedWriter writer, PathInfo path)
    {
        if (!this.HasRowsInFlight(path))
        {
            return;
        }

        string name = path.Name;
        writer.Line();
        using (writer.Block($"if (n <= RowsInFlightRowLength && rows >= 2 && (long)rows * n < RowsInFlightBatchLength)"))
        {
            writer.Line($"// Three rows in flight: call r finds the maximum of row r + 1, stores the {(this.IsLog ? "shifted logits" : "exps")} of row r and");
            writer.Line("// writes row r − 1's output. Before row 0 there is no row r − 1: the first call's output stage rewrites row 0's");
            writer.Line($"// stored values {(this.IsLog ? "less log 1 = 0" : "times 1/1")}, which leaves them as they are; after the last row its output remains.");
            writer.Line($"{this.T} maximumOfRow = {name}RowMaximum(ref x, n);   // row 0's; each call returns the next row's");
            writer.Line("double sumOfPrevious = 1;");
            writer.Line("nint rowStart = 0;");
            using (writer.Block("for (int row = 0; row < rows; row++, rowStart += n)"))
            {
                writer.Line("nint next = row + 1 < rows ? rowStart + n : rowStart;   // the last row looks at itself again (already in cache)");
                writer.Line("nint previous = row > 0 ? rowStart - n : 0;");
                writer.Line($"maximumOfRow = {name}RowsInFlight(ref {Unsafe}.Add(ref x, next), ref {Unsafe}.Add(ref x, rowStart), ref {Unsafe}.Add(ref y, rowStart), maximumOfRow, ref {Unsafe}.Add(ref y, previous), sumOfPrevious, n, out sumOfPrevious);");
            }

            writer.Line();
            writer.Line($"{name}RowOutput(ref {Unsafe}.Add(ref y, rowStart - n), ref {Unsafe}.Add(ref y, rowStart - n), n, sumOfPrevious);");
            writer.Line("return;");
        }

        writer.Line();
        using (writer.Block($"if (n <= RowsInFlightStreamedRowLength && rows >= 2 && global::KernelGen.Runtime.CacheHints.ShouldStream(input, output))"))
        {
            string stored = this.IsLog ? "shifted logits" : "exps";
            writer.Line($"// Out of cache: three rows in flight, the {stored} in two per-thread scratch rows that stay in L1/L2, and the output");
            writer.Line("// written from them with streaming stores (no read-for-ownership of its lines); the next row's maximum asked for ahead.");
            writer.Line($"// Row 0 has no row − 1: the first call's output stage copies row 0's {stored} {(this.IsLog ? "less log 1" : "× 1/1")} into the other scratch row, unused yet.");
            writer.Line($"ref {this.T} scratch = ref global::KernelGen.Runtime.ScratchRows.Get<{this.T}>(checked(2 * (int)n));");
            writer.Line($"{this.T} maximumOfRow = {name}RowMaximum(ref x, n);");
            writer.Line("double sumOfPrevious = 1;");
            writer.Line("nint rowStart = 0;");
            using (writer.Block("for (int row = 0; row < rows; row++, rowStart += n)"))
            {
                writer.Line("nint next = row + 1 < rows ? rowStart + n : rowStart;");
                writer.Line($"ref {this.T} stage = ref {Unsafe}.Add(ref scratch, (row & 1) * n);   // row r's {stored}");
                writer.Line($"ref {this.T} other = ref {Unsafe}.Add(ref scratch, ((row + 1) & 1) * n);   // row − 1's {stored}");
                writer.Line($"ref {this.T} previousStage = ref row > 0 ? ref other : ref stage;");
                writer.Line($"ref {this.T} previousOutput = ref row > 0 ? ref {Unsafe}.Add(ref y, rowStart - n) : ref other;");
                writer.Line($"maximumOfRow = {name}RowsInFlightStreamed(ref {Unsafe}.Add(ref x, next), ref {Unsafe}.Add(ref x, rowStart), ref stage, maximumOfRow, ref previousStage, ref previousOutput, sumOfPrevious, n, out sumOfPrevious);");
            }

            writer.Line();
            writer.Line($"{name}RowOutputStreamed(ref {Unsafe}.Add(ref scratch, ((rows - 1) & 1) * n), ref {Unsafe}.Add(ref y, rowStart - n), n, sumOfPrevious);");
            writer.Line("global::KernelGen.Runtime.CacheHints.StreamingFence();   // once: the output is complete when the kernel returns");
            writer.Line("return;");
        }

        int widthBytes = this.model.Width * this.ElementBytes;
        if (this.model.Width != 0 && (widthBytes <= RowsInFlightStreamedRowBytes || widthBytes > RowsOneAtATimeRowBytes))
        {
            return;
        }

        writer.Line();
        using (writer.Block("if (n > RowsInFlightStreamedRowLength && n <= RowsOneAtATimeRowLength && (long)rows * n >= RowsInFlightBatchLength)"))
        {
            writer.Line("// Out of cache, rows of 16 to 256 KiB: one at a time, the row alone's passes, so that the row and its output stay in");
            writer.Line("// L2 between them (the two-row pipelining's output pass also reads the next row from memory, which pushes them out).");
            writer.Line("nint rowStart = 0;");
            using (writer.Block("for (int row = 0; row < rows; row++, rowStart += n)"))
            {
                writer.Line($"{this.T} maximumOfRow = {name}RowMaximum(ref {Unsafe}.Add(ref x, rowStart), n);");
                writer.Line($"{name}Row{SoftmaxAlgorithmKind.ThreePassReload}Last(ref {Unsafe}.Add(ref x, rowStart), ref {Unsafe}.Add(ref y, rowStart), n, maximumOfRow);");
            }

            writer.Line("return;");
        }
    }

    // The walks of the rows in flight, in cache (pass 3 in place) and out of cache (pass 3 from a scratch row, streamed):
    // {Path}RowsInFlight[Streamed] (the three stages) and {Path}RowOutput[Streamed] (pass 3 alone, the last row's).
    private void WriteRowsInFlightMethods(IndentedWriter writer, VectorLoopWriter c, string inlining)
    {
        if (!this.HasRowsInFlight(c.Path))
        {
            return;
        }

        this.WriteRowsInFlightMethod(writer, c, inlining, streamed: false);
        this.WriteRowsInFlightMethod(writer, c, inlining, streamed: true);
    }

    private void WriteRowsInFlightMethod(IndentedWriter writer, VectorLoopWriter c, string inlining, bool streamed)
    {
        // Three stages in one loop take registers: the maxima use at most four accumulators, and a group of more than four
        // vectors is written four at a time, each four through its three stages (eight at once measured 5% slower).
        int maxima = System.Math.Min(c.Unroll, 4);
        string suffix = streamed ? "Streamed" : string.Empty;
        writer.Line();
        writer.Line(streamed
            ? "// Three rows in flight, out of cache: the maximum of 'next' (read from memory, asked for ahead), pass 2 of 'x' into the scratch"
            : "// Three rows in flight: the maximum of 'next' (read from L2 or L3 for the first time), pass 2 of 'x' into 'y' given its");
        writer.Line(streamed
            ? "// row 'y' given its maximum (returning Σ exp in 'sum'), and pass 3 from the scratch row 'previous' (whose Σ exp is 'previousSum')"
            : "// maximum (returning Σ exp in 'sum'), and pass 3 of 'previous', whose Σ exp is 'previousSum'. Returns the maximum of 'next'.");
        if (streamed)
        {
            writer.Line("// into 'previousOutput' with streaming stores (the caller fences once at the end). Returns the maximum of 'next'.");
        }

        writer.Line(inlining);
        string outputParameter = streamed ? $", ref {this.T} previousOutput" : string.Empty;
        using (writer.Block($"private static {this.T} {c.Path.Name}RowsInFlight{suffix}(ref {this.T} next, ref {this.T} x, ref {this.T} y, {this.T} maximum, ref {this.T} previous{outputParameter}, double previousSum, nint n, out double sum)"))
        {
            if (this.HasTemperature)
            {
                writer.Line($"{c.Vec} inverseTemperature = {c.Splat("InverseTemperature")};");
            }

            writer.Line("nint i;");
            writer.Line($"{c.Vec} rowMax = {c.Splat("maximum")};");
            this.WriteOutputFactor(writer, c, "previousSum");
            c.WriteMaxDeclarations(writer, maxima);
            c.WriteSumDeclarations(writer);
            // A group of more than four vectors goes four at a time through the three stages.
            void Stages(IndentedWriter w, IReadOnlyList<VectorAccess> group, Action<IndentedWriter, IEnumerable<VectorAccess>> outputStage)
            {
                foreach (IGrouping<int, VectorAccess> four in group.GroupBy(a => a.Accumulator / 4))
                {
                    foreach (VectorAccess a in four)
                    {
                        string slot = $"max{a.Accumulator % maxima}";
                        w.Line($"{slot} = {c.M}.Max({slot}, {a.Load("next")});");
                    }

                    this.WriteExpStage(w, c, four, reload: true);
                    outputStage(w, four);
                }
            }

            if (streamed)
            {
                writer.Line("// Pass 3 writes the previous row's output from its scratch row.");
                c.WriteStreamedStagePass(
                    writer,
                    $"{this.T}.NegativeInfinity",
                    "previousOutput",
                    new[] { "previous", "previousOutput" },
                    Stages,
                    (w, a, row) => w.Line(this.ReloadOutput(a, row("previous"), row("previousOutput"), streamed: true)),
                    w => c.WriteSumFlush(w),
                    prefetch: "next");
            }
            else
            {
                c.WritePass(
                    writer,
                    $"{this.T}.NegativeInfinity",
                    (w, group) => Stages(w, group, (ws, four) => four.ToList().ForEach(a => ws.Line(this.ReloadOutput(a, "previous")))),
                    w => c.WriteSumFlush(w));
            }

            writer.Line($"sum = {c.M}.SumWidened(wideLow, wideHigh);");
            writer.Line($"return {c.MaxOfAccumulators(maxima)};");
        }

        writer.Line();
        writer.Line(streamed
            ? "// Pass 3 alone, out of cache: the last row's output from its scratch row, with streaming stores (the caller fences)."
            : "// Pass 3 alone: the output of the last row in flight, from what pass 2 stored and its Σ exp.");
        writer.Line(inlining);
        using (writer.Block($"private static void {c.Path.Name}RowOutput{suffix}(ref {this.T} source, ref {this.T} y, nint n, double sum)"))
        {
            writer.Line("nint i;");
            this.WriteOutputFactor(writer, c, "sum");
            c.WritePass(writer, "0", (w, group) => group.ToList().ForEach(a => w.Line(this.ReloadOutput(a, "source", "y", streamed))), stream: streamed ? "y" : null, fence: false);
        }
    }

    // Pass 3's factor of a reload row: softmax 1/Σ, log-softmax log Σ.
    private void WriteOutputFactor(IndentedWriter writer, VectorLoopWriter c, string sum) =>
        writer.Line(this.IsLog
            ? $"{c.Vec} logSum = {c.Splat($"({this.T})global::System.Math.Log({sum})")};"
            : $"{c.Vec} scale = {c.Splat($"({this.T})(1.0 / {sum})")};");

    // Pass 3 of a reload row for one vector: what pass 2 stored in 'source', times 1/Σ (softmax) or less log Σ (log-softmax),
    // stored to 'destination' (by default in place); 'streamed': full vectors with streaming stores where aligned.
    private string ReloadOutput(VectorAccess a, string source, string? destination = null, bool streamed = false)
    {
        string value = this.IsLog ? $"{a.Load(source, "0")} - logSum" : $"{a.Load(source, "0")} * scale";
        return streamed ? a.StoreStreaming(value, destination ?? source) : a.Store(value, destination ?? source);
    }
}
