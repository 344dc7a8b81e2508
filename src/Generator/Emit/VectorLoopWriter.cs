using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Emit;

/// <summary>How one vector of a pass is read and written: a full vector at an offset, or the row's tail.</summary>
internal sealed class VectorAccess
{
    private readonly Func<string, string?, string> load;
    private readonly Func<string, string, string> store;

    private VectorAccess(string index, int accumulator, Func<string, string?, string> load, Func<string, string, string> store, string? count = null)
    {
        this.Index = index;
        this.Count = count;
        this.Accumulator = accumulator;
        this.load = load;
        this.store = store;
    }

    /// <summary>True for a partial vector (the row's tail, or a streamed pass's head): lanes from <see cref="Count"/> on are past it.</summary>
    public bool IsTail => this.Count is not null;

    /// <summary>For a partial vector, the number of its lanes inside the row as an expression (<c>n - i</c> for the tail, <c>head</c> for the head); null for a full vector.</summary>
    public string? Count { get; }

    /// <summary>
    /// <paramref name="value"/> in the lanes inside the row and <paramref name="padding"/> past it (for values computed
    /// from the loaded lanes, where the load's fill does not carry through, e.g. a soft cap); a full vector's value as is.
    /// </summary>
    public string InRow(VectorLoopWriter c, string value, string padding) => this.Count is null
        ? value
        : $"{c.V}.ConditionalSelect({c.V}.LessThan({c.Vec}.Indices, {c.Splat($"({c.T})({this.Count})")}), {value}, {padding})";

    /// <summary>The index of this vector's first element in the row, as an expression (e.g. <c>i + 16</c>).</summary>
    public string Index { get; }

    /// <summary>The accumulator this vector adds into (0..unroll−1).</summary>
    public int Accumulator { get; }

    /// <summary>
    /// The expression that loads this vector from <paramref name="source"/> (x, y or next); for the tail,
    /// <paramref name="fill"/> (if given) replaces the pass's neutral value in the lanes past the row.
    /// </summary>
    public string Load(string source, string? fill = null) => this.load(source, fill);

    /// <summary>The statement that stores <paramref name="value"/> to this vector of <paramref name="destination"/>.</summary>
    public string Store(string value, string destination) => this.store(value, destination);

    /// <summary>
    /// The statement that stores <paramref name="value"/> to this vector of <paramref name="destination"/> without keeping it in
    /// cache: a full vector through <c>CacheHints.StoreStreaming</c> (an ordinary store where the address is not aligned), a
    /// partial one with its ordinary masked store. For a pass that streams into a row it does not name as its
    /// <c>stream</c> (no head, no fence of its own: the caller fences).
    /// </summary>
    public string StoreStreaming(string value, string destination) =>
        this.IsTail ? this.Store(value, destination) : StreamingStore(value, destination, this.Index);

    // CacheHints.StoreStreaming of value at element 'index' of destination.
    private static string StreamingStore(string value, string destination, string index) =>
        $"global::KernelGen.Runtime.CacheHints.StoreStreaming({value}, ref {destination}, (nuint)({index}));";

    /// <summary>
    /// A full vector at <paramref name="index"/>; stores to <paramref name="streamed"/> (if given: an aligned address) and to
    /// <paramref name="streamedAlso"/> (if given: a second output, streamed where it is aligned too) are streaming stores.
    /// </summary>
    public static VectorAccess Full(VectorLoopWriter c, string index, int accumulator, string? streamed = null, string? streamedAlso = null) => new(
        index,
        accumulator,
        (source, _) => $"{c.Path.VectorType}.LoadUnsafe(ref {source}, (nuint)({index}))",
        (value, destination) => destination == streamed || (streamedAlso is not null && destination == streamedAlso)
            ? StreamingStore(value, destination, index)
            : $"{c.Path.VectorType}.StoreUnsafe({value}, ref {destination}, (nuint)({index}));");

    /// <summary>The elements <c>[0, head)</c> before a streamed destination's first aligned address, as one masked vector.</summary>
    public static VectorAccess Head(VectorLoopWriter c, string fill) => new(
        "0",
        0,
        (source, fillOverride) => $"{c.Path.MathType}.LoadTail(ref {source}, head, {fillOverride ?? fill})",
        (value, destination) => $"{c.Path.MathType}.StoreTail(ref {destination}, head, {value});",
        count: "head");

