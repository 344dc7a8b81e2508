using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Writes a [CrossEntropy] kernel inside the shell of <see cref="KernelFileWriter"/>: its own rows loops
/// (they skip ignored rows and reduce the row losses), one row method per path (the online normalizer
/// pass, then the gradient pass when there is a gradient), and the double-precision reference.
/// </summary>
internal sealed class CrossEntropyEmitter : IKernelRowWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private readonly CrossEntropyModel model;

    private CrossEntropyEmitter(CrossEntropyModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary
    {
        get
        {
            var parts = new List<string> { "softmax cross-entropy", KernelFileWriter.ElementName(this.Element), "Reduction = " + this.model.Reduction };
            if (this.HasSmoothing)
            {
                parts.Add("LabelSmoothing = " + CSharpLiteral.Of(this.model.LabelSmoothing));
            }

            if (this.HasZLoss)
            {
                parts.Add("ZLoss = " + CSharpLiteral.Of(this.model.ZLoss));
            }

            parts.Add(this.HasGradient ? "with the gradient" : "forward only");
            return string.Join(", ", parts);
        }
    }

    private bool HasGradient => this.model.Signature.Has(ParameterRole.Gradient);

    private bool HasSmoothing => this.model.LabelSmoothing != 0;

    private bool HasZLoss => this.model.ZLoss != 0;

    private bool ManyRows => this.model.Signature.Shape == KernelShape.ManyRows;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(CrossEntropyModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new CrossEntropyEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed number of classes (0: any number).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line("/// <summary>A target equal to this is ignored: its row adds no loss and gets a zero gradient.</summary>");
        writer.Line($"private const int IgnoreIndex = {this.model.IgnoreIndex};");
        if (this.HasSmoothing)
        {
            writer.Line("/// <summary>ε: the target distribution is (1 − ε)·onehot(y) + ε/K.</summary>");
            writer.Line($"private const double LabelSmoothing = {CSharpLiteral.Of(this.model.LabelSmoothing)};");
        }

        if (this.HasZLoss)
        {
            writer.Line("/// <summary>c in the z-loss term c·LSE² added to each row's loss.</summary>");
            writer.Line($"private const double ZLoss = {CSharpLiteral.Of(this.model.ZLoss)};");
        }
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        this.WriteRows(writer, path.Name + "Rows", path.Name + "Row", reference: false);
        return true;
    }

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        this.WriteRows(writer, "ReferenceRows", "ReferenceRow", reference: true);
        return true;
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (path.IsVector)
        {
            this.WriteVectorRow(writer, new VectorLoopWriter(path, this.Element, this.model.Unroll == 0 ? path.DefaultUnroll : this.model.Unroll));
        }
        else
        {
            this.WriteScalarRow(writer);
        }
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string gradient = this.HasGradient ? $", global::System.Span<{this.T}> g, double scale" : string.Empty;
        writer.Line("// ℓ = LSE − (1 − ε)·x_y − (ε/K)·Σx + c·LSE², LSE = m + log Σ exp(x − m), m = max x; in double with compensated sums.");
        if (this.HasGradient)
        {
            writer.Line("// ∂ℓ/∂x_i = (1 + 2c·LSE)·p_i − (1 − ε)·[i = y] − ε/K with p_i = exp((x_i − m) − log Σ), times the reduction's scale.");
        }

        using (writer.Block($"private static double ReferenceRow(global::System.ReadOnlySpan<{this.T}> x, int target{gradient})"))
        {
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line($"maximum = {Math}.Max(maximum, x[i]);");
            }

            writer.Line();
            writer.Line("global::KernelGen.Runtime.CompensatedSum exps = default, logits = default;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line($"exps.Add({Math}.Exp(x[i] - maximum));");
                writer.Line("logits.Add(x[i]);");
            }

            writer.Line();
            writer.Line($"double logSum = {Math}.Log(exps.Total(out _));");
            writer.Line("double lse = maximum + logSum;");
            writer.Line($"double loss = {this.LossFormula("x[target]", "logits.Total(out _)", "x.Length")};");
            if (this.HasGradient)
            {
                using (writer.Block("for (int i = 0; i < x.Length; i++)"))
                {
                    string target = this.HasSmoothing ? "(1 - LabelSmoothing)" : "1.0";
                    string uniform = this.HasSmoothing ? " - (LabelSmoothing / x.Length)" : string.Empty;
                    writer.Line($"double p = {Math}.Exp((x[i] - maximum) - logSum);   // not x − LSE: x − m is exact, LSE is not");
                    writer.Line($"g[i] = ({this.T})(scale * (({this.ZFactor("lse")}p) - (i == target ? {target} : 0){uniform}));");
                }
            }

            writer.Line("return loss;");
        }
    }

    // ----------------------------------------------------------------------------------- rows

    // The rows loop of a path (or of the reference): skips ignored rows (zero gradient), reduces the row losses.
    private void WriteRows(IndentedWriter writer, string name, string row, bool reference)
    {
        KernelSignature s = this.model.Signature;
        string parameters = string.Join(", ", s.Parameters.Select(p => Declaration(p, this.T)));
        string returns = KernelFileWriter.ReturnType(s);
        bool mean = this.model.Reduction == ReductionKind.Mean;
        if (!reference)
        {
            writer.Line(KernelFileWriter.HotMethodAttribute);
        }

        using (writer.Block($"private static {returns} {name}({parameters})"))
        {
            if (!this.ManyRows)
            {
                using (writer.Block("if (target == IgnoreIndex)"))
                {
                    writer.Line("// An ignored row: no loss, a zero gradient. Its mean is 0/0, NaN, as PyTorch's.");
                    if (this.HasGradient)
                    {
                        writer.Line("gradient.Clear();");
                    }

                    writer.Line(mean ? $"return {this.T}.NaN;" : "return 0;");
                }

                writer.Line();
                string gradientArguments = this.HasGradient ? (reference ? ", gradient, 1.0" : $", ref {MemoryMarshal}.GetReference(gradient), 1.0") : string.Empty;
                string length = this.model.Width == 0 && !reference ? ", input.Length" : string.Empty;
                string logits = reference ? "input" : $"ref {MemoryMarshal}.GetReference(input)";
                writer.Line($"return ({this.T}){row}({logits}{length}, target{gradientArguments});");
                return;
            }

            writer.Line("int rows = targets.Length;");
            writer.Line(this.model.Width == 0 ? "int n = rows == 0 ? 0 : input.Length / rows;" : "const int n = Width;");
            if (!reference)
            {
                writer.Line($"ref {this.T} x = ref {MemoryMarshal}.GetReference(input);");
                if (this.HasGradient)
                {
                    writer.Line($"ref {this.T} g = ref {MemoryMarshal}.GetReference(gradient);");
                }
            }

            if (mean)
            {
                writer.Line("// The mean divides by the rows that count (PyTorch's weighted mean with unit weights); so does the gradient.");
                writer.Line("int counted = 0;");
                using (writer.Block("foreach (int t in targets)"))
                {
                    writer.Line("counted += t != IgnoreIndex ? 1 : 0;");
                }

                if (this.HasGradient)
                {
                    writer.Line("double scale = 1.0 / counted;");
                }
            }
            else if (this.HasGradient)
            {
                writer.Line("const double scale = 1.0;");
            }

            bool none = this.model.Reduction == ReductionKind.None;
            if (!none)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum total = default;");
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                writer.Line("int target = targets[row];");
                using (writer.Block("if (target == IgnoreIndex)"))
                {
                    if (this.HasGradient)
                    {
                        writer.Line("gradient.Slice(row * n, n).Clear();");
                    }

                    if (none)
                    {
                        writer.Line("losses[row] = 0;");
                    }

                    writer.Line("continue;");
                }

                writer.Line();
                string call;
                if (reference)
                {
                    call = $"{row}(input.Slice(row * n, n), target{(this.HasGradient ? ", gradient.Slice(row * n, n), scale" : string.Empty)})";
                }
                else
                {
                    writer.Line("nint offset = (nint)row * n;");
                    string length = this.model.Width == 0 ? ", n" : string.Empty;
                    call = $"{row}(ref {Unsafe}.Add(ref x, offset){length}, target{(this.HasGradient ? $", ref {Unsafe}.Add(ref g, offset), scale" : string.Empty)})";
                }

                writer.Line(none ? $"losses[row] = ({this.T}){call};" : $"total.Add({call});");
            }

            if (!none)
            {
                writer.Line(mean
                    ? $"return ({this.T})(total.Total(out _) / counted);   // 0/0 = NaN when no row counts, as PyTorch"
                    : $"return ({this.T})total.Total(out _);");
            }
        }
    }

    private static string Declaration(KernelParameter p, string t)
    {
        string type = SignatureShape.TypeText(p.Role, t);
        return (type.EndsWith(">", System.StringComparison.Ordinal) ? "global::System." + type : type) + " " + p.LocalName;
    }

    // ----------------------------------------------------------------------------------- one row

    private string RowParameters => (this.model.Width == 0 ? $"ref {this.T} x, nint n, int target" : $"ref {this.T} x, int target")
        + (this.HasGradient ? $", ref {this.T} g, double scale" : string.Empty);

    // ℓ from the row's LSE (in a local 'lse'), the target logit and Σx.
    private string LossFormula(string logit, string sumX, string n)
    {
        string loss = this.HasSmoothing ? $"lse - ((1 - LabelSmoothing) * {logit}) - (LabelSmoothing / {n} * {sumX})" : $"lse - {logit}";
        return this.HasZLoss ? loss + " + (ZLoss * lse * lse)" : loss;
    }

    // (1 + 2c·LSE)· in the gradient, or nothing without a z-loss.
    private string ZFactor(string lse) => this.HasZLoss ? $"(1 + (2 * ZLoss * {lse})) * " : string.Empty;

    private void WriteVectorRow(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line(this.HasGradient
            ? "// Two passes: the online normalizer (LSE in one read), then the gradient written from the logits."
            : "// One pass: the online normalizer gives LSE in one read of the logits.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            if (this.HasSmoothing)
            {
                writer.Line("// Σx for label smoothing, in the same pass: per-lane sums moved into double lanes at each block.");
                foreach (string name in VectorLoopWriter.Names("logitSum", c.Unroll))
                {
                    writer.Line($"{c.Vec} {name} = {c.Vec}.Zero;");
                }

                writer.Line($"{c.WideVec} logitLow = {c.WideVec}.Zero, logitHigh = {c.WideVec}.Zero;");
            }

            OnlineNormalizerWriter.WritePass(
                writer,
                c,
                static d => d,
                this.HasSmoothing
                    ? (w, group) =>
                    {
                        foreach (VectorAccess a in group)
                        {
                            w.Line($"logitSum{a.Accumulator} += {a.Load("x", "0")};");
                        }
                    }
                    : null,
                this.HasSmoothing
                    ? w =>
                    {
                        IReadOnlyList<string> sums = VectorLoopWriter.Names("logitSum", c.Unroll);
                        w.Line($"{c.M}.AddWidened(ref logitLow, ref logitHigh, {VectorLoopWriter.Tree(sums, static (a, b) => $"({a} + {b})")});");
                        foreach (string name in sums)
                        {
                            w.Line($"{name} = {c.Vec}.Zero;");
                        }
                    }
                    : null);
            writer.Line($"double maximum = {c.V}.ToScalar(rowMax);");
            writer.Line($"double logSum = {Math}.Log(sum);");
            writer.Line("double lse = maximum + logSum;");
            writer.Line($"double logit = {Unsafe}.Add(ref x, (nint)target);");
            if (this.HasSmoothing)
            {
                writer.Line($"double logitTotal = {c.M}.SumWidened(logitLow, logitHigh);");
            }

            writer.Line($"double loss = {this.LossFormula("logit", "logitTotal", "n")};");
            if (this.HasGradient)
            {
                writer.Line();
                writer.Line("// Pass 2: g_i = scale·((1 + 2c·LSE)·exp(x_i − m)/Σ − ε/K), read before written (the gradient may be the logits).");
                writer.Line($"{c.Vec} factor = {c.Splat($"({this.T})(scale * {this.ZFactor("lse")}(1.0 / sum))")};");
                string shift = this.HasSmoothing ? " - uniform" : string.Empty;
                if (this.HasSmoothing)
                {
                    writer.Line($"{c.Vec} uniform = {c.Splat($"({this.T})(scale * LabelSmoothing / n)")};");
                }

                c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
                {
                    foreach (VectorAccess a in group)
                    {
                        w.Line(a.Store($"({c.M}.ExpNonPositive({a.Load("x")} - rowMax) * factor){shift}", "g"));
                    }
                });
                this.WriteTargetGradient(writer, "n");
            }

            writer.Line("return loss;");
        }
    }

    // The target's gradient again in double: p_y − (1 − ε) would cancel in T when p_y is near 1.
    private void WriteTargetGradient(IndentedWriter writer, string n)
    {
        writer.Line("// The target's own gradient in double: p_y − (1 − ε) would lose its digits in the element type when p_y is near 1.");
        string target = this.HasSmoothing ? "(1 - LabelSmoothing)" : "1.0";
        string uniform = this.HasSmoothing ? $" - (LabelSmoothing / {n})" : string.Empty;
        writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(scale * (({this.ZFactor("lse")}{Math}.Exp((logit - maximum) - logSum)) - {target}{uniform}));");
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        string exp = this.Element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";
        writer.Line("// Scalar: the row's maximum; Σ exp(x − m) (and Σx) in double; then the gradient if asked for.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double ScalarRow({this.RowParameters})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"{this.T} maximum = {this.T}.NegativeInfinity;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"maximum = {Math}.Max(maximum, {Unsafe}.Add(ref x, i));");
            }

            writer.Line();
            writer.Line("global::KernelGen.Runtime.CompensatedSum exps = default;");
            if (this.HasSmoothing)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum logits = default;");
            }

            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"exps.Add({exp}({Unsafe}.Add(ref x, i) - maximum));");
                if (this.HasSmoothing)
                {
                    writer.Line($"logits.Add({Unsafe}.Add(ref x, i));");
                }
            }

            writer.Line();
            writer.Line("double sum = exps.Total(out _);");
            writer.Line($"double logSum = {Math}.Log(sum);");
            writer.Line("double lse = maximum + logSum;");
            writer.Line($"double logit = {Unsafe}.Add(ref x, (nint)target);");
            writer.Line($"double loss = {this.LossFormula("logit", "logits.Total(out _)", "n")};");
            if (this.HasGradient)
            {
                writer.Line($"{this.T} factor = ({this.T})(scale * {this.ZFactor("lse")}(1.0 / sum));");
                string shift = this.HasSmoothing ? " - uniform" : string.Empty;
                if (this.HasSmoothing)
                {
                    writer.Line($"{this.T} uniform = ({this.T})(scale * LabelSmoothing / n);");
                }

                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref g, i) = ({exp}({Unsafe}.Add(ref x, i) - maximum) * factor){shift};");
                }

                this.WriteTargetGradient(writer, "n");
            }

            writer.Line("return loss;");
        }
    }
}
