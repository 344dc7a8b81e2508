using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// Writes [TopKSoftmax] (mixture-of-experts gating) on every path. One pass over a row keeps the K largest in descending
/// order (the values in a stackalloc'd buffer of K, the indices straight in the caller's span) by insertion; the vector
/// paths compare whole vectors (Unroll at a time) with the K-th best kept so far and skip those with no lane above it,
/// so a long row costs about one compare per element. Then the softmax over the K kept values, in double.
/// </summary>
internal sealed class TopKSoftmaxEmitter : IKernelRowWriter, IKernelValidationWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private readonly TopKSoftmaxModel model;

    private TopKSoftmaxEmitter(TopKSoftmaxModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary =>
        $"TopKSoftmax: per row the indices of the K = {this.model.K} largest logits (descending; ties to the lower index, NaN first) and the softmax over them"
        + (this.model.Compact ? ", K weights per row" : ", 0 elsewhere");

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    private bool FixedWidth => this.model.Width != 0;

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(TopKSoftmaxModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new TopKSoftmaxEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line("/// <summary>The entries each row keeps.</summary>");
        writer.Line($"private const int K = {this.model.K};");
    }

    public void WriteValidation(IndentedWriter writer, KernelSignature s, string pathsClass)
    {
        string weights = s.OutputName, indices = s.NameOf(ParameterRole.Indices)!;
        string rowLength = s.RowLengthName ?? s.InputName + ".Length";
        string rowLengthName = s.RowLengthName ?? s.InputName;
        writer.Line($"_ = global::KernelGen.Runtime.KernelArguments.ValidateTopK<{this.T}>({s.InputName}, {weights}, {indices}, {rowLength}, {pathsClass}.K, {(this.model.Compact ? "true" : "false")}, {pathsClass}.Width, nameof({s.InputName}), nameof({weights}), nameof({indices}), nameof({rowLengthName}));");
    }

    private string RowMethodParameters => $"ref {this.T} x, ref {this.T} w, ref int top" + (this.FixedWidth ? string.Empty : ", nint n");

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        KernelSignature s = this.model.Signature;
        string length = this.FixedWidth ? string.Empty : s.Shape == KernelShape.ManyRows ? ", rowLength" : ", input.Length";
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Rows({KernelFileWriter.LocalParameters(s)})"))
        {
            writer.Line($"ref {this.T} x = ref {MemoryMarshal}.GetReference(input);");
            writer.Line($"ref {this.T} w = ref {MemoryMarshal}.GetReference(output);");
            writer.Line($"ref int top = ref {MemoryMarshal}.GetReference(indices);");
            if (s.Shape == KernelShape.ManyRows)
            {
                writer.Line("int rows = input.Length / rowLength;");
                using (writer.Block("for (int row = 0; row < rows; row++)"))
                {
                    writer.Line("nint offset = (nint)row * rowLength;");
                    writer.Line("nint kept = (nint)row * K;");
                    writer.Line($"{path.Name}Row(ref {Unsafe}.Add(ref x, offset), ref {Unsafe}.Add(ref w, {(this.model.Compact ? "kept" : "offset")}), ref {Unsafe}.Add(ref top, kept){length});");
                }
            }
            else
            {
                writer.Line("// The checks guarantee a row of at least K ≥ 1 elements.");
                writer.Line($"{path.Name}Row(ref x, ref w, ref top{length});");
            }
        }

        return true;
    }

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        KernelSignature s = this.model.Signature;
        using (writer.Block($"private static void ReferenceRows({KernelFileWriter.LocalParameters(s)})"))
        {
            if (s.Shape == KernelShape.ManyRows)
            {
                using (writer.Block("for (int row = 0; row < input.Length / rowLength; row++)"))
                {
                    string weights = this.model.Compact ? "output.Slice(row * K, K)" : "output.Slice(row * rowLength, rowLength)";
                    writer.Line($"ReferenceRow(input.Slice(row * rowLength, rowLength), {weights}, indices.Slice(row * K, K));");
                }
            }
            else
            {
                writer.Line("ReferenceRow(input, output, indices);");
            }
        }

        return true;
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (path == PathInfo.Scalar)
        {
            this.WriteSharedHelpers(writer);
            writer.Line();
        }

        string at(string index) => $"{Unsafe}.Add(ref x, {index})";
        var c = path.IsVector ? new VectorLoopWriter(path, this.Element, this.model.Unroll) : null;
        writer.Line($"// {path.Name}: {this.Summary}.");
        writer.Line(c is null
            ? "// One pass: each element that ranks above the K-th best kept so far is inserted (Keep); then the weights."
            : $"// One pass: the first K are inserted; then {c.Unroll} vector{(c.Unroll == 1 ? string.Empty : "s")} at a time are compared with the K-th best, and only a group with a lane above it (or a NaN) is walked element by element.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Row({this.RowMethodParameters})"))
        {
            if (this.FixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"global::System.Span<{this.T}> best = stackalloc {this.T}[K];");
            writer.Line("int count = 0;");
            writer.Line("nint i = 0;");
            using (writer.Block("for (; i < K; i++)"))
            {
                writer.Line($"Keep(best, ref top, ref count, {at("i")}, (int)i);");
            }

            writer.Line($"{this.T} kth = best[K - 1];");
            if (c is not null)
            {
                writer.Line($"{c.Vec} threshold = {c.Splat("kth")};");
                using (writer.Block($"for (; i <= n - {c.Step}; i += {c.Step})"))
                {
                    var hits = new List<string>();
                    for (int u = 0; u < c.Unroll; u++)
                    {
                        string offset = u == 0 ? "i" : $"i + {u * c.Lanes}";
                        writer.Line($"{c.Vec} v{u} = {c.V}.LoadUnsafe(ref x, (nuint)({offset}));");
                        hits.Add($"{c.V}.GreaterThan(v{u}, threshold) | ~{c.V}.Equals(v{u}, v{u})");
                    }

                    writer.Line("// A lane can enter only if it is above the K-th best, or NaN (NaN ranks first).");
                    using (writer.Block($"if ({c.V}.ExtractMostSignificantBits({VectorLoopWriter.Tree(hits, static (a, b) => $"({a}) | ({b})")}) == 0)"))
                    {
                        writer.Line("continue;");
                    }

                    using (writer.Block($"for (nint j = i; j < i + {c.Step}; j++)"))
                    {
                        this.WriteScalarStep(writer, "j");
                    }

                    writer.Line($"threshold = {c.Splat("kth")};");
                }
            }

            using (writer.Block("for (; i < n; i++)"))
            {
                this.WriteScalarStep(writer, "i");
            }

            writer.Line("WriteWeights(best, ref top, ref w, n);");
        }
    }

    private void WriteScalarStep(IndentedWriter writer, string index)
    {
        writer.Line($"{this.T} value = {Unsafe}.Add(ref x, {index});");
        using (writer.Block("if (Above(value, kth))"))
        {
            writer.Line($"Keep(best, ref top, ref count, value, (int){index});");
            writer.Line("kth = best[K - 1];");
        }
    }

    private void WriteSharedHelpers(IndentedWriter writer)
    {
        writer.Line("// The rank order: a ranks above b (met earlier) if it is larger, or NaN where b is not (NaN ranks first, as");
        writer.Line("// torch.topk). Equal values never: the one met first (the lower index) stays ahead.");
        writer.Line($"[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        writer.Line($"private static bool Above({this.T} a, {this.T} b) => a > b || ({this.T}.IsNaN(a) && !{this.T}.IsNaN(b));");
        writer.Line();
        writer.Line("// Inserts (value, index) into the kept entries, sorted by rank: appended while fewer than K are kept, else in");
        writer.Line("// place of the K-th (the caller checked that it ranks above it); then moved up past every entry it ranks above.");
        using (writer.Block($"private static void Keep(global::System.Span<{this.T}> best, ref int top, ref int count, {this.T} value, int index)"))
        {
            writer.Line("int j = count < K ? count++ : K - 1;");
            using (writer.Block("while (j > 0 && Above(value, best[j - 1]))"))
            {
                writer.Line("best[j] = best[j - 1];");
                writer.Line($"{Unsafe}.Add(ref top, j) = {Unsafe}.Add(ref top, j - 1);");
                writer.Line("j--;");
            }

            writer.Line("best[j] = value;");
            writer.Line($"{Unsafe}.Add(ref top, j) = index;");
        }

        writer.Line();
        writer.Line("// The softmax over the kept values, in double: best[0] is their maximum (NaN if one is NaN, so the weights are).");
        writer.Line(this.model.Compact
            ? "// K weights, the j-th for top[j]."
            : "// The row is cleared, then each kept index gets its weight (the logits were all read: the weights may be their memory).");
        using (writer.Block($"private static void WriteWeights(global::System.Span<{this.T}> best, ref int top, ref {this.T} w, nint n)"))
        {
            writer.Line("double max = best[0];");
            writer.Line("var sum = new global::KernelGen.Runtime.CompensatedSum();");
            using (writer.Block("for (int j = 0; j < K; j++)"))
            {
                writer.Line($"sum.Add({Math}.Exp(best[j] - max));");
            }

            writer.Line("double s = sum.Total(out _);");
            if (this.model.Compact)
            {
                using (writer.Block("for (int j = 0; j < K; j++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref w, j) = ({this.T})({Math}.Exp(best[j] - max) / s);");
                }
            }
            else
            {
                writer.Line($"{MemoryMarshal}.CreateSpan(ref w, (int)n).Clear();");
                using (writer.Block("for (int j = 0; j < K; j++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref w, {Unsafe}.Add(ref top, j)) = ({this.T})({Math}.Exp(best[j] - max) / s);");
                }
            }
        }
    }

    // ---- The reference: a full sort of the row's indices by rank, then the softmax of the first K, in double ----

    public void WriteReferenceRow(IndentedWriter writer)
    {
        writer.Line($"// {this.Summary}; every index sorted by rank, in double.");
        using (writer.Block($"private static void ReferenceRow(global::System.ReadOnlySpan<{this.T}> x, global::System.Span<{this.T}> w, global::System.Span<int> indices)"))
        {
            writer.Line("int n = x.Length;");
            writer.Line("var values = new double[n];");
            writer.Line("var order = new int[n];");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line("values[i] = x[i];");
                writer.Line("order[i] = i;");
            }

            writer.Line("global::System.Array.Sort(order, (a, b) => Rank(values, a, b));");
            writer.Line("double max = values[order[0]];");
            writer.Line("var sum = new global::KernelGen.Runtime.CompensatedSum();");
            using (writer.Block("for (int j = 0; j < K; j++)"))
            {
                writer.Line($"sum.Add({Math}.Exp(values[order[j]] - max));");
            }

            writer.Line("double s = sum.Total(out _);");
            if (!this.model.Compact)
            {
                writer.Line("w.Clear();");
            }

            using (writer.Block("for (int j = 0; j < K; j++)"))
            {
                writer.Line("indices[j] = order[j];");
                writer.Line($"w[{(this.model.Compact ? "j" : "order[j]")}] = ({this.T})({Math}.Exp(values[order[j]] - max) / s);");
            }
        }

        writer.Line();
        writer.Line("// The rank order as a comparison: NaN first, then larger values first, then lower indices first (a total order).");
        using (writer.Block("private static int Rank(double[] values, int a, int b)"))
        {
            writer.Line("bool nanA = double.IsNaN(values[a]), nanB = double.IsNaN(values[b]);");
            using (writer.Block("if (nanA != nanB)"))
            {
                writer.Line("return nanA ? -1 : 1;");
            }

            using (writer.Block("if (!nanA && values[a] != values[b])"))
            {
                writer.Line("return values[a] > values[b] ? -1 : 1;");
            }

            writer.Line("return a.CompareTo(b);");
        }
    }
}
