using System.Collections.Generic;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Writes an [InfoNceLoss(Decoupled = true)] kernel (Gupta et al., "Dual-Encoders for Extreme Multi-Label Classification",
/// ICLR 2024, DecoupledSoftmax): rows of similarities with up to P positives each, every positive's denominator its own
/// e^(z_p) plus the negatives' N = Σ_{k∉P} e^(z_k), z = s/τ. The rows loop sorts a row's positives; the row runs the online
/// normalizer on the runs of negatives between them (the positives never enter N: taking them out of a full sum would
/// cancel when they dominate), then each positive's −log q_p = softplus(log N − z_p) in double; the gradient pass writes the
/// negatives run by run and then each positive's (q_p − 1)/(|P|·τ) in double.
/// </summary>
internal sealed class InfoNceDecoupledEmitter : IKernelRowWriter, IKernelValidationWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Arguments = "global::KernelGen.Runtime.KernelArguments";
    private const string ScalarMath = "global::KernelGen.Runtime.ScalarMath";
    private const string CompensatedSum = "global::KernelGen.Runtime.CompensatedSum";
    private readonly CrossEntropyModel model;

    public InfoNceDecoupledEmitter(CrossEntropyModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => "decoupled InfoNCE loss (Temperature = " + CSharpLiteral.Of(1.0 / this.model.Margin!.Scale)
        + ", Positives = " + this.model.Positives + "), " + this.T + ", Reduction = " + this.model.Reduction
        + (this.HasSampleWeights ? ", sample weights" : string.Empty)
        + (this.HasGradient ? ", with the gradient" : ", forward only");

    private bool HasGradient => this.model.Signature.Has(ParameterRole.Gradient);

    private bool HasSampleWeights => this.model.Signature.Has(ParameterRole.SampleWeights);

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    public void WriteConstants(IndentedWriter writer)
    {
        ConstantWriter.WriteClassHeader(writer, this.model.Width, this.model.IgnoreIndex, "A positive equal to this is padding: it fills the slots of a row with fewer than <see cref=\"Positives\"/> positives.");
        ConstantWriter.Constant(writer, "P, the positives' slots per row: row i's positives are the entries [i·P, (i+1)·P) of the positives span.", "Positives", this.model.Positives);
        ConstantWriter.Constant(writer, "1/τ: the logits are the similarities divided by the temperature τ.", "Scale", this.model.Margin!.Scale);
    }

    public void WriteValidation(IndentedWriter writer, KernelSignature s, string pathsClass)
    {
        string logits = s.InputName;
        string targets = s.NameOf(ParameterRole.Targets)!;
        string? gradient = s.NameOf(ParameterRole.Gradient);
        string? sampleWeights = s.NameOf(ParameterRole.SampleWeights);
        string rows = $"{targets}.Length / {pathsClass}.Positives";
        writer.Line($"{Arguments}.ValidatePositives<{this.T}>({logits}, {targets}, {pathsClass}.Positives, {pathsClass}.Width, {pathsClass}.IgnoreIndex, nameof({logits}), nameof({targets}));");
        if (sampleWeights is not null)
        {
            writer.Line($"{Arguments}.ValidatePerRow<{this.T}>({sampleWeights}, {rows}, nameof({sampleWeights}));");
        }

        if (s.NameOf(ParameterRole.Losses) is { } losses)
        {
            writer.Line($"{Arguments}.ValidateLosses<{this.T}>({losses}, {rows}, {logits}, {gradient ?? "default"}, nameof({losses}));");
            if (sampleWeights is not null)
            {
                writer.Line($"{Arguments}.ValidateApart<{this.T}>({losses}, {sampleWeights}, nameof({losses}));");
            }
        }

        if (gradient is not null)
        {
            writer.Line($"{Arguments}.ValidateGradient<{this.T}>({gradient}, {logits}, nameof({gradient}));");
            if (sampleWeights is not null)
            {
                writer.Line($"{Arguments}.ValidateApart<{this.T}>({gradient}, {sampleWeights}, nameof({gradient}));");
            }
        }
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        this.WriteRows(writer, path.Name, reference: false, streams: this.HasGradient && path.IsVector);
        return true;
    }

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        this.WriteRows(writer, "Reference", reference: true, streams: false);
        writer.Line();
        writer.Line("// The positives of a row: its P slots without the padding.");
        using (writer.Block("private static int CountPositives(global::System.ReadOnlySpan<int> slots)"))
        {
            writer.Line("int count = 0;");
            using (writer.Block("foreach (int slot in slots)"))
            {
                writer.Line("count += slot != IgnoreIndex ? 1 : 0;");
            }

            writer.Line("return count;");
        }

        writer.Line();
        writer.Line("// The positives of a row without the padding, in increasing order (the row is split around them): returns how many.");
        using (writer.Block("private static int SortPositives(global::System.ReadOnlySpan<int> slots, global::System.Span<int> sorted)"))
        {
            writer.Line("int count = 0;");
            using (writer.Block("foreach (int slot in slots)"))
            {
                using (writer.Block("if (slot != IgnoreIndex)"))
                {
                    writer.Line("sorted[count++] = slot;");
                }
            }

            writer.Line("global::System.MemoryExtensions.Sort(sorted.Slice(0, count));");
            writer.Line("return count;");
        }

        writer.Line();
        writer.Line("// Merges a run's Σ exp(Scale·(x − runMax)) into the negatives' sum relative to the larger maximum (both start at the most");
        writer.Line("// negative finite value and 0, so no exponent is ever −∞ − (−∞)).");
        using (writer.Block("private static void AddRun(ref double maximum, ref double sum, double runSum, double runMax)"))
        {
            writer.Line($"double larger = {Math}.Max(maximum, runMax);");
            writer.Line($"sum = (sum * {Math}.Exp(Scale * (maximum - larger))) + (runSum * {Math}.Exp(Scale * (runMax - larger)));");
            writer.Line("maximum = larger;");
        }

        return true;
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        CrossEntropyEmitter.WriteRunNormalizer(writer, path, this.Element, this.model.Unroll);
        writer.Line();
        if (this.HasGradient)
        {
            this.WriteGradientRun(writer, path);
            writer.Line();
        }

        string name = path.Name;
        string parameters = (this.model.Width == 0 ? $"ref {this.T} x, nint n" : $"ref {this.T} x")
            + ", global::System.ReadOnlySpan<int> positives"
            + (this.HasGradient ? $", ref {this.T} g, double scale" + (path.IsVector ? ", bool stream" : string.Empty) : string.Empty);
        string stream = path.IsVector ? ", stream" : string.Empty;
        writer.Line("// The negatives' normalizer run by run between the sorted positives (no positive enters N), each positive's term in double"
            + (this.HasGradient ? "; then the gradient, the negatives run by run and the positives in double." : "."));
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {name}Row({parameters})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("// N = Σ_{k∉P} exp(Scale·x_k) = exp(Scale·otherMax)·others.");
            writer.Line($"double otherMax = {this.T}.MinValue, others = 0;");
            writer.Line("nint start = 0;");
            using (writer.Block("foreach (int positive in positives)"))
            {
                writer.Line($"double runSum = {name}Normalizer(ref {Unsafe}.Add(ref x, start), positive - start, out double runMax);");
                writer.Line("AddRun(ref otherMax, ref others, runSum, runMax);");
                writer.Line("start = positive + 1;");
            }

            writer.Line($"double lastSum = {name}Normalizer(ref {Unsafe}.Add(ref x, start), n - start, out double lastMax);");
            writer.Line("AddRun(ref otherMax, ref others, lastSum, lastMax);");
            writer.Line($"double logN = (Scale * otherMax) + {Math}.Log(others);   // log N: −∞ when no negative is left (none, or only −∞ ones)");
            writer.Line();
            writer.Line("// Each positive: −log(e^z/(e^z + N)) = softplus(log N − z), and 1 − q = N/(e^z + N) = σ(log N − z), in double.");
            writer.Line($"{CompensatedSum} terms = default;");
            writer.Line("double rest = 0;   // Σ_p (1 − q_p)");
            using (writer.Block("foreach (int positive in positives)"))
            {
                writer.Line($"double d = logN - (Scale * {Unsafe}.Add(ref x, (nint)positive));");
                writer.Line($"terms.Add({ScalarMath}.Softplus(d));");
                writer.Line($"rest += {ScalarMath}.Sigmoid(d);");
            }

            writer.Line("double loss = terms.Total(out _) / positives.Length;");
            if (this.HasGradient)
            {
                writer.Line();
                writer.Line("// Pass 2, the negatives: g_k = scale·Scale·e^(z_k)·(1/|P|)·Σ_p 1/(e^(z_p) + N) = factor·exp(Scale·(x_k − otherMax)),");
                writer.Line("// factor = scale·Scale·rest/(|P|·others) (0 when N = 0: then every negative is −∞ and its gradient 0).");
                writer.Line("double factor = others > 0 ? scale * Scale * rest / (positives.Length * others) : 0;");
                writer.Line("start = 0;");
                using (writer.Block("foreach (int positive in positives)"))
                {
                    writer.Line($"{name}Gradient(ref {Unsafe}.Add(ref x, start), ref {Unsafe}.Add(ref g, start), positive - start, factor, otherMax{stream});");
                    writer.Line("start = positive + 1;");
                }

                writer.Line($"{name}Gradient(ref {Unsafe}.Add(ref x, start), ref {Unsafe}.Add(ref g, start), n - start, factor, otherMax{stream});");
                writer.Line();
                writer.Line("// The positives in double (their similarities untouched by the pass above): scale·Scale·(q_p − 1)/|P| = −scale·Scale·σ(log N − z_p)/|P|.");
                using (writer.Block("foreach (int positive in positives)"))
                {
                    writer.Line($"double d = logN - (Scale * {Unsafe}.Add(ref x, (nint)positive));");
                    writer.Line($"{Unsafe}.Add(ref g, (nint)positive) = ({this.T})(-scale * Scale * {ScalarMath}.Sigmoid(d) / positives.Length);");
                }
            }

            writer.Line("return loss;");
        }
    }

    // {path}Gradient(ref x, ref g, n, factor, otherMax[, stream]): g = factor·exp(Scale·(x − otherMax)) over a run of negatives.
    private void WriteGradientRun(IndentedWriter writer, PathInfo path)
    {
        string name = path.Name;
        writer.Line("// The gradient of a run of negatives: g = factor·exp(Scale·(x − otherMax)) (an exponent ≤ 0), read before written.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        if (!path.IsVector)
        {
            string exp = this.Element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";
            using (writer.Block($"private static void {name}Gradient(ref {this.T} x, ref {this.T} g, nint n, double factor, double otherMax)"))
            {
                writer.Line($"{this.T} f = ({this.T})factor, shift = ({this.T})otherMax;");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref g, i) = {exp}(({Unsafe}.Add(ref x, i) - shift) * ({this.T})Scale) * f;");
                }
            }

            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        using (writer.Block($"private static void {name}Gradient(ref {this.T} x, ref {this.T} g, nint n, double factor, double otherMax, bool stream)"))
        {
            writer.Line($"{c.Vec} f = {c.Splat($"({this.T})factor")};");
            writer.Line($"{c.Vec} scaleVector = {c.Splat($"({this.T})Scale")};");
            writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})otherMax")};");
            writer.Line("nint i;");
            void Gradient(IndentedWriter w, IReadOnlyList<VectorAccess> group)
            {
                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store($"{c.M}.ExpNonPositive(({a.Load("x")} - shift) * scaleVector) * f", "g"));
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
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = $"global::System.ReadOnlySpan<{this.T}> x, global::System.ReadOnlySpan<int> slots"
            + (this.HasGradient ? $", global::System.Span<{this.T}> g, double scale" : string.Empty);
        writer.Line("// The textbook form in double with compensated sums: z_k = Scale·x_k, N = Σ_{k∉P} e^(z_k), over the positives p ∈ P:");
        writer.Line("// ℓ = (1/|P|)·Σ_p −log(e^(z_p)/(e^(z_p) + N)), each term written log(1 + N/e^(z_p)) = softplus(log N − z_p).");
        if (this.HasGradient)
        {
            writer.Line("// ∂ℓ/∂x_p = scale·Scale·(q_p − 1)/|P|, q_p = e^(z_p)/(e^(z_p) + N); ∂ℓ/∂x_k = scale·Scale·e^(z_k)·(1/|P|)·Σ_p 1/(e^(z_p) + N) for a negative k.");
        }

        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            writer.Line("bool[] positive = new bool[x.Length];");
            writer.Line("int count = 0;");
            using (writer.Block("foreach (int slot in slots)"))
            {
                using (writer.Block("if (slot != IgnoreIndex)"))
                {
                    writer.Line("positive[slot] = true;");
                    writer.Line("count++;");
                }
            }

            writer.Line();
            writer.Line("double[] z = new double[x.Length];");
            writer.Line("double maximum = double.NegativeInfinity;   // the negatives' largest z");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("z[i] = Scale * x[i];");
                using (writer.Block("if (!positive[i])"))
                {
                    writer.Line($"maximum = {Math}.Max(maximum, z[i]);");
                }
            }

            writer.Line();
            writer.Line("double logN = double.NegativeInfinity;   // N = 0 without negatives (or with only −∞ ones)");
            using (writer.Block("if (maximum != double.NegativeInfinity)"))
            {
                writer.Line($"{CompensatedSum} negatives = default;");
                using (writer.Block("for (int i = 0; i < z.Length; i++)"))
                {
                    using (writer.Block("if (!positive[i])"))
                    {
                        writer.Line($"negatives.Add({Math}.Exp(z[i] - maximum));");
                    }
                }

                writer.Line($"logN = maximum + {Math}.Log(negatives.Total(out _));");
            }

            writer.Line();
            writer.Line($"{CompensatedSum} losses = default;");
            writer.Line($"{CompensatedSum} inverse = default;   // N·Σ_p 1/(e^(z_p) + N) = Σ_p σ(log N − z_p)");
            using (writer.Block("for (int i = 0; i < z.Length; i++)"))
            {
                using (writer.Block("if (positive[i])"))
                {
                    writer.Line($"losses.Add({ScalarMath}.Softplus(logN - z[i]));");
                    writer.Line($"inverse.Add({ScalarMath}.Sigmoid(logN - z[i]));");
                }
            }

            writer.Line("double loss = losses.Total(out _) / count;");
            if (this.HasGradient)
            {
                writer.Line("double share = inverse.Total(out _) / count;");
                using (writer.Block("for (int i = 0; i < z.Length; i++)"))
                {
                    writer.Line("// (q_p − 1)/|P| = −σ(log N − z_p)/|P| (q_p − 1 = −N/(e^(z_p) + N)); e^(z_k)/N·(1/|P|)·Σ_p σ(log N − z_p) for a negative (0 when N = 0: every negative is −∞).");
                    writer.Line($"double d = positive[i] ? -{ScalarMath}.Sigmoid(logN - z[i]) / count : logN == double.NegativeInfinity ? 0 : {Math}.Exp(z[i] - logN) * share;");
                    writer.Line($"g[i] = ({this.T})(scale * Scale * d);");
                }
            }

            writer.Line("return loss;");
        }
    }

    // The rows loop of a path (or of the reference): skips rows without positives (zero gradient), weighs and reduces the row losses.
    private void WriteRows(IndentedWriter writer, string path, bool reference, bool streams)
    {
        KernelSignature s = this.model.Signature;
        bool mean = this.model.Reduction == ReductionKind.Mean;
        bool none = this.model.Reduction == ReductionKind.None;
        if (!reference)
        {
            writer.Line(KernelFileWriter.HotMethodAttribute);
        }

        using (writer.Block($"private static {KernelFileWriter.ReturnType(s)} {path}Rows({KernelFileWriter.LocalParameters(s)})"))
        {
            writer.Line("int rows = targets.Length / Positives;");
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
                if (!this.HasSampleWeights)
                {
                    writer.Line("// The mean divides by the rows with a positive (a row of padding only counts for nothing); so does the gradient.");
                    writer.Line("int counted = 0;");
                    using (writer.Block("for (int row = 0; row < rows; row++)"))
                    {
                        writer.Line("counted += CountPositives(targets.Slice(row * Positives, Positives)) != 0 ? 1 : 0;");
                    }

                    writer.Line("double denominator = counted;");
                }
                else
                {
                    writer.Line("// The weighted mean (PyTorch's): Σ_i s_i·ℓ_i / Σ_i s_i over the rows with a positive; 0/0 = NaN when every weight is 0.");
                    writer.Line($"{CompensatedSum} weightSum = default;");
                    using (writer.Block("for (int row = 0; row < rows; row++)"))
                    {
                        using (writer.Block("if (CountPositives(targets.Slice(row * Positives, Positives)) != 0)"))
                        {
                            writer.Line("weightSum.Add(sampleWeights[row]);");
                        }
                    }

                    writer.Line("double denominator = weightSum.Total(out _);");
                }
            }

            if (!none)
            {
                writer.Line($"{CompensatedSum} total = default;");
            }

            if (this.HasGradient && !this.HasSampleWeights)
            {
                writer.Line(mean ? "double scale = 1.0 / denominator;" : "const double scale = 1.0;");
            }

            if (streams)
            {
                writer.Line("// A gradient much larger than the caches (and not written over the similarities) is written with streaming stores.");
                writer.Line("bool stream = global::KernelGen.Runtime.CacheHints.ShouldStream(input, gradient);");
            }

            if (!reference)
            {
                writer.Line("global::System.Span<int> sorted = stackalloc int[Positives];");
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                writer.Line("global::System.ReadOnlySpan<int> slots = targets.Slice(row * Positives, Positives);");
                writer.Line(reference ? "int count = CountPositives(slots);" : "int count = SortPositives(slots, sorted);");
                using (writer.Block("if (count == 0)"))
                {
                    writer.Line("// A row without positives: no loss, a zero gradient (as an ignored row of the cross-entropy).");
                    LossRowWriter.WriteSkippedRowEnd(writer, this.HasGradient, none);
                }

                writer.Line();
                if (this.HasGradient && this.HasSampleWeights)
                {
                    writer.Line(mean ? "double scale = sampleWeights[row] / denominator;" : "double scale = sampleWeights[row];");
                }

                string call;
                if (reference)
                {
                    call = "ReferenceRow(input.Slice(row * n, n), slots" + (this.HasGradient ? ", gradient.Slice(row * n, n), scale" : string.Empty) + ")";
                }
                else
                {
                    writer.Line("nint offset = (nint)row * n;");
                    call = $"{path}Row(ref {Unsafe}.Add(ref x, offset)" + (this.model.Width == 0 ? ", n" : string.Empty) + ", sorted.Slice(0, count)"
                        + (this.HasGradient ? $", ref {Unsafe}.Add(ref g, offset), scale" + (streams ? ", stream" : string.Empty) : string.Empty) + ")";
                }

                writer.Line($"double loss = {call};");
                string weighted = this.HasSampleWeights ? "sampleWeights[row] * loss" : "loss";
                writer.Line(none ? $"losses[row] = ({this.T})({weighted});" : $"total.Add({weighted});");
            }

            if (!none)
            {
                writer.Line(mean
                    ? $"return ({this.T})(total.Total(out _) / denominator);   // 0/0 = NaN when no row has a positive, as PyTorch"
                    : $"return ({this.T})total.Total(out _);");
            }
        }
    }
}