    /// <summary>The row's last elements <c>[index, end)</c>, fewer than one vector, as one masked vector (<c>i</c> and <c>n</c> unless named).</summary>
    public static VectorAccess Tail(VectorLoopWriter c, string fill, string index = "i", string end = "n") => new(
        index,
        0,
        (source, fillOverride) => $"{c.Path.MathType}.LoadTail(ref {VectorLoopWriter.Unsafe}.Add(ref {source}, {index}), {end} - {index}, {fillOverride ?? fill})",
        (value, destination) => $"{c.Path.MathType}.StoreTail(ref {VectorLoopWriter.Unsafe}.Add(ref {destination}, {index}), {end} - {index}, {value});",
        count: $"{end} - {index}");
}

/// <summary>
/// Writes the loops of a vector pass over one row, for any width and element type: an unrolled
/// main loop of <see cref="Unroll"/> vectors (optionally in blocks, with a flush after each
/// block), a one-vector loop, and a tail that touches no element past the row. Kernel families
/// supply what happens to the vectors; this class supplies the walking.
/// </summary>
internal sealed class VectorLoopWriter
{
    public const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>Elements per block between flushes of the narrow accumulators into double lanes.</summary>
    public const int BlockTarget = 1024;

    /// <summary>A writer for <paramref name="path"/>; an <paramref name="unroll"/> of 0 (the attributes' default) takes the path's <see cref="PathInfo.DefaultUnroll"/>.</summary>
    public VectorLoopWriter(PathInfo path, ElementType element, int unroll)
    {
        this.Path = path;
        this.Element = element;
        this.Unroll = unroll == 0 ? path.DefaultUnroll : unroll;
    }

    /// <summary>True when rows of a fixed <paramref name="width"/> fit in registers on this path (see <see cref="PathInfo.KeepsRowInRegisters"/>).</summary>
    public bool KeepsRowInRegisters(int width) => this.Path.KeepsRowInRegisters(width, this.Element);

    public PathInfo Path { get; }

    public ElementType Element { get; }

    public int Unroll { get; }

    /// <summary>float or double.</summary>
    public string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>Elements per vector.</summary>
    public int Lanes => this.Path.Lanes(this.Element);

    /// <summary>The vector type, e.g. <c>Vector512&lt;float&gt;</c>.</summary>
    public string Vec => this.Path.Of(this.T);

    /// <summary>The double vector type of this width (the wide accumulators).</summary>
    public string WideVec => this.Path.Of("double");

    /// <summary>The static vector class, e.g. <c>Vector512</c>.</summary>
    public string V => this.Path.VectorType;

    /// <summary>The runtime words of this width, e.g. <c>VectorMath512</c>.</summary>
    public string M => this.Path.MathType;

    /// <summary>Elements per unrolled iteration.</summary>
    public int Step => this.Unroll * this.Lanes;

    /// <summary>The most terms one accumulator lane adds before a flush (its rounding error grows with that count).</summary>
    public const int MaxTermsPerLane = 16;

    /// <summary>
    /// Elements per block: a multiple of <see cref="Step"/> near <see cref="BlockTarget"/>, and at most
    /// <see cref="MaxTermsPerLane"/> iterations, so that no lane of a narrow path sums more than 16 terms
    /// (measured by NormTests: on the 128-bit path, RMS sums of 64 terms per lane cost up to 8.1 units of float rounding, of 16 terms 3.5).
    /// </summary>
    public int Block => this.Step * Math.Min(MaxTermsPerLane, Math.Max(1, (BlockTarget + this.Step - 1) / this.Step));

    /// <summary>
    /// The bytes one unrolled iteration reads, rounded up to whole 64-byte lines (at most 512), for
    /// <c>CacheHints.PrefetchAhead</c>; 0 when an iteration reads less than a line (the 128-bit path with
    /// <c>Unroll = 1..3</c>: a prefetch per iteration would cost more than it hides) or the path is scalar.
    /// </summary>
    public int PrefetchBytes
    {
        get
        {
            int bytes = this.Step * (this.Element == ElementType.Float ? 4 : 8);
            return !this.Path.IsVector || bytes < 64 ? 0 : bytes <= 64 ? 64 : bytes <= 128 ? 128 : bytes <= 256 ? 256 : 512;
        }
    }

    /// <summary><c>Vector512.Create(value)</c>.</summary>
    public string Splat(string value) => $"{this.V}.Create({value})";

    /// <summary>A pairwise tree over the names, e.g. <c>(a + b) + (c + d)</c>, which keeps dependency chains short.</summary>
    public static string Tree(IReadOnlyList<string> items, Func<string, string, string> combine)
    {
        if (items.Count == 1)
        {
            return items[0];
        }

        int half = (items.Count + 1) / 2;
        return combine(Tree(items.Take(half).ToList(), combine), Tree(items.Skip(half).ToList(), combine));
    }

