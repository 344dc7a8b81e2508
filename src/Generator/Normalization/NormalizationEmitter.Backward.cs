using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// The backward kernels (<c>Backward = true</c>): the vector-Jacobian products of [LayerNorm], [RmsNorm]
/// and [L2Normalize]. The statistics are recomputed from the input with the forward kernel's passes
/// (the same shifted sums, the same double-double mean), so no saved mean or 1/σ is needed and a row
/// with mean 1e4 and variance 1 keeps its precision. Rows are always walked by loops (a fixed Width
/// makes n a constant; no row is kept in registers).
/// </summary>
internal sealed partial class NormalizationEmitter
{
    private bool HasWeightGradient => this.model.Signature.Has(ParameterRole.WeightGradient);

    private bool HasBiasGradient => this.model.Signature.Has(ParameterRole.BiasGradient);

    private string BackwardSummary => this.IsLayer
        ? "backward of the layer normalization: dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) with g = " + (this.HasWeight ? "γ ⊙ dy" : "dy")
            + (this.HasWeightGradient ? ", dγ += dy ⊙ x̂" : string.Empty) + (this.HasBiasGradient ? ", dβ += dy" : string.Empty)
        : this.IsL2 ? "backward of the L2 normalization: dx = (dy − ŷ·Σ(dy·ŷ))/‖x‖, or dy/ε when ‖x‖ < ε"
        : "backward of the RMS normalization: dx = r·(g − x̂·mean(g·x̂)) with r = 1/sqrt(mean(x²) + ε), x̂ = x·r, g = "
            + (this.HasWeight ? (this.HasOffset ? "(γ + offset) ⊙ dy" : "γ ⊙ dy") : "dy") + (this.HasWeightGradient ? ", dγ += dy ⊙ x̂" : string.Empty);

    /// <summary>The gradient g that flows into x̂ from one vector (or value) of dy and of γ.</summary>
    private string Gradient(string dy, string weight) =>
        !this.HasWeight ? dy : this.HasOffset ? $"{dy} * ({weight} + weightOffset)" : $"{dy} * {weight}";

