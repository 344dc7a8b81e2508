using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// The rows of [MarginSoftmaxLoss] and [InfoNceLoss]: the cross-entropy of z_k = s·c_k with the target's logit replaced
/// by s·ψ(c_y). The normalizer runs on the classes before and after the target (two calls of one pass, so that the
/// target's unchanged logit never enters the sum: subtracting it would cancel when it dominates), then adds the target's
/// own term in double. The gradient is s·p_k for the other classes and s·ψ'(c_y)·(p_y − 1) for the target.
/// </summary>
internal sealed partial class CrossEntropyEmitter
{
    private bool IsMargin => this.model.Margin is not null;

    private MarginOptions Margin => this.model.Margin!;

    private bool HasSampleMargins => this.model.Signature.Has(ParameterRole.SampleMargins);

    // InfoNCE and the normalized softmax (m1 = 1, m2 = 0 everywhere): the target's logit is s·c_y itself.
    private bool IsPlainTarget => this.Margin.M1 == 1 && this.Margin.M2 == 0 && this.Margin.PerRow != 1 && this.Margin.M3 == 0 && this.Margin.PerRow != 2;

    private string MarginKindName => this.model.Kind == TargetLossKind.InfoNce
        ? "InfoNCE loss (Temperature = " + CSharpLiteral.Of(1.0 / this.Margin.Scale) + ")"
        : "margin softmax loss (Scale = " + CSharpLiteral.Of(this.Margin.Scale) + ", M1 = " + CSharpLiteral.Of(this.Margin.M1)
            + (this.Margin.PerRow == 1 ? ", M2 per row" : ", M2 = " + CSharpLiteral.Of(this.Margin.M2))
            + (this.Margin.PerRow == 2 ? ", M3 per row" : ", M3 = " + CSharpLiteral.Of(this.Margin.M3)) + ")";

    private void WriteMarginConstants(IndentedWriter writer)
    {
        if (this.model.Kind == TargetLossKind.InfoNce)
        {
            writer.Line("/// <summary>1/τ: the logits are the similarities divided by the temperature τ.</summary>");
            writer.Line($"private const double Scale = {CSharpLiteral.Of(this.Margin.Scale)};");
            return;
        }

        writer.Line("/// <summary>s, the scale of every logit: z_k = s·c_k, the target's s·(cos(m1·θ + m2) − m3).</summary>");
        writer.Line($"private const double Scale = {CSharpLiteral.Of(this.Margin.Scale)};");
        writer.Line("/// <summary>m1, the multiplicative angular margin (SphereFace).</summary>");
        writer.Line($"private const double M1 = {CSharpLiteral.Of(this.Margin.M1)};");
        if (this.Margin.PerRow != 1)
        {
            writer.Line("/// <summary>m2, the additive angular margin (ArcFace).</summary>");
            writer.Line($"private const double M2 = {CSharpLiteral.Of(this.Margin.M2)};");
        }

        if (this.Margin.PerRow != 2)
        {
            writer.Line("/// <summary>m3, the additive cosine margin (CosFace).</summary>");
            writer.Line($"private const double M3 = {CSharpLiteral.Of(this.Margin.M3)};");
        }
    }

    // logit = z_y = s·ψ(c_y) and slope = ψ'(c_y), in double, from the target's cosine.
    private void WriteMarginTargetLogit(IndentedWriter writer, string cosine)
    {
        if (this.IsPlainTarget)
        {
            writer.Line($"double logit = Scale * {cosine};   // z_y = s·c_y");
            return;
        }

        string m2 = this.Margin.PerRow == 1 ? "margin" : "M2";
        string m3 = this.Margin.PerRow == 2 ? "margin" : "M3";
        writer.Line("// z_y = s·ψ(c_y), ψ(c) = cos(m1·acos c + m2) − m3 with insightface's fallback past θ + m2 = π; slope = ψ'(c_y).");
        writer.Line($"double logit = Scale * global::KernelGen.Runtime.TargetLosses.MarginCosine({cosine}, M1, {m2}, {m3}, out double slope);");
    }

    private string MarginSlope => this.IsPlainTarget ? string.Empty : "slope * ";