    /// <summary>Names with suffixes 0..count−1.</summary>
    public static IReadOnlyList<string> Names(string prefix, int count) => Enumerable.Range(0, count).Select(i => prefix + i).ToList();

    /// <summary>
    /// Writes one pass over the row <c>[0, n)</c> in locals <c>i</c> (declared by the caller) and
    /// <c>n</c>. <paramref name="group"/> writes the statements for a group of vectors (the
    /// unrolled ones, or a single vector, or the tail); <paramref name="flush"/>, if given, runs
    /// after every <see cref="Block"/> elements and once at the end. <paramref name="prefetch"/>, if given, names
    /// the row the pass reads from memory for the first time: its unrolled loop then asks for the data
    /// <c>CacheHints.AheadBytes</c> ahead (see <see cref="PrefetchBytes"/>). <paramref name="stream"/>, if given, names
    /// the output written with streaming stores: the pass first writes the elements before its first aligned
    /// address as one masked vector (<c>head</c>), stores every full vector after it without keeping it in cache,
    /// and ends with a store fence unless <paramref name="fence"/> is false (a row method called in a loop over rows whose
    /// caller fences once after the loop: out of cache, a fence per row made LayerNorm over rows of 256 floats 1.6× slower, docs/paths.md). <paramref name="nextRows"/>, if given, names the rows (read from cache by this
    /// pass) whose next row the unrolled loop asks for at the same place, <c>i + n</c>, so that the next row's first
    /// pass finds it in cache. <paramref name="streamAlso"/>, if given, names a second output written with streaming stores
    /// beside <paramref name="stream"/> (the fused residual norms' sum h): the head follows <paramref name="stream"/>'s
    /// alignment, and <c>CacheHints.StoreStreaming</c> stores the second one with ordinary stores where it is not aligned.
    /// </summary>
    public void WritePass(IndentedWriter writer, string fill, Action<IndentedWriter, IReadOnlyList<VectorAccess>> group, Action<IndentedWriter>? flush = null, string? prefetch = null, string? stream = null, IReadOnlyList<string>? nextRows = null, string? streamAlso = null, bool fence = true) =>
        this.WriteLoops(writer, fill, (w, accesses, _) => group(w, accesses), flush, prefetch, stream, nextRows, streamAlso, fence);

