using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Writes what [LayerNorm] and [RmsNorm] do to one row, on every path, inside the shell of
/// <see cref="KernelFileWriter"/>. The numerics (why two passes, why the mean is kept in two parts)
/// are written as comments into the generated code, where users read them.
/// </summary>
internal sealed partial class NormalizationEmitter : IKernelRowWriter, IKernelStreamingWriter, IKernelParallelWriter, IKernelRowPairWriter, IKernelRowChainWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private readonly NormalizationModel model;

    /// <inheritdoc/>
    public bool RowsInParallel => this.model.Parallel;

    private NormalizationEmitter(NormalizationModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => this.IsBackward ? this.BackwardSummary : (this.HasResidual ? "fused residual h = x + r, then " : string.Empty) + (this.IsLayer
        ? "layer normalization of each row: y = " + (this.HasWeight ? "γ ⊙ " : string.Empty) + "(x − μ)/sqrt(σ² + ε)" + (this.HasBias ? " + β" : string.Empty)
        : this.IsL2 ? "L2 normalization of each row: y = x/max(‖x‖, ε)"
        : this.IsCompressed ? "compressed RMS normalization (CRMSNorm) of each row: y = " + (this.HasWeight ? (this.HasOffset ? "(γ + offset) ⊙ " : "γ ⊙ ") : string.Empty) + "x/sqrt((Σx² + (Σx)²)/(n + 1) + ε)"
        : "RMS normalization of each row: y = " + (this.HasWeight ? (this.HasOffset ? "(γ + offset) ⊙ " : "γ ⊙ ") : string.Empty) + "x/sqrt(mean(x²) + ε)");

    private bool IsLayer => this.model.Kind == NormalizationKind.LayerNorm;

    private bool IsL2 => this.model.Kind == NormalizationKind.L2Normalize;

    /// <summary>CRMSNorm: the row is the first n elements of a zero-mean vector of n + 1 (the last is −Σx).</summary>
    private bool IsCompressed => this.model.Compressed;

    // The factor every element is multiplied by, from the sum of squares (in double): 1/sqrt(Σx²/n + ε) for
    // RmsNorm, 1/max(sqrt(Σx²), ε) for L2Normalize, 1/sqrt((Σx² + (Σx)²)/(n + 1) + ε) for CRMSNorm ('sum' is Σx).
    private string InverseScale(string squares, string n, string? sum = null) => this.IsL2
        ? $"1.0 / {Math}.Max({Math}.Sqrt({squares}), Epsilon)"
        : this.IsCompressed ? $"1.0 / {Math}.Sqrt(({squares} + ({sum} * {sum})) / ({n} + 1) + Epsilon)"
        : $"1.0 / {Math}.Sqrt({squares} / {n} + Epsilon)";

    private bool HasWeight => this.model.Signature.Has(ParameterRole.Weight);

    private bool HasBias => this.model.Signature.Has(ParameterRole.Bias);

    private bool HasOffset => this.model.WeightOffset != 0;

    private bool HasResidual => this.model.Signature.Has(ParameterRole.Residual);

    private bool IsBackward => this.model.Signature.IsBackward;

    /// <summary>What the scalar path's passes after the first read: the input, or with a residual the sum h = x + r that its first pass wrote.</summary>
    private string Source => this.HasResidual ? "h" : "x";

    /// <summary>
    /// A vector row's vector as a pass reads it: x; with a residual, h = x + r added from the inputs when
    /// <paramref name="recompute"/> (the first pass, and every pass of the out-of-cache form, where the same bits come out
    /// each time so that h is written once, in the output pass beside y, and both stream), else h as the first pass stored
    /// it. r's lanes past the row hold 0, so h's hold the pass's fill.
    /// </summary>
    private string LoadRow(VectorAccess a, bool recompute, string suffix = "") =>
        !this.HasResidual ? a.Load("x" + suffix)
        : recompute ? $"({a.Load("x" + suffix)} + {a.Load("r" + suffix, "0")})"
        : a.Load("h" + suffix);

    private ElementType Element => this.model.Signature.Element;

    private bool IsDouble => this.Element == ElementType.Double;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>The spans of the signature in order (the row methods take one <c>ref T</c> each).</summary>
    private IEnumerable<KernelParameter> Spans => this.model.Signature.Parameters.Where(static p => p.Role != ParameterRole.RowLength);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(NormalizationModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new NormalizationEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line("/// <summary>ε, added before the square root (in double).</summary>");
        writer.Line($"private const double Epsilon = {CSharpLiteral.Of(this.model.Epsilon)};");
        if (this.HasOffset)
        {
            writer.Line("/// <summary>Added to every weight before it scales.</summary>");
            writer.Line($"private const {this.T} WeightOffset = {(this.IsDouble ? CSharpLiteral.Of(this.model.WeightOffset) : CSharpLiteral.Of((float)this.model.WeightOffset))};");
        }
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path) => false;

    /// <summary>The forward's vector rows of any length (not those kept in registers) write their output with streaming stores when it is larger than the caches.</summary>
    public bool StreamsOutput(PathInfo path) =>
        !this.IsBackward && path.IsVector && !new VectorLoopWriter(path, this.Element, this.model.Unroll).KeepsRowInRegisters(this.model.Width);

    public bool WriteReferenceRowsLoop(IndentedWriter writer) => false;

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (this.IsBackward)
        {
            this.WriteBackwardRow(writer, path);
            return;
        }

        if (!path.IsVector)
        {
            this.WriteScalarRow(writer);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        int width = this.model.Width;
        if (c.KeepsRowInRegisters(width))
        {
            this.WriteRegisterRow(writer, c);
        }
        else
        {
            this.WriteLoopRow(writer, c);
            if (this.HasStatisticsMethod)
            {
                writer.Line();
                this.WriteLayerStatisticsMethod(writer, c);
            }

            if (this.PairsRows(c.Path))
            {
                writer.Line();
                this.WriteLoopRowPair(writer, c);
            }

            if (this.ChainsRowsUpTo(c.Path) > 0)
            {
                writer.Line();
                this.WriteRmsRowChain(writer, c);
            }
        }
    }

    private string RowParameters(bool withLength) =>
        string.Join(", ", this.Spans.Select(p => $"ref {this.T} {p.RowName}")) + (withLength ? ", nint n" : string.Empty);

    // ---------------------------------------------------------------- vector rows of any length

    private void WriteLoopRow(IndentedWriter writer, VectorLoopWriter c)
    {
        bool fixedWidth = this.model.Width != 0;
        writer.Line(this.IsLayer
            ? $"// Two passes over the row: the mean and the variance (about a value near the mean; a second pass about the mean when that value is far from it); the output. Unroll {c.Unroll}: that many independent accumulators."
            : $"// Two passes over the row: {(this.IsL2 ? "the sum of squares" : "the mean square")}; the output. Unroll {c.Unroll}: that many independent accumulators.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(!fixedWidth)}, bool stream)"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            if (!this.HasResidual)
            {
                this.WriteLoopBody(writer, c, OutputStores.Both);
                return;
            }

            // The fused residual: two forms. In cache, the first pass stores h and the others read it; out of cache,
            // every pass adds x + r again and the output pass streams h beside y (an ordinary store of h in the first
            // pass would first read each of its lines from memory).
            writer.Line();
            writer.Line("// Out of cache: every pass adds x + r again (the same bits), and the output pass writes h beside y, both streamed:");
            writer.Line("// the first pass storing h would fetch each of its lines from memory first (read-for-ownership).");
            using (writer.Block("if (stream)"))
            {
                this.WriteLoopBody(writer, c, OutputStores.Streaming);
            }

            using (writer.Block("else"))
            {
                writer.Line("// In cache: the first pass writes h = x + r, the others read it.");
                this.WriteLoopBody(writer, c, OutputStores.Ordinary);
            }
        }
    }

    /// <summary>How a row method's output pass stores: streamed, ordinary, or both forms behind <c>if (stream)</c>.</summary>
    private enum OutputStores
    {
        Both,
        Streaming,
        Ordinary,
    }

    private void WriteLoopBody(IndentedWriter writer, VectorLoopWriter c, OutputStores stores)
    {
        if (this.IsLayer)
        {
            this.WriteLayerLoopBody(writer, c, stores);
        }
        else
        {
            this.WriteRmsLoopBody(writer, c, stores);
        }
    }

    private void WriteLayerLoopBody(IndentedWriter writer, VectorLoopWriter c, OutputStores stores)
    {
        bool recompute = this.HasResidual && stores == OutputStores.Streaming;
        if (this.HasStatisticsMethod)
        {
            writer.Line();
            writer.Line($"// Pass 1 (and pass 2 when it is needed): the row's statistics, in {c.Path.Name}RowStatistics.");
            this.WriteStatisticsCall(writer, c, string.Empty);
        }
        else
        {
            this.WriteLayerStatistics(writer, c, recompute);
        }

        writer.Line();
        writer.Line($"// The output pass (the row's second, its third when pass 2 ran): {(recompute ? "h = x + r, written out; " : string.Empty)}x̂ = (x − a)·(1/σ) − (μ − a)/σ, one fused multiply-add; then {this.AffineText}.");
        this.WriteAffineDeclarations(writer, c);
        this.WriteOutputPass(writer, c, stores, (w, group) =>
        {
            this.WriteResidualSum(w, c, group, recompute);
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} n{a.Accumulator} = {c.M}.MultiplyAdd({(recompute ? $"h{a.Accumulator}" : this.LoadRow(a, recompute))} - center, scale, shift);");
            }

            foreach (VectorAccess a in group)
            {
                w.Line(a.Store(this.Affine(c, $"n{a.Accumulator}", a.Load("w"), a.Load("b")), "y"));
            }
        });
    }

    /// <summary>
    /// LayerNorm without a residual writes its vector rows' statistics once, in <c>{Path}RowStatistics</c>, which
    /// <c>{Path}Row</c> and <c>{Path}RowPair</c> (once per row) call. The fused residual's two forms each keep their own
    /// (they differ: one writes h, the other adds x + r again).
    /// </summary>
    private bool HasStatisticsMethod => this.IsLayer && !this.IsBackward && !this.HasResidual;

    /// <summary>The spans <c>{Path}RowStatistics</c> takes: the row's input and its saved statistics (if any).</summary>
    private IEnumerable<KernelParameter> StatisticsSpans => this.Spans.Where(static p => p.Role == ParameterRole.Input || p.IsPerRow);

    // The arguments of a call to {Path}RowStatistics for the row whose spans end in 'suffix' ("" in {Path}Row, "0" or
    // "1" in {Path}RowPair).
    private string StatisticsArguments(string suffix) =>
        string.Join(", ", this.StatisticsSpans.Select(p => $"ref {p.RowName}{suffix}")) + (this.model.Width != 0 ? string.Empty : ", n");

    // A call to {Path}RowStatistics for the row whose spans end in 'suffix', and the output pass's vectors center, scale
    // and shift (with the suffix) from its values. The values come out as scalars and are broadcast into locals of the
    // caller: vectors passed out would live in memory (address-taken locals), and the output pass would load them for
    // every vector (measured: 155 → 193 µs per call at 256 × 4096, Avx512).
    private void WriteStatisticsCall(IndentedWriter writer, VectorLoopWriter c, string suffix)
    {
        writer.Line($"{c.Path.Name}RowStatistics({this.StatisticsArguments(suffix)}, out {this.T} centerValue{suffix}, out {this.T} scaleValue{suffix}, out {this.T} shiftValue{suffix});");
        foreach (string name in new[] { "center", "scale", "shift" })
        {
            writer.Line($"{c.Vec} {name}{suffix} = {c.Splat($"{name}Value{suffix}")};");
        }
    }

    // {Path}RowStatistics: LayerNorm's statistics of one vector row, out as the values of the output pass's center,
    // scale and shift.
    private void WriteLayerStatisticsMethod(IndentedWriter writer, VectorLoopWriter c)
    {
        bool fixedWidth = this.model.Width != 0;
        string parameters = string.Join(", ", this.StatisticsSpans.Select(p => $"ref {this.T} {p.RowName}")) + (fixedWidth ? string.Empty : ", nint n");
        writer.Line($"// The statistics of one row (pass 1, and pass 2 when k is far from μ), for {c.Path.Name}Row{(this.PairsRows(c.Path) ? $" and {c.Path.Name}RowPair" : string.Empty)}: x̂ = (x − center)·scale + shift");
        writer.Line("// with center, scale and shift each one value in every lane (the caller broadcasts them).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}RowStatistics({parameters}, out {this.T} centerValue, out {this.T} scaleValue, out {this.T} shiftValue)"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            this.WriteLayerStatistics(writer, c, recompute: false);
        }
    }

    // LayerNorm's statistics of a vector row (its first pass, and the second when k is far from μ), the output pass's
    // x̂ = (x − center)·scale + shift: inside {Path}RowStatistics (no residual) it assigns the one value of each to the
    // method's out parameters; inline in a residual form's row it declares the vectors center, scale and shift.
    private void WriteLayerStatistics(IndentedWriter writer, VectorLoopWriter c, bool recompute)
    {
        string v = this.HasResidual ? "h" : "x";
        writer.Line();
        writer.Line($"// Pass 1: {(this.HasResidual && !recompute ? "h = x + r, written out, and " : string.Empty)}Σ({v} − k) and Σ({v} − k)², with k the mean of the row's first vector{(this.HasResidual ? " of h = x + r" : string.Empty)} (of its first n");
        writer.Line("// elements when the row is shorter): a value near μ, so the terms are as small as the row's spread and a row with mean 1e4");
        writer.Line("// and variance 1 sums without losing its low digits. Lanes past the row hold k (they add 0).");
        bool storesH = this.HasResidual && !recompute;
        MomentsWriter.WriteShiftedMomentsPass(writer, c, this.IsDouble, this.HasResidual ? new[] { "x", "r" } : new[] { "x" }, a => this.LoadRow(a, recompute || storesH), storesH ? "h" : null);
        MomentsWriter.WriteShiftedVariance(writer, c, this.IsDouble, "center", a => this.LoadRow(a, recompute));
        this.WriteSavedStatistics(writer, "inverseDeviation");
        if (!this.HasStatisticsMethod)
        {
            writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})inverseDeviation")};");
            writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})(-meanLow * inverseDeviation)")};");
        }
        else
        {
            writer.Line("centerValue = meanHigh;");
            writer.Line($"scaleValue = ({this.T})inverseDeviation;");
            writer.Line($"shiftValue = ({this.T})(-meanLow * inverseDeviation);");
        }
    }

    /// <summary>
    /// LayerNorm with γ and β over many rows of any length (not kept in registers) takes its rows two at a time while
    /// the output stays in cache (<c>{Path}RowPair</c>): the output pass loads each vector of γ and β once for two rows.
    /// Paired probe on the Zen 5 machine (docs/benchmarks.md, session 15), Avx512, floats: 1.14–1.16× faster than row
    /// by row at 256 × 4096. When the output streams, the shell's rows loop takes every row alone: the pair with streaming
    /// stores, asking for the next two rows, took 1.09–1.35× the time of the rows one by one at 4096 × 4096 (`--ratios
    /// LayerNorm`, session 16; without the pair's prefetch, or asking for one row, it was still behind). RmsNorm (γ alone)
    /// gained 1.02× in cache: not paired. The fused residual form is not paired either: its pair method (both forms of
    /// its row, twice the code) ran 0.35× as fast in cache and 0.58× out of cache.
    /// </summary>
    public bool PairsRows(PathInfo path) =>
        this.IsLayer && !this.IsBackward && !this.HasResidual && this.HasWeight && this.HasBias
        && this.model.Signature.Shape == KernelShape.ManyRows && path.IsVector
        && !new VectorLoopWriter(path, this.Element, this.model.Unroll).KeepsRowInRegisters(this.model.Width);

    // {Path}RowPair: the statistics of each row ({Path}RowStatistics), then one output pass over both, with ordinary
    // stores (the rows loop calls it only when the output does not stream).
    private void WriteLoopRowPair(IndentedWriter writer, VectorLoopWriter c)
    {
        bool fixedWidth = this.model.Width != 0;
        string parameters = string.Join(", ", this.Spans.SelectMany(p => p.IsBroadcast ? new[] { $"ref {this.T} {p.RowName}" } : new[] { $"ref {this.T} {p.RowName}0", $"ref {this.T} {p.RowName}1" }));
        writer.Line($"// Two rows at once, in cache: the statistics of each as in {c.Path.Name}Row, then one output pass over both, so that each vector of γ and β is loaded once for two rows.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}RowPair({parameters}{(fixedWidth ? string.Empty : ", nint n")})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            this.WritePairBody(writer, c);
        }
    }

    private void WritePairBody(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line();
        writer.Line($"// Each row's statistics, as in {c.Path.Name}Row.");
        for (int k = 0; k < 2; k++)
        {
            this.WriteStatisticsCall(writer, c, k.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        writer.Line();
        writer.Line($"// The output pass over both rows: x̂ = (x − a)·(1/σ) − (μ − a)/σ, one fused multiply-add; then {this.AffineText}, γ and β loaded once.");
        void Group(IndentedWriter w, IReadOnlyList<VectorAccess> group)
        {
            foreach (VectorAccess a in group)
            {
                int u = a.Accumulator;
                w.Line($"{c.Vec} weight{u} = {a.Load("w")};");
                w.Line($"{c.Vec} bias{u} = {a.Load("b")};");
                for (int k = 0; k < 2; k++)
                {
                    w.Line(a.Store(this.Affine(c, $"{c.M}.MultiplyAdd({a.Load($"x{k}")} - center{k}, scale{k}, shift{k})", $"weight{u}", $"bias{u}"), $"y{k}"));
                }
            }
        }

        c.WritePass(writer, "0", Group);
    }

    // The output pass: with streaming stores for an output larger than the caches — asking for the next row's input as
    // it goes, since this pass reads the row from cache — or with ordinary stores; without a residual both, behind
    // 'if (stream)'. The residual's streaming form writes h too, streamed beside y (where h is at y's alignment; see
    // CacheHints.StoreStreaming).
    private void WriteOutputPass(IndentedWriter writer, VectorLoopWriter c, OutputStores stores, Action<IndentedWriter, IReadOnlyList<VectorAccess>> group)
    {
        void Streamed() => c.WritePass(writer, "0", group, stream: "y", nextRows: this.HasResidual ? new[] { "x", "r" } : new[] { "x" }, streamAlso: this.HasResidual ? "h" : null, fence: false);

        switch (stores)
        {
            case OutputStores.Streaming:
                writer.Line("// Streaming stores for y and h, asking for the next rows meanwhile.");
                Streamed();
                break;
            case OutputStores.Ordinary:
                c.WritePass(writer, "0", group);
                break;
            default:
                writer.Line("// Twice: with streaming stores (and asking for the next row meanwhile) for an output larger than the caches, with ordinary stores otherwise.");
                using (writer.Block("if (stream)"))
                {
                    Streamed();
                }

                using (writer.Block("else"))
                {
                    c.WritePass(writer, "0", group);
                }

                break;
        }
    }

    // The output pass's h = x + r of each vector, written out (the residual's streaming form; nothing otherwise).
    private void WriteResidualSum(IndentedWriter writer, VectorLoopWriter c, IReadOnlyList<VectorAccess> group, bool recompute)
    {
        if (!recompute)
        {
            return;
        }

        foreach (VectorAccess a in group)
        {
            writer.Line($"{c.Vec} h{a.Accumulator} = {this.LoadRow(a, recompute)};");
        }

        foreach (VectorAccess a in group)
        {
            writer.Line(a.Store($"h{a.Accumulator}", "h"));
        }
    }

    private void WriteRmsLoopBody(IndentedWriter writer, VectorLoopWriter c, OutputStores stores)
    {
        bool recompute = this.HasResidual && stores == OutputStores.Streaming;
        writer.Line();
        string sums = $"{(this.IsCompressed ? " and Σh (the implied last element is −Σh)" : string.Empty)}";
        writer.Line(!this.HasResidual ? $"// Pass 1: Σx²{(this.IsCompressed ? " and Σx (the implied last element is −Σx)" : string.Empty)}."
            : recompute ? $"// Pass 1: Σh²{sums} for h = x + r (pass 2 adds x + r again and writes h)."
            : $"// Pass 1: h = x + r, written out, and Σh²{sums}.");

        c.WriteSumDeclarations(writer, "square");
        if (this.IsCompressed)
        {
            c.WriteSumDeclarations(writer, "total", wide: "totalWide", comment: false);
        }

        Action<IndentedWriter, IReadOnlyList<VectorAccess>>? weightRequest = this.WriteWeightRequest(writer, c, stores);
        this.WriteSquaresPass(writer, c, a => this.LoadRow(a, recompute: true), storeTo: this.HasResidual && !recompute ? "h" : null, alongside: weightRequest);
        if (this.IsCompressed)
        {
            writer.Line($"double total = {c.M}.SumWidened(totalWideLow, totalWideHigh);");
        }

        this.WriteRmsScale(writer, c);

        writer.Line();
        writer.Line($"// Pass 2: {(recompute ? "h = x + r, written out; " : string.Empty)}y = {this.RmsOutputText}.");
        this.WriteAffineDeclarations(writer, c);
        this.WriteOutputPass(writer, c, stores, (w, group) =>
        {
            this.WriteResidualSum(w, c, group, recompute);
            this.WriteRmsOutputs(w, c, group, recompute);
        });
    }

    // RmsNorm's pass 1 in cache also asks for γ's lines when x, γ and y of the row fit in L1 together (CacheHints.L1DataBytes):
    // γ, last read in the previous row's output pass, is then newer than that row's x and y, which the cache drops first,
    // and this row's output pass finds it in L1 (rows of 4096 floats on a 48 KiB L1: 1.07× → 1.15× TensorPrimitives, medians of ten runs,
    // docs/benchmarks.md, session 23). Rows that do not fit run slower with it (rows of 8192 floats: 0.89×), and so does the
    // streaming form, which asks for the next row's x instead. Writes the decision (once per row) and gives the statement
    // for each unrolled group of pass 1; nothing without γ, with a residual (pass 1 writes h) or on a path without prefetch.
    private Action<IndentedWriter, IReadOnlyList<VectorAccess>>? WriteWeightRequest(IndentedWriter writer, VectorLoopWriter c, OutputStores stores)
    {
        if (!this.HasWeight || this.HasResidual || stores == OutputStores.Streaming || c.PrefetchBytes == 0)
        {
            return null;
        }

        int rowBytesPerElement = 3 * (c.Element == ElementType.Float ? 4 : 8);
        writer.Line($"// In cache, when x, γ and y of the row ({rowBytesPerElement} bytes per element) fit in L1, pass 1 asks for γ's lines too: the output pass then finds γ in L1.");
        writer.Line($"bool askForWeight = {(stores == OutputStores.Both ? "!stream && " : string.Empty)}{rowBytesPerElement} * n <= global::KernelGen.Runtime.CacheHints.L1DataBytes;");
        return (w, group) =>
        {
            if (group.Count != c.Unroll || group[0].IsTail)
            {
                return;
            }

            using (w.Block("if (askForWeight)"))
            {
                w.Line($"global::KernelGen.Runtime.CacheHints.PrefetchAt(ref w, {group[0].Index}, {c.PrefetchBytes});");
            }
        };
    }

    // Pass 1 over a row: v = the vector ('load'), written out to 'storeTo' if given (the residual's in-cache form: h),
    // Σv² (and Σv for CRMSNorm) in the accumulators square (total), flushed per block. {Path}Row's pass 1 and both of
    // {Path}RowChain's passes are this one writer, so the chain's sums have the row's blocks and order by construction;
    // 'alongside', if given, writes more statements into every group (the chain: this row's output).
    private void WriteSquaresPass(IndentedWriter writer, VectorLoopWriter c, Func<VectorAccess, string> load, string? storeTo = null, Action<IndentedWriter, IReadOnlyList<VectorAccess>>? alongside = null)
    {
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} v{a.Accumulator} = {load(a)};");
            }

            foreach (VectorAccess a in group)
            {
                if (storeTo is not null)
                {
                    w.Line(a.Store($"v{a.Accumulator}", storeTo));
                }

                w.Line($"square{a.Accumulator} = {c.M}.MultiplyAdd(v{a.Accumulator}, v{a.Accumulator}, square{a.Accumulator});");
                if (this.IsCompressed)
                {
                    w.Line($"total{a.Accumulator} += v{a.Accumulator};");
                }
            }

            alongside?.Invoke(w, group);
        }, w =>
        {
            c.WriteSumFlush(w, "square");
            if (this.IsCompressed)
            {
                c.WriteSumFlush(w, "total", "totalWide");
            }
        });
    }

    // The output pass's y of a group (after WriteResidualSum, whose h it reads when 'recompute').
    private void WriteRmsOutputs(IndentedWriter writer, VectorLoopWriter c, IReadOnlyList<VectorAccess> group, bool recompute = false)
    {
        foreach (VectorAccess a in group)
        {
            writer.Line(a.Store(this.RmsOutput(c, recompute ? $"h{a.Accumulator}" : this.LoadRow(a, recompute), a.Load("w")), "y"));
        }
    }

    /// <summary>
    /// The longest row of RmsNorm and L2Normalize (not CRMSNorm) that the many-rows loop
    /// runs as a chain in cache (<see cref="WriteRmsRowChain"/>): 8 KiB of elements (2048 floats, 1024 doubles). Measured
    /// on the Zen 5 machine, Avx512 floats, against the same kernel row by row (docs/benchmarks.md, session 19, `--ratios
    /// "RmsNorm vs TensorPrimitives"`, builds alternated): 1.12–1.21× faster at 1024 × 1024, 1.05–1.10× at 512 × 2048, but
    /// 0.87× at 256 × 4096 and 0.90–0.93× at 128 × 8192, where the next row, the row, γ and y (4 × 16 KiB) no longer fit in L1 together.
    /// With a residual, half that (<see cref="ChainedResidualRowBytes"/>).
    /// </summary>
    public int ChainsRowsUpTo(PathInfo path)
    {
        int limit = (this.HasResidual ? ChainedResidualRowBytes : ChainedRowBytes) / (this.IsDouble ? 8 : 4);
        bool chains = !this.IsLayer && !this.IsBackward && !this.IsCompressed
            && this.model.Signature.Shape == KernelShape.ManyRows && path.IsVector
            && !new VectorLoopWriter(path, this.Element, this.model.Unroll).KeepsRowInRegisters(this.model.Width)
            && this.model.Width <= limit;
        return chains ? limit : 0;
    }

    private const int ChainedRowBytes = 8192;

    // The fused residual's chain holds six rows at once (x, r and h of the next row, h, γ and y of this one): half the rows.
    // Measured (`--ratios "RmsNorm fused residual"` with 1024 × 1024 and 512 × 2048 rows added, against the same head without
    // the residual's chain, two runs each): 1.34× faster at 1024 × 1024 (219–225 against 295–302 µs), 0.93–1.08× at 512 × 2048.
    private const int ChainedResidualRowBytes = 4096;

    // {Path}RowChain: rows in cache, each row's pass 1 (Σx²; with a residual h = x + r written out and Σh²) done in the
    // output pass of the row before it. The squares go into the same accumulators, in the same order and the same blocks
    // as {Path}Row's pass 1 (the same WriteSquaresPass over the same n), and h is the same sum, so every row
    // has the bits it has alone. The residual's chain is its in-cache form (the output pass reads h).
    private void WriteRmsRowChain(IndentedWriter writer, VectorLoopWriter c)
    {
        bool fixedWidth = this.model.Width != 0;
        string firstPass = this.HasResidual ? "h = x + r, written out, and Σh²" : "Σx²";
        // The rows pass 1 reads or writes: the next row's are '{name}Next'.
        string[] chained = this.HasResidual ? new[] { "x", "r", "h" } : new[] { "x" };
        writer.Line($"// Many rows in cache, as a chain: the first row's pass 1 ({firstPass}) alone; then each row's output pass also does the");
        writer.Line($"// next row's pass 1, so that reading the next row overlaps writing this one. The sums are {c.Path.Name}Row's pass 1, term for");
        writer.Line("// term in the same accumulators and blocks: every row comes out with the bits it has alone.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}RowChain({this.RowParameters(false)}, int rows{(fixedWidth ? string.Empty : ", nint n")})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            writer.Line();
            writer.Line($"// The first row's pass 1: {firstPass}.");
            c.WriteSumDeclarations(writer, "square");
            this.WriteSquaresPass(writer, c, a => this.LoadRow(a, recompute: true), this.HasResidual ? "h" : null);
            this.WriteAffineDeclarations(writer, c);
            using (writer.Block("for (int row = 1; ; row++)"))
            {
                writer.Line("// This row's factor, from the sums of its squares.");
                this.WriteRmsScale(writer, c);
                writer.Line($"wideLow = {c.WideVec}.Zero; wideHigh = {c.WideVec}.Zero;");
                using (writer.Block("if (row == rows)"))
                {
                    writer.Line($"// The last row: y = {this.RmsOutputText} alone.");
                    c.WritePass(writer, "0", (w, group) => this.WriteRmsOutputs(w, c, group));
                    writer.Line("return;");
                }

                writer.Line();
                writer.Line($"// y = {this.RmsOutputText}, and the next row's pass 1 ({string.Join(", ", chained.Select(static name => name + "Next"))}) in the same pass.");
                foreach (string name in chained)
                {
                    writer.Line($"ref {this.T} {name}Next = ref {Unsafe}.Add(ref {name}, n);");
                }

                this.WriteSquaresPass(writer, c, a => this.LoadRow(a, recompute: true, "Next"), this.HasResidual ? "hNext" : null, alongside: (w, group) => this.WriteRmsOutputs(w, c, group));
                foreach (KernelParameter p in this.Spans.Where(static p => !p.IsBroadcast))
                {
                    writer.Line(chained.Contains(p.RowName) ? $"{p.RowName} = ref {p.RowName}Next;" : $"{p.RowName} = ref {Unsafe}.Add(ref {p.RowName}, {(p.IsPerRow ? "1" : "n")});");
                }
            }
        }
    }

    // ---------------------------------------------------------------- fixed rows in registers

    private void WriteRegisterRow(IndentedWriter writer, VectorLoopWriter c)
    {
        int width = this.model.Width;
        int full = width / c.Lanes;
        int tail = width % c.Lanes;
        int count = full + (tail != 0 ? 1 : 0);
        List<string> names = VectorLoopWriter.Names("x", count).ToList();
        string Offset(int v) => $"{Unsafe}.Add(ref {{0}}, {v * c.Lanes})";
        string LoadAt(string source, int v, string fill) => v < full
            ? $"{c.V}.LoadUnsafe(ref {source}, (nuint){v * c.Lanes})"
            : $"{c.M}.LoadTail(ref {string.Format(Offset(v), source)}, {tail}, {fill})";
        string StoreAt(int v, string value, string destination = "y") => v < full
            ? $"{c.V}.StoreUnsafe({value}, ref {destination}, (nuint){v * c.Lanes});"
            : $"{c.M}.StoreTail(ref {string.Format(Offset(v), destination)}, {tail}, {value});";

        writer.Line($"// Width = {width}: {full} full vector(s){(tail != 0 ? $" and a {tail}-element tail" : string.Empty)} of {c.Lanes} lanes stay in registers:");
        writer.Line("// the row is read once and written once, fully unrolled.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(false)})"))
        {
            if (!this.IsL2)
            {
                // (L2Normalize divides by the norm, not by the length: it needs no n.)
                writer.Line("const nint n = Width;");
            }

            if (this.IsLayer)
            {
                writer.Line(this.HasResidual
                    ? "// h = x + r, written out; Σ(h − k) with k = h[0] (see the looped form); the tail's lanes past the row hold k."
                    : "// Σ(x − k) with k = x[0] (see the looped form); the tail's lanes past the row hold k.");
                writer.Line(this.HasResidual ? $"{this.T} first = x + r;" : $"{this.T} first = x;");
                writer.Line($"{c.Vec} origin = {c.Splat("first")};");
            }

            for (int v = 0; v < count; v++)
            {
                string load = LoadAt("x", v, this.IsLayer ? "first" : "0");
                writer.Line(this.HasResidual
                    ? $"{c.Vec} x{v} = {load} + {LoadAt("r", v, "0")};"
                    : $"{c.Vec} x{v} = {load};");
            }

            if (this.HasResidual)
            {
                for (int v = 0; v < count; v++)
                {
                    writer.Line(StoreAt(v, $"x{v}", "h"));
                }
            }

            writer.Line($"{c.WideVec} wideLow = {c.WideVec}.Zero, wideHigh = {c.WideVec}.Zero;");
            if (this.IsLayer)
            {
                List<string> shifted = names.Select(static x => $"({x} - origin)").ToList();
                writer.Line($"{c.M}.AddWidened(ref wideLow, ref wideHigh, {VectorLoopWriter.Tree(shifted, static (a, b) => $"({a} + {b})")});");
                this.WriteMean(writer, $"{c.M}.SumWidened(wideLow, wideHigh", "n");
                writer.Line();
                writer.Line("// Σ(x − a)² about a = meanHigh, the nearest value to μ (the tail is reloaded with a in the lanes past the row).");
                writer.Line($"{c.Vec} center = {c.Splat("meanHigh")};");
                for (int v = 0; v < count; v++)
                {
                    writer.Line(v < full || tail == 0
                        ? $"{c.Vec} e{v} = x{v} - center;"
                        : $"{c.Vec} e{v} = {LoadAt(this.Source, v, "meanHigh")} - center;");
                }

                writer.Line($"wideLow = {c.WideVec}.Zero; wideHigh = {c.WideVec}.Zero;");
                List<string> squares = Enumerable.Range(0, count).Select(v => $"e{v} * e{v}").ToList();
                writer.Line($"{c.M}.AddWidened(ref wideLow, ref wideHigh, {VectorLoopWriter.Tree(squares, static (a, b) => $"({a} + {b})")});");
                this.WriteInverseDeviation(writer, $"{c.M}.SumWidened(wideLow, wideHigh)", "n");
                this.WriteSavedStatistics(writer, "inverseDeviation");
                writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})inverseDeviation")};");
                writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})(-meanLow * inverseDeviation)")};");
                this.WriteAffineDeclarations(writer, c);
                for (int v = 0; v < count; v++)
                {
                    string normalized = $"{c.M}.MultiplyAdd(e{v}, scale, shift)";
                    writer.Line(StoreAt(v, this.Affine(c, normalized, LoadAt("w", v, "0"), LoadAt("b", v, "0"))));
                }
            }
            else
            {
                List<string> squares = names.Select(static x => $"{x} * {x}").ToList();
                writer.Line($"{c.M}.AddWidened(ref wideLow, ref wideHigh, {VectorLoopWriter.Tree(squares, static (a, b) => $"({a} + {b})")});");
                if (this.IsCompressed)
                {
                    writer.Line("// Σx as well: the implied last element of the zero-mean vector is −Σx.");
                    writer.Line($"{c.WideVec} totalWideLow = {c.WideVec}.Zero, totalWideHigh = {c.WideVec}.Zero;");
                    writer.Line($"{c.M}.AddWidened(ref totalWideLow, ref totalWideHigh, {VectorLoopWriter.Tree(names, static (a, b) => $"({a} + {b})")});");
                    writer.Line($"double total = {c.M}.SumWidened(totalWideLow, totalWideHigh);");
                }

                this.WriteRmsScale(writer, c);
                this.WriteAffineDeclarations(writer, c);
                for (int v = 0; v < count; v++)
                {
                    writer.Line(StoreAt(v, this.RmsOutput(c, $"x{v}", LoadAt("w", v, "0"))));
                }
            }
        }
    }

    // ---------------------------------------------------------------- shared vector pieces

    private bool HasStatistics => this.model.Signature.Has(ParameterRole.InverseStdDev);

    // StatisticsOutput: the row's μ (LayerNorm) and the factor it was normalized by, as the kernel computed them,
    // rounded once to T. The row methods take them as 'ref T' (the Reference as one-element spans).
    private void WriteSavedStatistics(IndentedWriter writer, string inverse, bool reference = false)
    {
        if (!this.HasStatistics)
        {
            return;
        }

        string index = reference ? "[0]" : string.Empty;
        writer.Line(this.IsLayer
            ? "// StatisticsOutput: this row's μ and 1/sqrt(σ² + ε), as computed above."
            : "// StatisticsOutput: this row's 1/RMS, as computed here.");
        if (this.IsLayer)
        {
            writer.Line($"savedMean{index} = ({this.T})(meanHigh + meanLow);");
        }

        if (reference && !this.IsLayer)
        {
            // (LayerNorm's Reference has returned already for an empty row: like the paths, it writes nothing for one.)
            using (writer.Block("if (n != 0)"))
            {
                writer.Line($"savedInverse[0] = ({this.T}){inverse};");
            }

            return;
        }

        writer.Line($"savedInverse{index} = ({this.T}){inverse};");
    }

    // RmsNorm's (and L2Normalize's) factor 1/rms as a vector; with StatisticsOutput named first, to be saved too.
    private void WriteRmsScale(IndentedWriter writer, VectorLoopWriter c)
    {
        string inverse = this.InverseScale($"{c.M}.SumWidened(wideLow, wideHigh)", "n", "total");
        if (!this.HasStatistics)
        {
            writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})({inverse})")};");
            return;
        }

        writer.Line($"double inverseRms = {inverse};");
        this.WriteSavedStatistics(writer, "inverseRms");
        writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})inverseRms")};");
    }

    // The mean as meanHigh (of T) + meanLow (double), LayerNorm's (MomentsWriter). 'sumCall' is the vector sum call without its ')'.
    private void WriteMean(IndentedWriter writer, string? sumCall, string n) => MomentsWriter.WriteMean(writer, this.IsDouble, sumCall, n);

    // σ² = (Σ(x − a)² − n(μ − a)²)/n, then 1/sqrt(σ² + ε), all in double.
    private void WriteInverseDeviation(IndentedWriter writer, string centeredSum, string n) => WriteInverseDeviationFrom(writer, centeredSum, n);

    /// <summary>σ² and 1/sqrt(σ² + ε) from the centered sum of squares; shared with [GroupNorm].</summary>
    internal static void WriteInverseDeviationFrom(IndentedWriter writer, string centeredSum, string n)
    {
        MomentsWriter.WriteVariance(writer, centeredSum, n);
        writer.Line($"double inverseDeviation = 1.0 / {Math}.Sqrt(variance + Epsilon);");
    }

    private string AffineText => this.HasWeight ? (this.HasBias ? "y = γ·x̂ + β" : "y = γ·x̂") : "y = x̂";

    private string RmsOutputText => this.IsL2 ? "x·(1/max(‖x‖, ε))" : this.HasWeight ? (this.HasOffset ? "x·(1/rms)·(γ + offset)" : "x·(1/rms)·γ") : "x·(1/rms)";

    private void WriteAffineDeclarations(IndentedWriter writer, VectorLoopWriter c)
    {
        if (this.HasOffset)
        {
            writer.Line($"{c.Vec} weightOffset = {c.Splat("WeightOffset")};");
        }
    }

    private string Affine(VectorLoopWriter c, string normalized, string weight, string bias) =>
        !this.HasWeight ? normalized
        : this.HasBias ? $"{c.M}.MultiplyAdd({normalized}, {weight}, {bias})"
        : $"{normalized} * {weight}";

    private string RmsOutput(VectorLoopWriter c, string x, string weight) =>
        !this.HasWeight ? $"{x} * scale"
        : this.HasOffset ? $"({x} * scale) * ({weight} + weightOffset)"
        : $"({x} * scale) * {weight}";

    // ---------------------------------------------------------------- scalar

    private void WriteScalarRow(IndentedWriter writer)
    {
        bool fixedWidth = this.model.Width != 0;
        string X = $"{Unsafe}.Add(ref {this.Source}, i)";
        writer.Line(this.IsDouble
            ? "// Scalar: the same passes, one element at a time, with compensated (Neumaier) sums."
            : "// Scalar: the same passes, one element at a time, accumulating in double.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            string weight = this.HasOffset ? $"({Unsafe}.Add(ref w, i) + (double)WeightOffset)" : $"{Unsafe}.Add(ref w, i)";
            if (this.HasResidual)
            {
                writer.Line("// h = x + r, written out; the passes below read it.");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref h, i) = {Unsafe}.Add(ref x, i) + {Unsafe}.Add(ref r, i);");
                }

                writer.Line();
            }

            if (this.IsLayer)
            {
                writer.Line($"{this.T} first = {this.Source};");
                this.WriteScalarSum(writer, "sums", $"((double){X} - first)");
                if (this.IsDouble)
                {
                    writer.Line("double offsetSum = sums.Total(out double offsetSumLow);");
                    this.WriteMean(writer, null, "n");
                }
                else
                {
                    writer.Line("double mean = first + (sums / n);");
                    writer.Line("float meanHigh = (float)mean;");
                    writer.Line("double meanLow = mean - meanHigh;");
                }

                writer.Line();
                this.WriteScalarSum(writer, "squares", $"((double){X} - meanHigh)", square: true);
                this.WriteInverseDeviation(writer, this.IsDouble ? "squares.Total(out _)" : "squares", "n");
                this.WriteSavedStatistics(writer, "inverseDeviation");
                writer.Line();
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double normalized = (((double){X} - meanHigh) - meanLow) * inverseDeviation;");
                    string value = !this.HasWeight ? "normalized"
                        : this.HasBias ? $"normalized * {Unsafe}.Add(ref w, i) + {Unsafe}.Add(ref b, i)"
                        : $"normalized * {Unsafe}.Add(ref w, i)";
                    writer.Line($"{Unsafe}.Add(ref y, i) = ({this.T})({value});");
                }
            }
            else
            {
                this.WriteScalarSum(writer, "squares", X, square: true);
                if (this.IsCompressed)
                {
                    this.WriteScalarSum(writer, "totals", X);
                }

                writer.Line($"double scale = {this.InverseScale(this.IsDouble ? "squares.Total(out _)" : "squares", "n", this.IsDouble ? "totals.Total(out _)" : "totals")};");
                this.WriteSavedStatistics(writer, "scale");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref y, i) = ({this.T})({X} * scale{(this.HasWeight ? " * " + weight : string.Empty)});");
                }
            }
        }
    }

    // A double sum of 'term' (or of its square) over the row: plain for float terms, compensated for double ones.
    private void WriteScalarSum(IndentedWriter writer, string name, string term, bool square = false) => WriteScalarSum(writer, this.IsDouble, name, term, square);

    /// <summary>A double sum of a term over [0, n): plain for float terms, compensated for double ones; shared with [GroupNorm].</summary>
    internal static void WriteScalarSum(IndentedWriter writer, bool isDouble, string name, string term, bool square)
    {
        if (isDouble)
        {
            writer.Line($"global::KernelGen.Runtime.CompensatedSum {name} = default;");
        }
        else
        {
            writer.Line($"double {name} = 0;");
        }

        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            string value = square ? "term * term" : "term";
            writer.Line($"double term = {term};");
            writer.Line(isDouble ? $"{name}.Add({value});" : $"{name} += {value};");
        }
    }

    // ---------------------------------------------------------------- reference

    public void WriteReferenceRow(IndentedWriter writer)
    {
        if (this.IsBackward)
        {
            this.WriteBackwardReferenceRow(writer);
            return;
        }

        string parameters = string.Join(", ", this.Spans.Select(p =>
            (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName));
        string weight = !this.HasWeight ? string.Empty : this.HasOffset ? " * (w[i] + (double)WeightOffset)" : " * w[i]";
        if (this.IsLayer)
        {
            writer.Line($"// μ = Σx/n and σ² = Σ(x − μ)²/n in two passes with compensated sums, μ held to twice a double's");
            writer.Line($"// precision (high + low parts); then {(this.HasWeight ? "y = γ(x − μ)/sqrt(σ² + ε)" + (this.HasBias ? " + β" : string.Empty) : "y = (x − μ)/sqrt(σ² + ε)")}.");
        }
        else
        {
            writer.Line(this.IsL2
                ? "// y = x/max(sqrt(Σx²), ε), with a compensated sum, in double."
                : $"// y = {(this.HasWeight ? (this.HasOffset ? "(γ + offset)" : "γ") + "·" : string.Empty)}x/sqrt({(this.IsCompressed ? "(Σx² + (Σx)²)/(n + 1)" : "Σx²/n")} + ε), with {(this.IsCompressed ? "compensated sums" : "a compensated sum")}, in double.");
        }

        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            writer.Line("int n = x.Length;");
            if (this.HasResidual)
            {
                writer.Line("// h = x + r, rounded to the element type (what is written is what is normalized).");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"h[i] = ({this.T})(x[i] + r[i]);");
                }

                writer.Line();
            }

            if (this.IsLayer)
            {
                writer.Line("if (n == 0)");
                writer.Line("{");
                writer.Line("    return;");
                writer.Line("}");
                writer.Line();
                writer.Line("// μ = k + Σ(x − k)/n with k = x[0]: a constant row gives x − μ = 0 exactly.");
                writer.Line($"double first = {this.Source}[0];");
                writer.Line("global::KernelGen.Runtime.CompensatedSum sum = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"sum.Add({this.Source}[i] - first);");
                }

                writer.Line("double offsetSum = sum.Total(out double offsetSumLow);");
                MomentsWriter.WriteDoubleDoubleMean(writer, "n");
                writer.Line();
                writer.Line("global::KernelGen.Runtime.CompensatedSum squares = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"double deviation = ({this.Source}[i] - meanHigh) - meanLow;");
                    writer.Line("squares.Add(deviation * deviation);");
                }

                writer.Line("double variance = squares.Total(out _) / n;");
                writer.Line($"double inverseDeviation = 1.0 / {Math}.Sqrt(variance + Epsilon);");
                this.WriteSavedStatistics(writer, "inverseDeviation", reference: true);
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"y[i] = ({this.T})((({this.Source}[i] - meanHigh) - meanLow) * inverseDeviation{weight}{(this.HasBias ? " + b[i]" : string.Empty)});");
                }
            }
            else
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum squares = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"squares.Add((double){this.Source}[i] * {this.Source}[i]);");
                }

                if (this.IsCompressed)
                {
                    writer.Line("global::KernelGen.Runtime.CompensatedSum totals = default;   // Σx: the implied last element is −Σx");
                    using (writer.Block("for (int i = 0; i < n; i++)"))
                    {
                        writer.Line($"totals.Add({this.Source}[i]);");
                    }
                }

                writer.Line($"double scale = {this.InverseScale("squares.Total(out _)", "n", "totals.Total(out _)")};");
                this.WriteSavedStatistics(writer, "scale", reference: true);
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"y[i] = ({this.T})({this.Source}[i] * scale{weight});");
                }
            }
        }
    }
}