    private void WriteMarginRow(IndentedWriter writer, PathInfo path)
    {
        bool vector = path.IsVector;
        var c = vector ? new VectorLoopWriter(path, this.Element, this.model.Unroll) : null;
        string name = path.Name;
        string exp = this.Element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";

        WriteRunNormalizer(writer, path, this.Element, this.model.Unroll);
        writer.Line();
        writer.Line(this.HasGradient
            ? "// The normalizer on the classes before and after the target, the target's term in double; then the gradient pass."
            : "// The normalizer on the classes before and after the target (one read of the row), the target's term in double.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {name}Row({this.RowParameters(vector)})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            this.WriteMarginTargetLogit(writer, $"{Unsafe}.Add(ref x, (nint)target)");
            writer.Line($"double sumBefore = {name}Normalizer(ref x, target, out double maxBefore);");
            writer.Line($"double sumAfter = {name}Normalizer(ref {Unsafe}.Add(ref x, (nint)target + 1), n - target - 1, out double maxAfter);");
            writer.Line($"double otherMax = {Math}.Max(maxBefore, maxAfter);   // the other classes' largest cosine");
            writer.Line($"double maximum = {Math}.Max(Scale * otherMax, logit);   // the largest logit");
            writer.Line($"double others = (sumBefore * {Math}.Exp(Scale * (maxBefore - otherMax))) + (sumAfter * {Math}.Exp(Scale * (maxAfter - otherMax)));");
            writer.Line($"double sum = (others * {Math}.Exp((Scale * otherMax) - maximum)) + {Math}.Exp(logit - maximum);");
            writer.Line($"double logP = (logit - maximum) - {Math}.Log(sum);   // L = log p_y");
            if (this.HasClassWeights)
            {
                writer.Line($"double weight = {Unsafe}.Add(ref w, (nint)target);");
            }

            writer.Line(this.HasClassWeights ? "double loss = weight * -logP;" : "double loss = -logP;");
            if (this.HasGradient)
            {
                writer.Line();
                writer.Line("// Pass 2: g_k = s·p_k = s·exp(s·(c_k − otherMax) + (s·otherMax − maximum))/Σ (both terms ≤ 0), read before written;");
                writer.Line("// the target's own lane is written over after it.");
                writer.Line($"double probability = scale * {(this.HasClassWeights ? "weight * " : string.Empty)}Scale;");
                if (c is not null)
                {
                    writer.Line($"{c.Vec} factor = {c.Splat($"({this.T})(probability / sum)")};");
                    writer.Line($"{c.Vec} scaleVector = {c.Splat($"({this.T})Scale")};");
                    writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})otherMax")};");
                    writer.Line($"{c.Vec} offset = {c.Splat($"({this.T})((Scale * otherMax) - maximum)")};");
                    writer.Line("nint i;");
                    void Gradient(IndentedWriter w, System.Collections.Generic.IReadOnlyList<VectorAccess> group)
                    {
                        foreach (VectorAccess a in group)
                        {
                            w.Line(a.Store($"{c.M}.ExpNonPositive((({a.Load("x")} - shift) * scaleVector) + offset) * factor", "g"));
                        }
                    }

                    using (writer.Block("if (stream)"))
                    {
                        c.WritePass(writer, $"{this.T}.NegativeInfinity", Gradient, stream: "g");
                    }

                    using (writer.Block("else"))
                    {
                        c.WritePass(writer, $"{this.T}.NegativeInfinity", Gradient);
                    }
                }
                else
                {
                    writer.Line($"{this.T} factor = ({this.T})(probability / sum), shift = ({this.T})otherMax, offset = ({this.T})((Scale * otherMax) - maximum);");
                    using (writer.Block("for (nint i = 0; i < n; i++)"))
                    {
                        writer.Line($"{Unsafe}.Add(ref g, i) = {exp}((({Unsafe}.Add(ref x, i) - shift) * ({this.T})Scale) + offset) * factor;");
                    }
                }

