using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Writes what [DynamicTanh] does to one row, on every path, inside the shell of <see cref="KernelFileWriter"/>:
/// y = γ ⊙ tanh(α·x) + β, one pass, each output from its own input (no reduction, so no accumulators: the
/// unroll only puts independent tanh evaluations side by side). The tanh is the runtime's (VectorMath*.Tanh).
/// </summary>
internal sealed partial class DynamicTanhEmitter : IKernelRowWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private readonly DynamicTanhModel model;

    private DynamicTanhEmitter(DynamicTanhModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => this.IsBackward ? this.BackwardSummary : "Dynamic Tanh of each element: y = " + this.FormulaText;

    private string FormulaText => this.HasWeight ? (this.HasBias ? "γ ⊙ tanh(α·x) + β" : "γ ⊙ tanh(α·x)") : "tanh(α·x)";

    private bool HasWeight => this.model.Signature.Has(ParameterRole.Weight);

    private bool HasBias => this.model.Signature.Has(ParameterRole.Bias);

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>The parameters the row methods take, in the signature's order (spans by ref, α by value).</summary>
    private IEnumerable<KernelParameter> RowInputs => this.model.Signature.Parameters.Where(static p => p.Role != ParameterRole.RowLength);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(DynamicTanhModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new DynamicTanhEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path) => false;

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
        }
    }

    private string RowParameters(bool withLength) =>
        string.Join(", ", this.RowInputs.Select(p => p.IsScalar ? $"{this.T} {p.RowName}" : $"ref {this.T} {p.RowName}")) + (withLength ? ", nint n" : string.Empty);

    // y from t = tanh(α·x) and the loaded weight and bias: one fused multiply-add with both.
    private string Output(VectorLoopWriter c, string tanh, string weight, string bias) =>
        !this.HasWeight ? tanh
        : this.HasBias ? $"{c.M}.MultiplyAdd({tanh}, {weight}, {bias})"
        : $"{tanh} * {weight}";

    private void WriteLoopRow(IndentedWriter writer, VectorLoopWriter c)
    {
        bool fixedWidth = this.model.Width != 0;
        writer.Line($"// One pass: y = {this.FormulaText}. Unroll {c.Unroll}: that many independent tanh evaluations in flight.");
        writer.Line("// Each group loads all its inputs before it stores, so the output may be the input (in place).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"{c.Vec} scale = {c.Splat("alpha")};");
            writer.Line("nint i;");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} t{a.Accumulator} = {c.M}.Tanh({a.Load("x")} * scale);");
                }

                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store(this.Output(c, $"t{a.Accumulator}", a.Load("w"), a.Load("b")), "y"));
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

        writer.Line($"// Width = {width}: {full} full vector(s){(tail != 0 ? $" and a {tail}-element tail" : string.Empty)} of {c.Lanes} lanes, fully unrolled:");
        writer.Line($"// y = {this.FormulaText}, every tanh independent of the others. All inputs are loaded before the first store (in place is allowed).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(false)})"))
        {
            writer.Line($"{c.Vec} scale = {c.Splat("alpha")};");
            for (int v = 0; v < count; v++)
            {
                writer.Line($"{c.Vec} t{v} = {c.M}.Tanh({LoadAt("x", v)} * scale);");
            }

            for (int v = 0; v < count; v++)
            {
                writer.Line(StoreAt(v, this.Output(c, $"t{v}", LoadAt("w", v), LoadAt("b", v))));
            }
        }
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        bool fixedWidth = this.model.Width != 0;
        string tanh = this.Element == ElementType.Float ? "global::System.MathF.Tanh" : "global::System.Math.Tanh";
        writer.Line($"// Scalar: y = {this.FormulaText} one element at a time in {this.T}, with the runtime library's tanh.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} t = {tanh}(alpha * {Unsafe}.Add(ref x, i));");
                string value = !this.HasWeight ? "t"
                    : this.HasBias ? $"(t * {Unsafe}.Add(ref w, i)) + {Unsafe}.Add(ref b, i)"
                    : $"t * {Unsafe}.Add(ref w, i)";
                writer.Line($"{Unsafe}.Add(ref y, i) = {value};");
            }
        }
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        if (this.IsBackward)
        {
            this.WriteBackwardReferenceRow(writer);
            return;
        }

        string parameters = string.Join(", ", this.RowInputs.Select(p =>
            p.IsScalar ? $"{this.T} {p.RowName}"
            : (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName));
        string value = !this.HasWeight ? "t" : this.HasBias ? "(w[i] * t) + b[i]" : "w[i] * t";
        bool isFloat = this.Element == ElementType.Float;
        writer.Line(isFloat ? $"// y = {this.FormulaText}, in double, rounded once to float." : $"// y = {this.FormulaText}, in double.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("double t = global::System.Math.Tanh((double)alpha * x[i]);");
                writer.Line(isFloat ? $"y[i] = (float)({value});" : $"y[i] = {value};");
            }
        }
    }
}