    /// <summary>
    /// One pass (see <see cref="WritePass(IndentedWriter, string, Action{IndentedWriter, IReadOnlyList{VectorAccess}}, Action{IndentedWriter}?, string?, string?, IReadOnlyList{string}?, string?, bool)"/>)
    /// of which one stage writes a streamed row at the pass's index from rows of its own — the last stage of a pipeline of rows,
    /// which writes row r − 1's output while the other stages work on rows r and r + 1. Streaming stores need aligned addresses
    /// (a <c>float[]</c> or <c>double[]</c> is only 8-byte aligned; where the address is not aligned, every streaming store is an
    /// ordinary one), so the pass comes in two forms, chosen per row by where <paramref name="stream"/> starts: aligned, the
    /// pass as it is, <paramref name="stage"/> writing each of its vectors; otherwise <paramref name="stage"/> writes the
    /// elements before the first aligned one (<c>head</c>) as a masked vector, then works at the pass's index on
    /// <paramref name="rows"/> shifted by them (each <c>{row}j</c>, <paramref name="stream"/> among them), in the unrolled loop
    /// while a whole group fits before their end (<c>limit = n - head</c>), and after the pass on what that loop left. The
    /// group writes the other stages and calls its third argument on vectors where the streamed stage goes; the stage gets the
    /// vector and the name of each of its rows in this form (a name not in <paramref name="rows"/> is a generator bug: it
    /// throws). Every vector of the streamed stage is the same element-wise value in both forms: the same bits. Measured on
    /// the cross-entropy pipeline (docs/benchmarks.md, session 17): a shifted form for every row cost 15–19% on aligned rows,
    /// hence two. The stage stores with <see cref="VectorAccess.StoreStreaming"/>. No fence: the caller fences.
    /// Precondition: <paramref name="stream"/> starts on an element boundary, so that its head is shorter than one vector
    /// (<c>CacheHints.StreamingHead</c> returns less than a vector's elements only then); both callers stream only outputs that
    /// <c>CacheHints.ShouldStream</c> accepted, which it accepts only element-aligned.
    /// </summary>
    public void WriteStreamedStagePass(
        IndentedWriter writer,
        string fill,
        string stream,
        IReadOnlyList<string> rows,
        Action<IndentedWriter, IReadOnlyList<VectorAccess>, Action<IndentedWriter, IEnumerable<VectorAccess>>> group,
        Action<IndentedWriter, VectorAccess, Func<string, string>> stage,
        Action<IndentedWriter>? flush = null,
        string? prefetch = null)
    {
        string Unshifted(string row) => rows.Contains(row) ? row : throw new ArgumentException($"The streamed stage reads or writes '{row}', which is not among its rows.", nameof(rows));
        string Shifted(string row) => Unshifted(row) + "j";
        int vectorBytes = this.Path.Bits / 8;
        writer.Line($"// {stream} streams from its first {vectorBytes}-byte-aligned element (a {this.T}[] is only 8-byte aligned, and where no address");
        writer.Line("// is aligned every streaming store is an ordinary one). A row that starts aligned takes the loop as it is; any other");
        writer.Line("// writes the elements before that one as a masked vector and runs the streamed stage on rows shifted by them.");
        writer.Line($"nint head = global::KernelGen.Runtime.CacheHints.StreamingHead(ref {stream}, n, {vectorBytes});");
        using (writer.Block("if (head == 0)"))
        {
            this.WriteLoops(writer, fill, (w, accesses, _) => group(w, accesses, (ws, staged) => staged.ToList().ForEach(a => stage(ws, a, Unshifted))), flush, prefetch);
        }

        using (writer.Block("else"))
        {
            stage(writer, VectorAccess.Head(this, fill), Unshifted);
            writer.Line("nint limit = n - head;");
            foreach (string row in rows)
            {
                writer.Line($"ref {this.T} {Shifted(row)} = ref {Unsafe}.Add(ref {row}, head);");
            }

            this.WriteLoops(
                writer,
                fill,
                (w, accesses, unrolled) => group(
                    w,
                    accesses,
                    (ws, staged) =>
                    {
                        // The unrolled loop's group only: the one-vector loop and the tail leave the streamed stage to the remainder.
                        if (unrolled)
                        {
                            using (ws.Block($"if (i <= limit - {this.Step})"))
                            {
                                staged.ToList().ForEach(a => stage(ws, a, Shifted));
                            }
                        }
                    }),
                flush,
                prefetch);
            writer.Line("// What the unrolled loop left of the streamed stage: its last group when a whole one did not fit before the row's end.");
            writer.Line($"nint j = n / {this.Step} * {this.Step};");
            using (writer.Block("if (j > limit)"))
            {
                writer.Line($"j -= {this.Step};");
            }

            using (writer.Block($"for (; j <= limit - {this.Lanes}; j += {this.Lanes})"))
            {
                stage(writer, VectorAccess.Full(this, "j", 0, streamed: Shifted(stream)), Shifted);
            }

            using (writer.Block("if (j < limit)"))
            {
                stage(writer, VectorAccess.Tail(this, fill, "j", "limit"), Shifted);
            }
        }
    }

