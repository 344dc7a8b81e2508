using System.Globalization;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// The backward kernel of [DynamicTanh] (<c>Backward = true</c>): with t = tanh(α·x) and s = 1 − t², one pass
/// per row writes dx = dy ⊙ γ ⊙ α·s, adds dy ⊙ t into dγ and dy into dβ, and sums dy ⊙ γ ⊙ x ⊙ s for dα
/// (added into its one element at the end of the row). Rows are always walked by a loop (a fixed Width makes
/// n a constant; no row is kept in registers), as the other norms' backward kernels.
/// </summary>
internal sealed partial class DynamicTanhEmitter
{
    private bool IsBackward => this.model.Signature.IsBackward;

    private bool HasBiasGradient => this.model.Signature.Has(ParameterRole.BiasGradient);

    private string BackwardSummary =>
        "backward of Dynamic Tanh: with t = tanh(α·x), g = " + (this.HasWeight ? "γ ⊙ dy" : "dy") + ": dx = α·g ⊙ (1 − t²), dα += Σ g ⊙ x ⊙ (1 − t²)"
        + (this.HasWeight ? ", dγ += dy ⊙ t" : string.Empty) + (this.HasBiasGradient ? ", dβ += dy" : string.Empty);

    private void WriteBackwardRow(IndentedWriter writer, PathInfo path)
    {
        bool fixedWidth = this.model.Width != 0;
        if (!path.IsVector)
        {
            this.WriteBackwardScalarRow(writer, fixedWidth);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        writer.Line($"// One pass: t = tanh(α·x), s = 1 − t² (one fused multiply-add), q = g·s with g = {(this.HasWeight ? "γ·dy" : "dy")}; dx = α·q,");
        writer.Line($"// Σq·x for dα{(this.HasWeight ? ", dγ += dy·t" : string.Empty)}{(this.HasBiasGradient ? ", dβ += dy" : string.Empty)}. Unroll {c.Unroll}. Each vector of dy is read before dx is written there (they may be one span).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"{c.Vec} scale = {c.Splat("alpha")};");
            writer.Line($"{c.Vec} one = {c.Splat($"({this.T})1")};");
            writer.Line("nint i;");
            c.WriteSumDeclarations(writer, "slope");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    string u = a.Accumulator.ToString(CultureInfo.InvariantCulture);
                    w.Line($"{c.Vec} v{u} = {a.Load("x")};");
                    w.Line($"{c.Vec} d{u} = {a.Load("dy")};");
                }

                foreach (VectorAccess a in group)
                {
                    string u = a.Accumulator.ToString(CultureInfo.InvariantCulture);
                    w.Line($"{c.Vec} t{u} = {c.M}.Tanh(v{u} * scale);");
                    w.Line($"{c.Vec} q{u} = ({(this.HasWeight ? $"d{u} * {a.Load("w")}" : $"d{u}")}) * {c.M}.MultiplyAdd(-t{u}, t{u}, one);");
                    w.Line(a.Store($"q{u} * scale", "dx"));

                    // Lanes past the row add nothing, even where α·0 is NaN (α = ±∞).
                    w.Line($"slope{u} = {c.M}.MultiplyAdd({a.InRow(c, $"q{u}", $"{c.Vec}.Zero")}, v{u}, slope{u});");
                    if (this.HasWeight)
                    {
                        w.Line(a.Store($"{c.M}.MultiplyAdd(d{u}, t{u}, {a.Load("dw")})", "dw"));
                    }

                    if (this.HasBiasGradient)
                    {
                        w.Line(a.Store($"{a.Load("db")} + d{u}", "db"));
                    }
                }
            }, w => c.WriteSumFlush(w, "slope"));
            writer.Line("// This row's share of dα, added into its one element.");
            writer.Line($"da = ({this.T})(da + {c.M}.SumWidened(wideLow, wideHigh));");
        }
    }

    private void WriteBackwardScalarRow(IndentedWriter writer, bool fixedWidth)
    {
        bool isFloat = this.Element == ElementType.Float;
        string math = isFloat ? "global::System.MathF" : "global::System.Math";
        string Ref(string name) => $"{VectorLoopWriter.Unsafe}.Add(ref {name}, i)";
        writer.Line($"// Scalar: the same pass one element at a time in {this.T}, with the runtime library's tanh; Σq·x for dα in {(isFloat ? "double" : "a compensated double sum")}.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line(isFloat ? "double slope = 0;" : "global::KernelGen.Runtime.CompensatedSum slope = default;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} v = {Ref("x")};");
                writer.Line($"{this.T} d = {Ref("dy")};");
                writer.Line($"{this.T} t = {math}.Tanh(alpha * v);");
                writer.Line($"{this.T} q = {(this.HasWeight ? $"d * {Ref("w")}" : "d")} * {math}.FusedMultiplyAdd(-t, t, 1);");
                writer.Line($"{Ref("dx")} = q * alpha;");
                writer.Line(isFloat ? "slope += (double)q * v;" : "slope.Add(q * v);");
                if (this.HasWeight)
                {
                    writer.Line($"{Ref("dw")} = {math}.FusedMultiplyAdd(d, t, {Ref("dw")});");
                }

                if (this.HasBiasGradient)
                {
                    writer.Line($"{Ref("db")} += d;");
                }
            }

            writer.Line($"da = ({this.T})(da + {(isFloat ? "slope" : "slope.Total(out _)")});");
        }
    }

    private void WriteBackwardReferenceRow(IndentedWriter writer)
    {
        string parameters = string.Join(", ", this.RowInputs.Select(p =>
            p.IsScalar ? $"{this.T} {p.RowName}"
            : (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName));
        writer.Line($"// In double: t = tanh(α·x), g = {(this.HasWeight ? "γ·dy" : "dy")}, dx = α·g·(1 − t²); dα += Σ g·x·(1 − t²) (compensated){(this.HasWeight ? ", dγ += dy·t" : string.Empty)}{(this.HasBiasGradient ? ", dβ += dy" : string.Empty)}, each rounded once per row.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            writer.Line("global::KernelGen.Runtime.CompensatedSum slope = default;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("double d = dy[i];");
                writer.Line("double t = global::System.Math.Tanh((double)alpha * x[i]);");
                writer.Line($"double q = d{(this.HasWeight ? " * w[i]" : string.Empty)} * (1 - (t * t));");
                writer.Line($"dx[i] = ({this.T})(alpha * q);");
                writer.Line("slope.Add(q * x[i]);");
                if (this.HasWeight)
                {
                    writer.Line($"dw[i] = ({this.T})(dw[i] + (d * t));");
                }

                if (this.HasBiasGradient)
                {
                    writer.Line($"db[i] = ({this.T})(db[i] + d);");
                }
            }

            writer.Line($"da[0] = ({this.T})(da[0] + slope.Total(out _));");
        }
    }
}