    private void WriteBackwardRow(IndentedWriter writer, PathInfo path)
    {
        if (!path.IsVector)
        {
            this.WriteBackwardScalarRow(writer);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        bool fixedWidth = this.model.Width != 0;
        writer.Line(this.IsLayer
            ? $"// Three passes over the row: the mean and the variance (a second pass about the mean when the first vector is far from it); Σg and Σg·x̂; the gradients. Unroll {c.Unroll}."
            : $"// Three passes over the row: Σx² (as the forward kernel); Σg·x; the gradients. Unroll {c.Unroll}.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            if (this.IsLayer)
            {
                this.WriteLayerBackwardBody(writer, c);
            }
            else
            {
                this.WriteRmsBackwardBody(writer, c);
            }
        }
    }

    private void WriteLayerBackwardBody(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line();
        writer.Line("// Pass 1: Σ(x − k) and Σ(x − k)² with k the mean of the row's first vector, as the forward's vector rows:");
        writer.Line("// a row with mean 1e4 and variance 1 keeps its low digits.");
        MomentsWriter.WriteShiftedMomentsPass(writer, c, this.IsDouble, new[] { "x" }, a => a.Load("x"));
        MomentsWriter.WriteShiftedVariance(writer, c, this.IsDouble, "center");
        writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})inverseDeviation")};");
        writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})(-meanLow * inverseDeviation)")};");
        this.WriteAffineDeclarations(writer, c);

        writer.Line();
        writer.Line($"// Next pass: Σg and Σg·x̂ with g = {(this.HasWeight ? "γ·dy" : "dy")} and x̂ = (x − a)·(1/σ) − (μ − a)/σ (as the forward's output).");
        writer.Line("// Lanes past the row hold dy = 0, so they add 0 to both sums.");
        c.WriteSumDeclarations(writer, "gradient", wide: "gradientWide");
        c.WriteSumDeclarations(writer, "product", wide: "productWide", comment: false);
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} n{a.Accumulator} = {c.M}.MultiplyAdd({a.Load("x", "meanHigh")} - center, scale, shift);");
            }

            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} g{a.Accumulator} = {this.Gradient(a.Load("dy"), a.Load("w"))};");
            }

            foreach (VectorAccess a in group)
            {
                w.Line($"gradient{a.Accumulator} += g{a.Accumulator};");
                w.Line($"product{a.Accumulator} = {c.M}.MultiplyAdd(g{a.Accumulator}, n{a.Accumulator}, product{a.Accumulator});");
            }
        }, w =>
        {
            c.WriteSumFlush(w, "gradient", "gradientWide");
            c.WriteSumFlush(w, "product", "productWide");
        });
        writer.Line("// dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) = (1/σ)·g + (x̂·slope + intercept): the two constants in double, rounded once.");
        writer.Line($"double gradientMean = {c.M}.SumWidened(gradientWideLow, gradientWideHigh) / n;");
        writer.Line($"double productMean = {c.M}.SumWidened(productWideLow, productWideHigh) / n;");
        writer.Line($"{c.Vec} intercept = {c.Splat($"({this.T})(-inverseDeviation * gradientMean)")};");
        writer.Line($"{c.Vec} slope = {c.Splat($"({this.T})(-inverseDeviation * productMean)")};");

        writer.Line();
        writer.Line($"// Last pass: dx{(this.HasWeightGradient ? ", dγ += dy·x̂" : string.Empty)}{(this.HasBiasGradient ? ", dβ += dy" : string.Empty)}. Each vector of dy is read before dx is written there (they may be one span).");
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} n{a.Accumulator} = {c.M}.MultiplyAdd({a.Load("x", "meanHigh")} - center, scale, shift);");
                w.Line($"{c.Vec} d{a.Accumulator} = {a.Load("dy")};");
            }

            foreach (VectorAccess a in group)
            {
                string u = a.Accumulator.ToString(System.Globalization.CultureInfo.InvariantCulture);
                w.Line(a.Store($"{c.M}.MultiplyAdd({this.Gradient("d" + u, a.Load("w"))}, scale, {c.M}.MultiplyAdd(n{u}, slope, intercept))", "dx"));
                if (this.HasWeightGradient)
                {
                    w.Line(a.Store($"{c.M}.MultiplyAdd(d{u}, n{u}, {a.Load("dw")})", "dw"));
                }

                if (this.HasBiasGradient)
                {
                    w.Line(a.Store($"{a.Load("db")} + d{u}", "db"));
                }
            }
        });
    }

    private void WriteRmsBackwardBody(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line();
        writer.Line("// Pass 1: Σx², as the forward kernel.");
        c.WriteSumDeclarations(writer, "square");
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} v{a.Accumulator} = {a.Load("x")};");
            }

            foreach (VectorAccess a in group)
            {
                w.Line($"square{a.Accumulator} = {c.M}.MultiplyAdd(v{a.Accumulator}, v{a.Accumulator}, square{a.Accumulator});");
            }
        }, w => c.WriteSumFlush(w, "square"));
        writer.Line($"double squares = {c.M}.SumWidened(wideLow, wideHigh);");
        writer.Line($"double inverseScale = {this.InverseScale("squares", "n")};");
        this.WriteAffineDeclarations(writer, c);

        writer.Line();
        writer.Line($"// Pass 2: Σg·x with g = {this.GradientText}.");
        c.WriteSumDeclarations(writer, "product", declareWide: false);
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"product{a.Accumulator} = {c.M}.MultiplyAdd({this.Gradient(a.Load("dy"), a.Load("w"))}, {a.Load("x")}, product{a.Accumulator});");
            }
        }, w => c.WriteSumFlush(w, "product"));
        writer.Line($"double product = {c.M}.SumWidened(wideLow, wideHigh);");
        this.WriteSlope(writer, "squares");
        writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})inverseScale")};");
        writer.Line($"{c.Vec} negativeSlope = {c.Splat($"({this.T})(-slope)")};");

        writer.Line();
        writer.Line($"// Pass 3: dx = {this.ScaleText}·g − x·slope{(this.HasWeightGradient ? ", dγ += dy·(x·r)" : string.Empty)}. Each vector of dy is read before dx is written there (they may be one span).");
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} v{a.Accumulator} = {a.Load("x")};");
                w.Line($"{c.Vec} d{a.Accumulator} = {a.Load("dy")};");
            }

            foreach (VectorAccess a in group)
            {
                string u = a.Accumulator.ToString(System.Globalization.CultureInfo.InvariantCulture);
                w.Line(a.Store($"{c.M}.MultiplyAdd(v{u}, negativeSlope, ({this.Gradient("d" + u, a.Load("w"))}) * scale)", "dx"));
                if (this.HasWeightGradient)
                {
                    w.Line(a.Store($"{c.M}.MultiplyAdd(d{u}, v{u} * scale, {a.Load("dw")})", "dw"));
                }
            }
        });
    }

    private string GradientText => !this.HasWeight ? "dy" : this.HasOffset ? "(γ + offset)·dy" : "γ·dy";

    private string ScaleText => this.IsL2 ? "s" : "r";

    // The factor of x in dx, in double. RmsNorm: r = 1/sqrt(Σx²/n + ε), dx = r·(g − x̂·mean(g·x̂)) = r·g − x·(r³·Σ(g·x)/n).
    // L2Normalize: s = 1/max(‖x‖, ε); where ‖x‖ ≥ ε, dx = s·g − x·s³·Σ(g·x); below ε, y = x/ε is linear and dx = g/ε.
    // The product is multiplied by r first, so that r³ never forms on its own (it overflows for rows of tiny values).
    private void WriteSlope(IndentedWriter writer, string squares)
    {
        writer.Line(this.IsL2
            ? "// dx = s·g − x·slope with slope = s³·Σ(g·x) where ‖x‖ ≥ ε, else 0 (y = x/ε is linear); Σ(g·x) multiplied by s first, so s³ never forms alone."
            : "// dx = r·g − x·slope with slope = r³·Σ(g·x)/n; Σ(g·x) multiplied by r first, so r³ never forms alone (it overflows for tiny rows).");
        writer.Line(this.IsL2
            ? $"double slope = {Math}.Sqrt({squares}) >= Epsilon ? product * inverseScale * inverseScale * inverseScale : 0.0;"
            : "double slope = product * inverseScale * inverseScale * inverseScale / n;");
    }

    // ---------------------------------------------------------------- scalar

    private void WriteBackwardScalarRow(IndentedWriter writer)
    {
        bool fixedWidth = this.model.Width != 0;
        string X = $"{Unsafe}.Add(ref x, i)";
        string weight = !this.HasWeight ? string.Empty : this.HasOffset ? $" * ({Unsafe}.Add(ref w, i) + (double)WeightOffset)" : $" * {Unsafe}.Add(ref w, i)";
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

            if (this.IsLayer)
            {
                writer.Line($"{this.T} first = x;");
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
                writer.Line();
                this.WriteScalarSumDeclaration(writer, "gradients");
                this.WriteScalarSumDeclaration(writer, "products");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double normalized = (((double){X} - meanHigh) - meanLow) * inverseDeviation;");
                    writer.Line($"double g = (double){Unsafe}.Add(ref dy, i){weight};");
                    writer.Line(this.IsDouble ? "gradients.Add(g);" : "gradients += g;");
                    writer.Line(this.IsDouble ? "products.Add(g * normalized);" : "products += g * normalized;");
                }

                writer.Line($"double gradientMean = {(this.IsDouble ? "gradients.Total(out _)" : "gradients")} / n;");
                writer.Line($"double productMean = {(this.IsDouble ? "products.Total(out _)" : "products")} / n;");
                writer.Line("// dy is read before dx is written (they may be one span).");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double normalized = (((double){X} - meanHigh) - meanLow) * inverseDeviation;");
                    writer.Line($"double d = {Unsafe}.Add(ref dy, i);");
                    writer.Line($"double g = d{weight};");
                    writer.Line($"{Unsafe}.Add(ref dx, i) = ({this.T})(inverseDeviation * (g - gradientMean - (normalized * productMean)));");
                    this.WriteScalarParameterGradients(writer, "normalized");
                }
            }
            else
            {
                this.WriteScalarSum(writer, "squares", X, square: true);
                writer.Line($"double squareSum = {(this.IsDouble ? "squares.Total(out _)" : "squares")};");
                writer.Line($"double inverseScale = {this.InverseScale("squareSum", "n")};");
                this.WriteScalarSumDeclaration(writer, "products");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double g = (double){Unsafe}.Add(ref dy, i){weight};");
                    writer.Line(this.IsDouble ? $"products.Add(g * {X});" : $"products += g * {X};");
                }

                writer.Line($"double product = {(this.IsDouble ? "products.Total(out _)" : "products")};");
                this.WriteSlope(writer, "squareSum");
                writer.Line("// dy is read before dx is written (they may be one span).");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double value = {X};");
                    writer.Line($"double d = {Unsafe}.Add(ref dy, i);");
                    writer.Line($"{Unsafe}.Add(ref dx, i) = ({this.T})((d{weight} * inverseScale) - (value * slope));");
                    if (this.HasWeightGradient)
                    {
                        writer.Line("double normalized = value * inverseScale;");
                        this.WriteScalarParameterGradients(writer, "normalized");
                    }
                }
            }
        }
    }

    private void WriteScalarSumDeclaration(IndentedWriter writer, string name) =>
        writer.Line(this.IsDouble ? $"global::KernelGen.Runtime.CompensatedSum {name} = default;" : $"double {name} = 0;");

    // dγ += dy·x̂ and dβ += dy, each rounded once per row ('d' holds dy_i).
    private void WriteScalarParameterGradients(IndentedWriter writer, string normalized)
    {
        if (this.HasWeightGradient)
        {
            writer.Line($"{Unsafe}.Add(ref dw, i) = ({this.T})({Unsafe}.Add(ref dw, i) + (d * {normalized}));");
        }

        if (this.HasBiasGradient)
        {
            writer.Line($"{Unsafe}.Add(ref db, i) = ({this.T})({Unsafe}.Add(ref db, i) + d);");
        }
    }

    // ---------------------------------------------------------------- reference

    private void WriteBackwardReferenceRow(IndentedWriter writer)
    {
        string parameters = string.Join(", ", this.Spans.Select(p =>
            (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName));
        string weight = !this.HasWeight ? string.Empty : this.HasOffset ? " * (w[i] + (double)WeightOffset)" : " * w[i]";
        writer.Line(this.IsLayer
            ? "// μ and σ² as the forward Reference; then, with x̂ = (x − μ)/sqrt(σ² + ε) and g = " + (this.HasWeight ? "γ·dy" : "dy") + ":"
            : this.IsL2
            ? "// s = 1/max(‖x‖, ε), ŷ = x·s, g = dy:"
            : "// r = 1/sqrt(Σx²/n + ε), x̂ = x·r, g = " + this.GradientText + ":");
        writer.Line(this.IsLayer
            ? "// dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂))" + (this.HasWeightGradient ? ", dγ += dy·x̂" : string.Empty) + (this.HasBiasGradient ? ", dβ += dy" : string.Empty) + "; compensated sums, in double."
            : this.IsL2
            ? "// dx = s·(g − ŷ·Σ(g·ŷ)) where ‖x‖ ≥ ε, else s·g (y = x/ε is linear there); compensated sums, in double."
            : "// dx = r·(g − x̂·mean(g·x̂))" + (this.HasWeightGradient ? ", dγ += dy·x̂" : string.Empty) + "; compensated sums, in double.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            writer.Line("int n = x.Length;");
            if (this.IsLayer)
            {
                writer.Line("if (n == 0)");
                writer.Line("{");
                writer.Line("    return;");
                writer.Line("}");
                writer.Line();
                writer.Line("double first = x[0];");
                writer.Line("global::KernelGen.Runtime.CompensatedSum sum = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("sum.Add(x[i] - first);");
                }

                writer.Line("double offsetSum = sum.Total(out double offsetSumLow);");
                MomentsWriter.WriteDoubleDoubleMean(writer, "n");
                writer.Line("global::KernelGen.Runtime.CompensatedSum squares = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("double deviation = (x[i] - meanHigh) - meanLow;");
                    writer.Line("squares.Add(deviation * deviation);");
                }

                writer.Line("double variance = squares.Total(out _) / n;");
                writer.Line($"double inverseDeviation = 1.0 / {Math}.Sqrt(variance + Epsilon);");
                writer.Line();
                writer.Line("global::KernelGen.Runtime.CompensatedSum gradients = default, products = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("double normalized = ((x[i] - meanHigh) - meanLow) * inverseDeviation;");
                    writer.Line($"double g = (double)dy[i]{weight};");
                    writer.Line("gradients.Add(g);");
                    writer.Line("products.Add(g * normalized);");
                }

                writer.Line("double gradientMean = gradients.Total(out _) / n;");
                writer.Line("double productMean = products.Total(out _) / n;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("double normalized = ((x[i] - meanHigh) - meanLow) * inverseDeviation;");
                    writer.Line("double d = dy[i];");
                    writer.Line($"double g = d{weight};");
                    writer.Line($"dx[i] = ({this.T})(inverseDeviation * (g - gradientMean - (normalized * productMean)));");
                    this.WriteReferenceParameterGradients(writer);
                }
            }
            else
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum squares = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("squares.Add((double)x[i] * x[i]);");
                }

                writer.Line("double squareSum = squares.Total(out _);");
                writer.Line($"double inverseScale = {this.InverseScale("squareSum", "n")};");
                writer.Line("global::KernelGen.Runtime.CompensatedSum products = default;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line($"products.Add((double)dy[i]{weight} * (x[i] * inverseScale));");
                }

                writer.Line(this.IsL2
                    ? $"double productMean = {Math}.Sqrt(squareSum) >= Epsilon ? products.Total(out _) : 0.0;"
                    : "double productMean = products.Total(out _) / n;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("double normalized = x[i] * inverseScale;");
                    writer.Line("double d = dy[i];");
                    writer.Line($"double g = d{weight};");
                    writer.Line($"dx[i] = ({this.T})(inverseScale * (g - (normalized * productMean)));");
                    this.WriteReferenceParameterGradients(writer);
                }
            }
        }
    }

    private void WriteReferenceParameterGradients(IndentedWriter writer)
    {
        if (this.HasWeightGradient)
        {
            writer.Line($"dw[i] = ({this.T})(dw[i] + (d * normalized));");
        }

        if (this.HasBiasGradient)
        {
            writer.Line($"db[i] = ({this.T})(db[i] + d);");
        }
    }
}