    // WritePass, whose group learns whether it is the unrolled loop's (Unroll full vectors at i, i + Lanes, …).
    private void WriteLoops(IndentedWriter writer, string fill, Action<IndentedWriter, IReadOnlyList<VectorAccess>, bool> group, Action<IndentedWriter>? flush, string? prefetch, string? stream = null, IReadOnlyList<string>? nextRows = null, string? streamAlso = null, bool fence = true)
    {
        void Prefetch()
        {
            if (this.PrefetchBytes == 0)
            {
                return;
            }

            if (prefetch is not null)
            {
                writer.Line($"global::KernelGen.Runtime.CacheHints.PrefetchAhead(ref {prefetch}, i, {this.PrefetchBytes});");
            }

            foreach (string row in nextRows ?? Array.Empty<string>())
            {
                writer.Line($"global::KernelGen.Runtime.CacheHints.PrefetchAt(ref {row}, i + n, {this.PrefetchBytes});");
            }
        }

        writer.Line("i = 0;");
        if (stream is not null)
        {
            int vectorBytes = this.Path.Bits / 8;
            writer.Line($"// Streaming stores need {vectorBytes}-byte-aligned addresses: the elements before {stream}'s first one go as one masked vector.");
            writer.Line($"nint head = global::KernelGen.Runtime.CacheHints.StreamingHead(ref {stream}, n, {vectorBytes});");
            using (writer.Block("if (head != 0)"))
            {
                group(writer, new[] { VectorAccess.Head(this, fill) }, false);
                writer.Line("i = head;");
            }
        }

        List<VectorAccess> unrolled = Enumerable.Range(0, this.Unroll)
            .Select(u => VectorAccess.Full(this, u == 0 ? "i" : $"i + {u * this.Lanes}", u, stream, streamAlso))
            .ToList();
        if (flush is not null)
        {
            using (writer.Block($"while (i <= n - {this.Step})"))
            {
                writer.Line($"nint blockEnd = global::System.Math.Min(n - {this.Step}, i + {this.Block - this.Step});");
                using (writer.Block($"for (; i <= blockEnd; i += {this.Step})"))
                {
                    Prefetch();
                    group(writer, unrolled, true);
                }

                flush(writer);
            }
        }
        else
        {
            using (writer.Block($"for (; i <= n - {this.Step}; i += {this.Step})"))
            {
                Prefetch();
                group(writer, unrolled, true);
            }
        }

        if (this.Unroll > 4)
        {
            // What the wide loop left is fewer than Unroll vectors: take four at once if there are, so that
            // short rows still have independent work side by side.
            using (writer.Block($"if (i <= n - {4 * this.Lanes})"))
            {
                group(writer, Enumerable.Range(0, 4).Select(u => VectorAccess.Full(this, u == 0 ? "i" : $"i + {u * this.Lanes}", u, stream, streamAlso)).ToList(), false);
                writer.Line($"i += {4 * this.Lanes};");
            }
        }

        if (this.Unroll > 1)
        {
            using (writer.Block($"for (; i <= n - {this.Lanes}; i += {this.Lanes})"))
            {
                group(writer, new[] { VectorAccess.Full(this, "i", 0, stream, streamAlso) }, false);
            }
        }

        using (writer.Block("if (i < n)"))
        {
            writer.Line("// The tail: fewer than one vector, loaded into a vector whose other lanes are neutral.");
            group(writer, new[] { VectorAccess.Tail(this, fill) }, false);
        }

        if (flush is not null)
        {
            flush(writer);
        }

        if (stream is not null && fence)
        {
            writer.Line("global::KernelGen.Runtime.CacheHints.StreamingFence();");
        }
    }

    /// <summary>
    /// Declares <see cref="Unroll"/> accumulators <c>{prefix}0..</c> in this width's lanes and the double lanes
    /// <c>{wide}Low</c>/<c>{wide}High</c> they flush into (see <see cref="WriteSumFlush"/>); a pass with two sums
    /// names a second pair. <paramref name="comment"/> false leaves out the comment on how sums are kept (a second set of
    /// accumulators declared right after a first).
    /// </summary>
    public void WriteSumDeclarations(IndentedWriter writer, string prefix = "sum", bool declareWide = true, string wide = "wide", bool comment = true)
    {
        if (comment)
        {
            writer.Line($"// Sums stay in {this.T} lanes for a block of {this.Block} elements, then move into double lanes: rows of 1e6 do not drift.");
        }

        for (int u = 0; u < this.Unroll; u++)
        {
            writer.Line($"{this.Vec} {prefix}{u} = {this.Vec}.Zero;");
        }

        writer.Line(declareWide
            ? $"{this.WideVec} {wide}Low = {this.WideVec}.Zero, {wide}High = {this.WideVec}.Zero;"
            : $"{wide}Low = {this.WideVec}.Zero; {wide}High = {this.WideVec}.Zero;");
    }

    /// <summary>
    /// Declares <paramref name="count"/> (default <see cref="Unroll"/>) maximum accumulators <c>max0..</c> = −∞ (see
    /// <see cref="MaxOfAccumulators"/>). A maximum is exact in any order, so any count gives the same bits.
    /// </summary>
    public void WriteMaxDeclarations(IndentedWriter writer, int? count = null)
    {
        foreach (string name in Names("max", count ?? this.Unroll))
        {
            writer.Line($"{this.Vec} {name} = {this.Splat($"{this.T}.NegativeInfinity")};");
        }
    }

    /// <summary>The largest lane of the <paramref name="count"/> (default <see cref="Unroll"/>) accumulators <c>max0..</c>: a scalar of the element type.</summary>
    public string MaxOfAccumulators(int? count = null) => $"{this.M}.HorizontalMax({Tree(Names("max", count ?? this.Unroll), (a, b) => $"{this.M}.Max({a}, {b})")})";

    /// <summary>Adds the accumulators into the double lanes (compensated for double) and zeroes them: the block flush of a pass.</summary>
    public void WriteSumFlush(IndentedWriter writer, string prefix = "sum", string wide = "wide")
    {
        IReadOnlyList<string> sums = Names(prefix, this.Unroll);
        writer.Line($"{this.M}.AddWidened(ref {wide}Low, ref {wide}High, {Tree(sums, static (a, b) => $"({a} + {b})")});");
        foreach (string name in sums)
        {
            writer.Line($"{name} = {this.Vec}.Zero;");
        }
    }
}