                writer.Line("// The target's own gradient in double: s·ψ'·(p_y − 1) = s·ψ'·expm1(L), which does not cancel near p_y = 1.");
                writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(probability * {this.MarginSlope}global::KernelGen.Runtime.TargetLosses.ExpM1(logP));");
            }

            writer.Line("return loss;");
        }
    }

    /// <summary>
    /// Writes <c>{path}Normalizer(ref T x, nint n, out double maximum)</c>: Σ exp(Scale·(x − max)) over a run x[0, n) and its
    /// largest value (the most negative finite value for an empty run, whose sum is 0). [InfoNceLoss(Decoupled = true)] shares it.
    /// </summary>
    internal static void WriteRunNormalizer(IndentedWriter writer, PathInfo path, ElementType element, int unroll)
    {
        var c = path.IsVector ? new VectorLoopWriter(path, element, unroll) : null;
        string name = path.Name;
        string t = KernelFileWriter.ElementName(element);
        string exp = element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";

        // The normalizer of a run of other classes: its largest cosine and Σ exp(s·(c − max)).
        writer.Line("// The other classes' part of the normalizer over x[0, n): returns Σ exp(s·(c − max)), max = the largest c (the most");
        writer.Line("// negative finite value for an empty run, whose sum is 0).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {name}Normalizer(ref {t} x, nint n, out double maximum)"))
        {
            if (c is not null)
            {
                writer.Line("nint i;");
                writer.Line($"{c.Vec} scale = {c.Splat($"({t})Scale")};");
                OnlineNormalizerWriter.WritePass(writer, c, static d => $"(({d}) * scale)", prefetch: true);
                writer.Line($"maximum = {c.V}.ToScalar(rowMax);");
                writer.Line("return sum;");
            }
            else
            {
                writer.Line($"{t} largest = {t}.MinValue;");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"largest = {Math}.Max(largest, {Unsafe}.Add(ref x, i));");
                }

                writer.Line("global::KernelGen.Runtime.CompensatedSum exps = default;");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"exps.Add({exp}(({Unsafe}.Add(ref x, i) - largest) * ({t})Scale));");
                }

                writer.Line("maximum = largest;");
                writer.Line("return exps.Total(out _);");
            }
        }

    }

    private void WriteMarginReferenceRow(IndentedWriter writer, string parameters)
    {
        string w = this.HasClassWeights ? "w[target]" : "1.0";
        writer.Line("// The textbook form in double with compensated sums: z_k = s·c_k, z_y = s·ψ(c_y), ℓ = " + (this.HasClassWeights ? "w_y·" : string.Empty) + "(LSE(z) − z_y);");
        if (this.HasGradient)
        {
            writer.Line("// ∂ℓ/∂c_k = scale·" + (this.HasClassWeights ? "w_y·" : string.Empty) + "s·p_k for k ≠ y, scale·" + (this.HasClassWeights ? "w_y·" : string.Empty) + "s·ψ'(c_y)·(p_y − 1) for the target.");
        }

        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            this.WriteMarginTargetLogit(writer, "x[target]");
            writer.Line("double[] z = new double[x.Length];");
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("z[i] = i == target ? logit : Scale * x[i];");
                writer.Line($"maximum = {Math}.Max(maximum, z[i]);");
            }

            writer.Line();
            writer.Line("global::KernelGen.Runtime.CompensatedSum exps = default;");
            using (writer.Block("for (int i = 0; i < z.Length; i++)"))
            {
                writer.Line($"exps.Add({Math}.Exp(z[i] - maximum));");
            }

            writer.Line();
            writer.Line($"double logSum = {Math}.Log(exps.Total(out _));");
            writer.Line("double logP = (logit - maximum) - logSum;");
            writer.Line($"double loss = {(this.HasClassWeights ? w + " * " : string.Empty)}-logP;");
            if (this.HasGradient)
            {
                writer.Line($"double factor = scale * {w} * Scale;");
                using (writer.Block("for (int i = 0; i < x.Length; i++)"))
                {
                    writer.Line($"double p = {Math}.Exp((z[i] - maximum) - logSum);");
                    writer.Line($"g[i] = ({this.T})(factor * (i == target ? {this.MarginSlope}global::KernelGen.Runtime.TargetLosses.ExpM1(logP) : p));   // p_y − 1 = expm1(L)");
                }
            }

            writer.Line("return loss;");
        }
    }
}
