using System.Collections.Generic;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Writes a [SphericalZLoss] or [MultiMarginLoss] kernel inside the shell of <see cref="KernelFileWriter"/>. Both are
/// "statistics of the row, then a formula per element": the rows loop (ignored rows, the reduction) is shared, each
/// loss has its own row method per path (a statistics pass or two, then the gradient pass when there is a gradient),
/// and the double-precision reference.
/// </summary>
internal sealed class RowLossEmitter : IKernelRowWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string ScalarMath = "global::KernelGen.Runtime.ScalarMath";
    private readonly RowLossModel model;

    private RowLossEmitter(RowLossModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary
    {
        get
        {
            string kind = this.model.Kind switch
            {
                RowLossKind.SphericalZ => $"spherical Z-loss (A = {CSharpLiteral.Of(this.model.Parameter1)}, B = {CSharpLiteral.Of(this.model.Parameter2)})",
                RowLossKind.WestonWatkins => $"Weston–Watkins multi-class {(this.model.Squared ? "squared " : string.Empty)}hinge loss (Margin = {CSharpLiteral.Of(this.model.Parameter1)})",
                _ => $"Crammer–Singer multi-class {(this.model.Squared ? "squared " : string.Empty)}hinge loss (Margin = {CSharpLiteral.Of(this.model.Parameter1)})",
            };
            return kind + ", " + KernelFileWriter.ElementName(this.Element) + ", Reduction = " + this.model.Reduction
                + (this.HasClassWeights ? ", class weights" : string.Empty) + (this.HasGradient ? ", with the gradient" : ", forward only");
        }
    }

    private bool HasGradient => this.model.Signature.Has(ParameterRole.Gradient);

    private bool HasClassWeights => this.model.Signature.Has(ParameterRole.ClassWeights);

    private bool ManyRows => this.model.Signature.Shape == KernelShape.ManyRows;

    private bool IsZ => this.model.Kind == RowLossKind.SphericalZ;

    private bool Squared => this.model.Squared;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(RowLossModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new RowLossEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        ConstantWriter.WriteClassHeader(writer, this.model.Width, this.model.IgnoreIndex);
        if (this.IsZ)
        {
            ConstantWriter.Constant(writer, "a of the Z-loss softplus(a·(b − z_c))/a: its sharpness.", "A", this.model.Parameter1);
            ConstantWriter.Constant(writer, "b of the Z-loss softplus(a·(b − z_c))/a: where it bends, in standard deviations.", "B", this.model.Parameter2);
        }
        else
        {
            ConstantWriter.Constant(writer, $"m in the hinge max(0, m − z_y + z_k){(this.Squared ? "²" : string.Empty)}.", "Margin", this.model.Parameter1);
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
        if (!path.IsVector)
        {
            if (this.IsZ)
            {
                this.WriteScalarZRow(writer);
            }
            else
            {
                this.WriteScalarMarginRow(writer);
            }

            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        switch (this.model.Kind)
        {
            case RowLossKind.SphericalZ:
                this.WriteVectorZRow(writer, c);
                break;
            case RowLossKind.WestonWatkins:
                this.WriteVectorWestonWatkinsRow(writer, c);
                break;
            default:
                this.WriteVectorCrammerSingerRow(writer, c);
                break;
        }
    }

    // ----------------------------------------------------------------------------------- rows

    // The rows loop of a path (or of the reference): skips ignored rows (zero gradient) and reduces the row losses.
    // Mean divides by the rows that count, never by the class weights (PyTorch's MultiMarginLoss).
    private void WriteRows(IndentedWriter writer, string name, string row, bool reference)
    {
        KernelSignature s = this.model.Signature;
        bool mean = this.model.Reduction == ReductionKind.Mean;
        bool none = this.model.Reduction == ReductionKind.None;
        if (!reference)
        {
            writer.Line(KernelFileWriter.HotMethodAttribute);
        }

        using (writer.Block($"private static {KernelFileWriter.ReturnType(s)} {name}({KernelFileWriter.LocalParameters(s)})"))
        {
            string weights = !this.HasClassWeights ? string.Empty : reference ? ", classWeights" : $", ref {MemoryMarshal}.GetReference(classWeights)";
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
                writer.Line("// A batch of one row: its mean is its loss (the class weight is not a denominator).");
                string gradientArgument = !this.HasGradient ? string.Empty : reference ? ", gradient, 1.0" : $", ref {MemoryMarshal}.GetReference(gradient), 1.0";
                string logits = reference ? "input" : $"ref {MemoryMarshal}.GetReference(input)";
                string length = this.model.Width == 0 && !reference ? ", input.Length" : string.Empty;
                writer.Line($"return ({this.T}){row}({logits}{length}, target{weights}{gradientArgument});");
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
                writer.Line("// The mean divides by the rows that count (not by their class weights, as PyTorch's MultiMarginLoss); so does the gradient.");
                writer.Line("int counted = 0;");
                using (writer.Block("foreach (int t in targets)"))
                {
                    writer.Line("counted += t != IgnoreIndex ? 1 : 0;");
                }
            }

            if (!none)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum total = default;");
            }

            if (this.HasGradient)
            {
                writer.Line(mean ? "double scale = 1.0 / counted;" : "const double scale = 1.0;");
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                writer.Line("int target = targets[row];");
                using (writer.Block("if (target == IgnoreIndex)"))
                {
                    LossRowWriter.WriteSkippedRowEnd(writer, this.HasGradient, none);
                }

                writer.Line();
                string logits;
                string gradientArgument;
                if (reference)
                {
                    logits = "input.Slice(row * n, n)";
                    gradientArgument = this.HasGradient ? ", gradient.Slice(row * n, n), scale" : string.Empty;
                }
                else
                {
                    writer.Line("nint offset = (nint)row * n;");
                    logits = $"ref {Unsafe}.Add(ref x, offset)" + (this.model.Width == 0 ? ", n" : string.Empty);
                    gradientArgument = this.HasGradient ? $", ref {Unsafe}.Add(ref g, offset), scale" : string.Empty;
                }

                writer.Line($"double loss = {row}({logits}, target{weights}{gradientArgument});");
                writer.Line(none ? $"losses[row] = ({this.T})loss;" : "total.Add(loss);");
            }

            if (!none)
            {
                writer.Line(mean
                    ? $"return ({this.T})(total.Total(out _) / counted);   // 0/0 = NaN when no row counts, as PyTorch"
                    : $"return ({this.T})total.Total(out _);");
            }
        }
    }

    // A path's row: (ref T x[, nint n], int target[, ref T w][, ref T g, double scale]) → the row's loss (weighted) in double.
    private string RowParameters() => (this.model.Width == 0 ? $"ref {this.T} x, nint n, int target" : $"ref {this.T} x, int target")
        + (this.HasClassWeights ? $", ref {this.T} w" : string.Empty)
        + (this.HasGradient ? $", ref {this.T} g, double scale" : string.Empty);

    private void WriteRowHeader(IndentedWriter writer)
    {
        if (this.model.Width != 0)
        {
            writer.Line("const nint n = Width;");
        }
    }

    // w_y in double (1 without class weights), read before the gradient may overwrite anything.
    private string WeightDeclaration => this.HasClassWeights ? $"double weight = {Unsafe}.Add(ref w, (nint)target);" : "const double weight = 1.0;";

    // ----------------------------------------------------------------------------------- the Z-loss

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = $"global::System.ReadOnlySpan<{this.T}> x, int target"
            + (this.HasClassWeights ? $", global::System.ReadOnlySpan<{this.T}> w" : string.Empty)
            + (this.HasGradient ? $", global::System.Span<{this.T}> g, double scale" : string.Empty);
        if (this.IsZ)
        {
            this.WriteZReferenceRow(writer, parameters);
        }
        else
        {
            this.WriteMarginReferenceRow(writer, parameters);
        }
    }

    private void WriteZReferenceRow(IndentedWriter writer, string parameters)
    {
        writer.Line("// The textbook form in double with compensated sums: μ = Σo/K, σ² = Σ(o − μ)²/K, z = (o − μ)/σ, ℓ = softplus(a(b − z_c))/a.");
        if (this.HasGradient)
        {
            writer.Line("// ∂ℓ/∂o_k = scale·(−σ(a(b − z_c)))·(([k = c] − 1/K)/σ − z_c·z_k/(K·σ)), σ(·) the logistic sigmoid.");
        }

        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            writer.Line("int k = x.Length;");
            writer.Line("global::KernelGen.Runtime.CompensatedSum sum = default;");
            using (writer.Block("for (int i = 0; i < k; i++)"))
            {
                writer.Line("sum.Add(x[i]);");
            }

            writer.Line("double mean = sum.Total(out _) / k;");
            writer.Line("// The corrected two-pass form: the deviations' own mean is the rounding error of 'mean' (μ = mean + correction).");
            writer.Line("global::KernelGen.Runtime.CompensatedSum deviations = default, squares = default;");
            using (writer.Block("for (int i = 0; i < k; i++)"))
            {
                writer.Line("double d = x[i] - mean;");
                writer.Line("deviations.Add(d);");
                writer.Line("squares.Add(d * d);");
            }

            writer.Line("double correction = deviations.Total(out _) / k;");
            writer.Line($"double deviation = {Math}.Sqrt({Math}.Max((squares.Total(out _) / k) - (correction * correction), 0.0));   // 0 for a constant row: z = 0/0 = NaN");
            writer.Line("double z = ((x[target] - mean) - correction) / deviation;");
            writer.Line("double t = A * (B - z);");
            writer.Line($"double loss = {ScalarMath}.Softplus(t) / A;");
            if (this.HasGradient)
            {
                writer.Line($"double slope = scale * -{ScalarMath}.Sigmoid(t);   // scale·dℓ/dz_c");
                using (writer.Block("for (int i = 0; i < k; i++)"))
                {
                    writer.Line("double zi = ((x[i] - mean) - correction) / deviation;");
                    writer.Line($"g[i] = ({this.T})(slope * ((((i == target ? 1.0 : 0.0) - (1.0 / k)) / deviation) - (z * zi / (k * deviation))));");
                }
            }

            writer.Line("return loss;");
        }
    }

    private void WriteScalarZRow(IndentedWriter writer)
    {
        writer.Line("// Scalar, in double: the mean; the variance about it; then the gradient if asked for.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double ScalarRow({this.RowParameters()})"))
        {
            this.WriteRowHeader(writer);
            writer.Line("global::KernelGen.Runtime.CompensatedSum sum = default;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"sum.Add({Unsafe}.Add(ref x, i));");
            }

            writer.Line("double mean = sum.Total(out _) / n;");
            writer.Line("// The corrected two-pass form: the deviations' own mean is the rounding error of 'mean' (μ = mean + centerLow).");
            writer.Line("global::KernelGen.Runtime.CompensatedSum deviations = default, squares = default;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"double d = {Unsafe}.Add(ref x, i) - mean;");
                writer.Line("deviations.Add(d);");
                writer.Line("squares.Add(d * d);");
            }

            writer.Line("double centerLow = deviations.Total(out _) / n;");
            writer.Line($"double deviation = {Math}.Sqrt({Math}.Max((squares.Total(out _) / n) - (centerLow * centerLow), 0.0));");
            writer.Line($"double z = (({Unsafe}.Add(ref x, (nint)target) - mean) - centerLow) / deviation;");
            this.WriteZLossAndFactors(writer, "centerLow");
            if (this.HasGradient)
            {
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref g, i) = ({this.T})(intercept + (slope * ({Unsafe}.Add(ref x, i) - mean)));");
                }

                this.WriteZTargetGradient(writer);
            }

            writer.Line("return loss;");
        }
    }

    // From z (z_c), deviation (σ) and 'low' (μ − center): the loss and, with a gradient, g_k = intercept + slope·(o_k − center).
    private void WriteZLossAndFactors(IndentedWriter writer, string low)
    {
        writer.Line("double t = A * (B - z);");
        writer.Line($"double loss = {ScalarMath}.Softplus(t) / A;");
        if (!this.HasGradient)
        {
            return;
        }

        writer.Line("// g_k = s/(Kσ)·(1 + z_c·z_k) − [k = c]·s/σ with s = scale·σ(a(b − z_c)): affine in o_k, written as");
        writer.Line("// intercept + slope·(o_k − center), then the target's own element again in double.");
        writer.Line($"double s = scale * {ScalarMath}.Sigmoid(t);");
        writer.Line("double common = s / (n * deviation);");
        writer.Line("double slope = common * z / deviation;");
        writer.Line($"double intercept = common - (slope * {low});");
    }

    private void WriteZTargetGradient(IndentedWriter writer)
    {
        writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})((common * (1 + (z * z))) - (s / deviation));");
    }

    private void WriteVectorZRow(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line(this.HasGradient
            ? "// Three passes: Σ(o − o_0); Σ(o − μ)² about the mean; the gradient, affine in o. Unroll " + c.Unroll + "."
            : "// Two passes: Σ(o − o_0); Σ(o − μ)² about the mean. Unroll " + c.Unroll + ".");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters()})"))
        {
            this.WriteRowHeader(writer);
            writer.Line("nint i;");
            writer.Line("// Pass 1: Σ(o − k) with k = o[0]: the terms are as small as the row's spread, so a row with mean 1e4 and");
            writer.Line("// variance 1 keeps its low digits. Lanes past the row hold k (they add 0).");
            MomentsWriter.WriteOffsetSumPass(writer, c, this.T, prefetch: "x");
            writer.Line("// μ = meanHigh + meanLow: meanHigh the nearest T to μ, meanLow the rest in double (LayerNorm's mean: a row's");
            writer.Line("// mean of 1e4 would otherwise carry an error of 1e4·u into every z).");
            MomentsWriter.WriteMean(writer, this.Element == ElementType.Double, $"{c.M}.SumWidened(wideLow, wideHigh", "n");
            writer.Line();
            writer.Line("// Pass 2: Σ(o − meanHigh)², then σ² as LayerNorm's. Lanes past the row hold meanHigh.");
            MomentsWriter.WriteCenteredSquaresPass(writer, c, "centerVector");
            MomentsWriter.WriteVariance(writer, $"{c.M}.SumWidened(wideLow, wideHigh)", "n");
            writer.Line($"double deviation = {Math}.Sqrt(variance);   // 0 for a constant row: z = 0/0 = NaN");
            writer.Line($"double z = (((double){Unsafe}.Add(ref x, (nint)target) - meanHigh) - meanLow) / deviation;");
            this.WriteZLossAndFactors(writer, "meanLow");
            if (this.HasGradient)
            {
                writer.Line();
                writer.Line("// Pass 3: g = (o − meanHigh)·slope + intercept, read before written (the gradient may be the logits).");
                writer.Line($"{c.Vec} slopeVector = {c.Splat($"({this.T})slope")}, interceptVector = {c.Splat($"({this.T})intercept")};");
                c.WritePass(writer, "meanHigh", (w, group) =>
                {
                    foreach (VectorAccess a in group)
                    {
                        w.Line(a.Store($"{c.M}.MultiplyAdd({a.Load("x")} - centerVector, slopeVector, interceptVector)", "g"));
                    }
                });
                writer.Line("// The target's own element in double: (1 + z_c²)/K − 1 would lose digits in the element type.");
                this.WriteZTargetGradient(writer);
            }

            writer.Line("return loss;");
        }
    }

    // ----------------------------------------------------------------------------------- the hinge losses

    private string Power(string h) => this.Squared ? $"{h} * {h}" : h;

    private void WriteMarginReferenceRow(IndentedWriter writer, string parameters)
    {
        string w = this.HasClassWeights ? "w[target]" : "1.0";
        bool ww = this.model.Kind == RowLossKind.WestonWatkins;
        string p = this.Squared ? "²" : string.Empty;
        writer.Line(ww
            ? $"// The textbook form in double: h_k = (z_k − z_y) + m, ℓ = w_y·Σ_{{k≠y}} max(0, h_k){p} / K (PyTorch's multi_margin_loss)."
            : $"// The textbook form in double: h_k = (z_k − z_y) + m, ℓ = w_y·max(0, max_{{k≠y}} h_k){p}, the first k on a tie.");
        if (this.HasGradient)
        {
            writer.Line(ww
                ? $"// ∂ℓ/∂z_k = scale·w_y/K·{(this.Squared ? "2h_k" : "1")} where h_k > 0 (k ≠ y, 0 at h_k = 0 as PyTorch), ∂ℓ/∂z_y = −Σ_{{k≠y}} ∂ℓ/∂z_k."
                : $"// ∂ℓ/∂z_r = scale·w_y·{(this.Squared ? "2h_r" : "1")} = −∂ℓ/∂z_y at the strongest other class r when h_r > 0, 0 elsewhere.");
        }

        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            writer.Line("int k = x.Length;");
            writer.Line($"double weight = {w};");
            writer.Line("double targetLogit = x[target];   // read before the gradient may overwrite it");
            if (ww)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum hinges = default;");
                if (this.HasGradient)
                {
                    writer.Line("global::KernelGen.Runtime.CompensatedSum targetGradient = default;");
                }

                using (writer.Block("for (int i = 0; i < k; i++)"))
                {
                    writer.Line("double h = (x[i] - targetLogit) + Margin;");
                    using (writer.Block("if (i == target)"))
                    {
                        writer.Line("continue;");
                    }

                    writer.Line($"double hinge = {Math}.Max(0.0, h);");
                    writer.Line($"hinges.Add({this.Power("hinge")});");
                    if (this.HasGradient)
                    {
                        writer.Line($"double gi = h > 0 ? scale * weight / k * {(this.Squared ? "2 * h" : "1.0")} : 0.0;");
                        writer.Line($"g[i] = ({this.T})gi;");
                        writer.Line("targetGradient.Add(-gi);");
                    }
                }

                if (this.HasGradient)
                {
                    writer.Line($"g[target] = ({this.T})targetGradient.Total(out _);");
                }

                writer.Line("return weight * hinges.Total(out _) / k;");
            }
            else
            {
                writer.Line("int rival = -1;   // the strongest other class, the first on a tie");
                using (writer.Block("for (int i = 0; i < k; i++)"))
                {
                    using (writer.Block("if (i != target && (rival < 0 || x[i] > x[rival]))"))
                    {
                        writer.Line("rival = i;");
                    }
                }

                writer.Line("double h = rival < 0 ? double.NegativeInfinity : (x[rival] - targetLogit) + Margin;   // one class: no other, no hinge");
                writer.Line($"double hinge = {Math}.Max(0.0, h);");
                if (this.HasGradient)
                {
                    writer.Line("g.Clear();");
                    using (writer.Block("if (h > 0)"))
                    {
                        writer.Line($"double d = scale * weight * {(this.Squared ? "2 * h" : "1.0")};");
                        writer.Line($"g[rival] = ({this.T})d;");
                        writer.Line($"g[target] = ({this.T})(-d);");
                    }
                }

                writer.Line($"return weight * {this.Power("hinge")};");
            }
        }
    }

    private void WriteScalarMarginRow(IndentedWriter writer)
    {
        bool ww = this.model.Kind == RowLossKind.WestonWatkins;
        writer.Line(ww
            ? "// Scalar, in double: the hinges of the other classes; then the gradient if asked for."
            : "// Scalar, in double: the strongest other class (the first on a tie) and its hinge; then the gradient if asked for.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double ScalarRow({this.RowParameters()})"))
        {
            this.WriteRowHeader(writer);
            writer.Line(this.WeightDeclaration);
            writer.Line($"double targetLogit = {Unsafe}.Add(ref x, (nint)target);   // read before the gradient may overwrite it");
            if (ww)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum hinges = default;");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    using (writer.Block("if (i != target)"))
                    {
                        writer.Line($"double hinge = {Math}.Max(0.0, ({Unsafe}.Add(ref x, i) - targetLogit) + Margin);");
                        writer.Line($"hinges.Add({this.Power("hinge")});");
                    }
                }

                if (this.HasGradient)
                {
                    writer.Line("double factor = scale * weight / n;");
                    writer.Line("global::KernelGen.Runtime.CompensatedSum targetGradient = default;");
                    using (writer.Block("for (nint i = 0; i < n; i++)"))
                    {
                        writer.Line($"double h = ({Unsafe}.Add(ref x, i) - targetLogit) + Margin;");
                        writer.Line($"double gi = i != target && h > 0 ? factor * {(this.Squared ? "2 * h" : "1.0")} : 0.0;");
                        writer.Line($"{Unsafe}.Add(ref g, i) = ({this.T})gi;");
                        writer.Line("targetGradient.Add(-gi);");
                    }

                    writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})targetGradient.Total(out _);");
                }

                writer.Line("return weight * hinges.Total(out _) / n;");
            }
            else
            {
                writer.Line("nint rival = -1;");
                writer.Line($"{this.T} strongest = {this.T}.NegativeInfinity;");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{this.T} v = {Unsafe}.Add(ref x, i);");
                    using (writer.Block("if (i != target && (rival < 0 || v > strongest))"))
                    {
                        writer.Line("rival = i;");
                        writer.Line("strongest = v;");
                    }
                }

                this.WriteCrammerSingerEnd(writer, "strongest", searched: true);
            }
        }
    }

    // From the strongest other score (and, when searched, its index 'rival'): the loss and the two gradient elements.
    private void WriteCrammerSingerEnd(IndentedWriter writer, string strongest, bool searched)
    {
        writer.Line($"double h = ((double){strongest} - targetLogit) + Margin;   // −∞ with one class: no other, no hinge");
        writer.Line($"double hinge = {Math}.Max(0.0, h);");
        if (this.HasGradient)
        {
            if (!searched)
            {
                writer.Line("// Its index, the first on a tie, before the gradient may overwrite the logits: only when the hinge is active.");
                writer.Line("nint rival = -1;");
                using (writer.Block("if (h > 0)"))
                {
                    using (writer.Block("for (nint k = 0; k < n; k++)"))
                    {
                        using (writer.Block($"if ({Unsafe}.Add(ref x, k) == {strongest} && k != target)"))
                        {
                            writer.Line("rival = k;");
                            writer.Line("break;");
                        }
                    }
                }
            }

            writer.Line($"{MemoryMarshal}.CreateSpan(ref g, (int)n).Clear();");
            using (writer.Block("if (h > 0)"))
            {
                writer.Line($"double d = scale * weight * {(this.Squared ? "2 * h" : "1.0")};");
                writer.Line($"{Unsafe}.Add(ref g, rival) = ({this.T})d;");
                writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(-d);");
            }
        }

        writer.Line($"return weight * {this.Power("hinge")};");
    }

    private void WriteVectorWestonWatkinsRow(IndentedWriter writer, VectorLoopWriter c)
    {
        string p = this.Squared ? "²" : string.Empty;
        writer.Line(this.HasGradient
            ? $"// Two passes: Σ max(0, h){p} over every class (and what the target's gradient needs), h = (z − z_y) + m; then the gradient."
            : $"// One pass: Σ max(0, h){p} over every class, h = (z − z_y) + m; the target's own term (max(0, m){p}) is taken back out.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters()})"))
        {
            this.WriteRowHeader(writer);
            writer.Line("nint i;");
            writer.Line(this.WeightDeclaration);
            writer.Line($"{this.T} targetLogit = {Unsafe}.Add(ref x, (nint)target);   // read before the gradient may overwrite it");
            writer.Line($"{c.Vec} targetVector = {c.Splat("targetLogit")}, margin = {c.Splat($"({this.T})Margin")};");
            writer.Line("// z − z_y is exact when z is near z_y (Sterbenz), so the hinges of close scores keep their digits.");
            c.WriteSumDeclarations(writer);
            if (this.HasGradient)
            {
                writer.Line(this.Squared ? "// And Σ max(0, h), for the target's gradient." : "// And the count of active hinges (h > 0), for the target's gradient.");
                c.WriteSumDeclarations(writer, "active", wide: "activeWide", comment: false);
            }

            string Hinge(VectorLoopWriter v, VectorAccess a, string h) => a.InRow(v, $"{v.M}.Max({h}, {v.Vec}.Zero)", $"{v.Vec}.Zero");
            c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} h{a.Accumulator} = ({a.Load("x")} - targetVector) + margin;");
                }

                foreach (VectorAccess a in group)
                {
                    // Lanes past the row give 0 whatever the fill became (−∞ − z_y may be NaN).
                    string hinge = Hinge(c, a, $"h{a.Accumulator}");
                    if (this.Squared)
                    {
                        w.Line($"{c.Vec} v{a.Accumulator} = {hinge};");
                        w.Line($"sum{a.Accumulator} = {c.M}.MultiplyAdd(v{a.Accumulator}, v{a.Accumulator}, sum{a.Accumulator});");
                        if (this.HasGradient)
                        {
                            w.Line($"active{a.Accumulator} += v{a.Accumulator};");
                        }
                    }
                    else
                    {
                        w.Line($"sum{a.Accumulator} += {hinge};");
                        if (this.HasGradient)
                        {
                            w.Line($"active{a.Accumulator} += {a.InRow(c, $"{c.V}.ConditionalSelect({c.V}.GreaterThan(h{a.Accumulator}, {c.Vec}.Zero), {c.Vec}.One, {c.Vec}.Zero)", $"{c.Vec}.Zero")};");
                        }
                    }
                }
            }, w =>
            {
                c.WriteSumFlush(w);
                if (this.HasGradient)
                {
                    c.WriteSumFlush(w, "active", "activeWide");
                }
            }, prefetch: "x");
            writer.Line($"double self = {Math}.Max(({this.T})Margin, 0.0);   // the target's own lane: h_y = (z_y − z_y) + m = m exactly");
            writer.Line($"double loss = weight * ({c.M}.SumWidened(wideLow, wideHigh) - ({this.Power("self")})) / n;");
            if (this.HasGradient)
            {
                writer.Line();
                writer.Line($"// Pass 2: g_k = {(this.Squared ? "2·factor·max(0, h_k)" : "factor·[h_k > 0]")}, factor = scale·w_y/K, read before written (the gradient may be the logits).");
                writer.Line("double factor = scale * weight / n;");
                writer.Line($"{c.Vec} on = {c.Splat($"({this.T})({(this.Squared ? "2 * factor" : "factor")})")};");
                c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
                {
                    foreach (VectorAccess a in group)
                    {
                        string h = $"({a.Load("x")} - targetVector) + margin";
                        w.Line(a.Store(this.Squared
                            ? $"{c.M}.Max({h}, {c.Vec}.Zero) * on"
                            : $"{c.V}.ConditionalSelect({c.V}.GreaterThan({h}, {c.Vec}.Zero), on, {c.Vec}.Zero)", "g"));
                    }
                });
                writer.Line("// The target's own element: −Σ_{k≠y} g_k, from the first pass's sums less the target's own lane.");
                writer.Line(this.Squared
                    ? $"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(-2 * factor * ({c.M}.SumWidened(activeWideLow, activeWideHigh) - self));"
                    : $"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(-factor * ({c.M}.SumWidened(activeWideLow, activeWideHigh) - (self > 0 ? 1 : 0)));");
            }

            writer.Line("return loss;");
        }
    }

    private void WriteVectorCrammerSingerRow(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line("// One pass keeps the two largest scores of each lane (a multiset: a tie keeps both), so the largest score but the");
        writer.Line("// target's is the second largest when the target's score is the largest, else the largest; no index is tracked.");
        if (this.HasGradient)
        {
            writer.Line("// With an active hinge, the gradient's two elements go to the target and to the first class holding that score.");
        }

        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters()})"))
        {
            this.WriteRowHeader(writer);
            writer.Line("nint i;");
            writer.Line(this.WeightDeclaration);
            writer.Line($"{this.T} targetLogit = {Unsafe}.Add(ref x, (nint)target);   // read before the gradient may overwrite it");
            IReadOnlyList<string> firsts = VectorLoopWriter.Names("largest", c.Unroll), seconds = VectorLoopWriter.Names("second", c.Unroll);
            for (int u = 0; u < c.Unroll; u++)
            {
                writer.Line($"{c.Vec} {firsts[u]} = {c.Splat($"{this.T}.NegativeInfinity")}, {seconds[u]} = {firsts[u]};");
            }

            c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    int u = a.Accumulator;
                    w.Line($"{c.Vec} v{u} = {a.Load("x")};");
                    w.Line($"{seconds[u]} = {c.M}.Max({seconds[u]}, {c.M}.Min({firsts[u]}, v{u}));");
                    w.Line($"{firsts[u]} = {c.M}.Max({firsts[u]}, v{u});");
                }
            }, prefetch: "x");
            for (int u = 1; u < c.Unroll; u++)
            {
                writer.Line($"second0 = {c.M}.Max({c.M}.Max(second0, {seconds[u]}), {c.M}.Min(largest0, {firsts[u]}));");
                writer.Line($"largest0 = {c.M}.Max(largest0, {firsts[u]});");
            }

            writer.Line("// Across the lanes: the two largest of the lanes' pairs.");
            writer.Line($"{this.T} best = {this.T}.NegativeInfinity, next = {this.T}.NegativeInfinity;");
            using (writer.Block($"for (int lane = 0; lane < {c.Vec}.Count; lane++)"))
            {
                writer.Line($"{this.T} a = {c.V}.GetElement(largest0, lane), b = {c.V}.GetElement(second0, lane);");
                writer.Line($"next = {Math}.Max(next, {Math}.Max(b, {Math}.Min(best, a)));");
                writer.Line($"best = {Math}.Max(best, a);");
            }

            writer.Line($"{this.T} strongest = targetLogit == best ? next : best;");
            this.WriteCrammerSingerEnd(writer, "strongest", searched: false);
        }
    }
}
