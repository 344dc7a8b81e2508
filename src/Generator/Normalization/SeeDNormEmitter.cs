using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Writes what [SeeDNorm] does to one row, on every path, inside the shell of <see cref="KernelFileWriter"/>:
/// y = (tanh(⟨x, β⟩)·α + γ) ⊙ x/sqrt(mean(x²) + ε). Two passes: Σx² and ⟨x, β⟩ side by side (two accumulator sets,
/// flushed into double lanes as RmsNorm's sum), then the output, with s = tanh(⟨x, β⟩) and 1/rms computed once per row in double.
/// </summary>
internal sealed class SeeDNormEmitter : IKernelRowWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    // The row methods name β 'p' (the projection the row is dotted with), α 'a' and γ 'w'.
    private const string Formula = "(tanh(⟨x, β⟩)·α + γ) ⊙ x/sqrt(mean(x²) + ε)";
    private readonly SeeDNormModel model;

    private SeeDNormEmitter(SeeDNormModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => "SeeDNorm (self-rescaled dynamic RMS normalization) of each row: y = " + Formula;

    private ElementType Element => this.model.Signature.Element;

    private bool IsDouble => this.Element == ElementType.Double;

    private string T => KernelFileWriter.ElementName(this.Element);

    private IEnumerable<KernelParameter> Spans => this.model.Signature.Parameters.Where(static p => p.Role != ParameterRole.RowLength);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(SeeDNormModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new SeeDNormEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line("/// <summary>ε, added to the mean square before the square root (in double).</summary>");
        writer.Line($"private const double Epsilon = {CSharpLiteral.Of(this.model.Epsilon)};");
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path) => false;

    public bool WriteReferenceRowsLoop(IndentedWriter writer) => false;

    private string RowParameters(bool withLength) =>
        string.Join(", ", this.Spans.Select(p => $"ref {this.T} {p.RowName}")) + (withLength ? ", nint n" : string.Empty);

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (!path.IsVector)
        {
            this.WriteScalarRow(writer);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        if (c.KeepsRowInRegisters(this.model.Width))
        {
            this.WriteRegisterRow(writer, c);
        }
        else
        {
            this.WriteLoopRow(writer, c);
        }
    }

    // The per-row factors from the two double sums: 1/rms, and s = tanh(⟨x, β⟩) (in double, once per row), as vectors.
    private void WriteFactors(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line($"double inverseRms = 1.0 / {Math}.Sqrt({c.M}.SumWidened(wideLow, wideHigh) / n + Epsilon);");
        writer.Line($"double rescale = {Math}.Tanh({c.M}.SumWidened(dotWideLow, dotWideHigh));");
        writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})inverseRms")};");
        writer.Line($"{c.Vec} s = {c.Splat($"({this.T})rescale")};");
    }

    // y = (s·α + γ)·(x·(1/rms)): one fused multiply-add for the per-column factor.
    private static string Output(VectorLoopWriter c, string x, string alpha, string gamma) =>
        $"{c.M}.MultiplyAdd(s, {alpha}, {gamma}) * ({x} * scale)";

    private void WriteLoopRow(IndentedWriter writer, VectorLoopWriter c)
    {
        bool fixedWidth = this.model.Width != 0;
        writer.Line($"// Two passes over the row: Σx² and ⟨x, β⟩ together; the output. Unroll {c.Unroll}: that many independent pairs of accumulators.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            writer.Line();
            writer.Line("// Pass 1: Σx² and ⟨x, β⟩ = Σx·β, side by side. Lanes past the row hold 0 (they add 0).");
            c.WriteSumDeclarations(writer, "square");
            c.WriteSumDeclarations(writer, "dot", wide: "dotWide", comment: false);
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} v{a.Accumulator} = {a.Load("x")};");
                }

                foreach (VectorAccess a in group)
                {
                    w.Line($"square{a.Accumulator} = {c.M}.MultiplyAdd(v{a.Accumulator}, v{a.Accumulator}, square{a.Accumulator});");
                    w.Line($"dot{a.Accumulator} = {c.M}.MultiplyAdd(v{a.Accumulator}, {a.Load("p")}, dot{a.Accumulator});");
                }
            }, w =>
            {
                c.WriteSumFlush(w, "square");
                c.WriteSumFlush(w, "dot", "dotWide");
            });
            this.WriteFactors(writer, c);

            writer.Line();
            writer.Line("// Pass 2: y = (s·α + γ)·x·(1/rms), s = tanh(⟨x, β⟩). Each group loads x before it stores (in place is allowed).");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store(Output(c, a.Load("x"), a.Load("a"), a.Load("w")), "y"));
                }
            });
        }
    }

    private void WriteRegisterRow(IndentedWriter writer, VectorLoopWriter c)
    {
        int width = this.model.Width;
        int full = width / c.Lanes;
        int tail = width % c.Lanes;
        int count = full + (tail != 0 ? 1 : 0);
        string LoadAt(string source, int v) => v < full
            ? $"{c.V}.LoadUnsafe(ref {source}, (nuint){v * c.Lanes})"
            : $"{c.M}.LoadTail(ref {Unsafe}.Add(ref {source}, {v * c.Lanes}), {tail}, ({this.T})0)";
        string StoreAt(int v, string value) => v < full
            ? $"{c.V}.StoreUnsafe({value}, ref y, (nuint){v * c.Lanes});"
            : $"{c.M}.StoreTail(ref {Unsafe}.Add(ref y, {v * c.Lanes}), {tail}, {value});";

        writer.Line($"// Width = {width}: {full} full vector(s){(tail != 0 ? $" and a {tail}-element tail" : string.Empty)} of {c.Lanes} lanes stay in registers:");
        writer.Line("// the row is read once and written once, fully unrolled; the tail's lanes past the row hold 0.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(false)})"))
        {
            writer.Line("const nint n = Width;");
            for (int v = 0; v < count; v++)
            {
                writer.Line($"{c.Vec} x{v} = {LoadAt("x", v)};");
            }

            List<string> squares = Enumerable.Range(0, count).Select(v => $"x{v} * x{v}").ToList();
            List<string> dots = Enumerable.Range(0, count).Select(v => $"x{v} * {LoadAt("p", v)}").ToList();
            writer.Line($"{c.WideVec} wideLow = {c.WideVec}.Zero, wideHigh = {c.WideVec}.Zero;");
            writer.Line($"{c.M}.AddWidened(ref wideLow, ref wideHigh, {VectorLoopWriter.Tree(squares, static (a, b) => $"({a} + {b})")});");
            writer.Line($"{c.WideVec} dotWideLow = {c.WideVec}.Zero, dotWideHigh = {c.WideVec}.Zero;");
            writer.Line($"{c.M}.AddWidened(ref dotWideLow, ref dotWideHigh, {VectorLoopWriter.Tree(dots, static (a, b) => $"({a} + {b})")});");
            this.WriteFactors(writer, c);
            for (int v = 0; v < count; v++)
            {
                writer.Line(StoreAt(v, Output(c, $"x{v}", LoadAt("a", v), LoadAt("w", v))));
            }
        }
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        bool fixedWidth = this.model.Width != 0;
        string X = $"{Unsafe}.Add(ref x, i)";
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

            writer.Line(this.IsDouble
                ? "global::KernelGen.Runtime.CompensatedSum squares = default, dots = default;"
                : "double squares = 0, dots = 0;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"double value = {X};");
                writer.Line(this.IsDouble ? "squares.Add(value * value);" : "squares += value * value;");
                writer.Line(this.IsDouble ? $"dots.Add(value * {Unsafe}.Add(ref p, i));" : $"dots += value * {Unsafe}.Add(ref p, i);");
            }

            writer.Line($"double inverseRms = 1.0 / {Math}.Sqrt({(this.IsDouble ? "squares.Total(out _)" : "squares")} / n + Epsilon);");
            writer.Line($"double rescale = {Math}.Tanh({(this.IsDouble ? "dots.Total(out _)" : "dots")});");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{Unsafe}.Add(ref y, i) = ({this.T})((rescale * {Unsafe}.Add(ref a, i) + {Unsafe}.Add(ref w, i)) * ({X} * inverseRms));");
            }
        }
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = string.Join(", ", this.Spans.Select(p =>
            (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName));
        writer.Line($"// y = {Formula}, with compensated sums, in double{(this.IsDouble ? string.Empty : ", rounded once to float")}.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            writer.Line("int n = x.Length;");
            writer.Line("global::KernelGen.Runtime.CompensatedSum squares = default, dots = default;");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line("squares.Add((double)x[i] * x[i]);");
                writer.Line("dots.Add((double)x[i] * p[i]);");
            }

            writer.Line($"double inverseRms = 1.0 / {Math}.Sqrt(squares.Total(out _) / n + Epsilon);");
            writer.Line($"double rescale = {Math}.Tanh(dots.Total(out _));");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line($"y[i] = ({this.T})((rescale * a[i] + w[i]) * x[i] * inverseRms);");
            }
        }
    }
}
