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
internal sealed partial class CrossEntropyEmitter : IKernelRowWriter
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
            var parts = new List<string> { this.KindName, KernelFileWriter.ElementName(this.Element), "Reduction = " + this.model.Reduction };
            if (this.HasSmoothing)
            {
                parts.Add("LabelSmoothing = " + CSharpLiteral.Of(this.model.LabelSmoothing));
            }

            if (this.HasZLoss)
            {
                parts.Add("ZLoss = " + CSharpLiteral.Of(this.model.ZLoss));
            }

            if (this.HasSoftcap)
            {
                parts.Add("Softcap = " + CSharpLiteral.Of(this.model.Softcap));
            }

            if (this.HasClassWeights)
            {
                parts.Add("class weights");
            }

            if (this.HasSampleWeights)
            {
                parts.Add("sample weights");
            }

            if (this.HasLse || this.HasPredictions || this.HasEntropy)
            {
                parts.Add("per-row " + string.Join(", ", new[] { this.HasLse ? "LSE" : null, this.HasPredictions ? "argmax" : null, this.HasEntropy ? "entropy" : null }.Where(static o => o is not null)));
            }

            parts.Add(this.HasGradient ? "with the gradient" : "forward only");
            return string.Join(", ", parts);
        }
    }

    private bool HasGradient => this.model.Signature.Has(ParameterRole.Gradient);

    // A loss of the target probability alone (comp-sum, focal, Dice): ℓ = f(L), L = log p_y, from the runtime's
    // TargetLosses, which also gives h = −dℓ/dL; the gradient is the cross-entropy's scaled by h.
    private bool IsTargetLoss => this.model.Kind != TargetLossKind.CrossEntropy;

    private string KindName => this.model.Kind switch
    {
        TargetLossKind.CompSum => "comp-sum loss (Tau = " + CSharpLiteral.Of(this.model.Parameter1) + ")",
        TargetLossKind.Focal => "softmax focal loss (Gamma = " + CSharpLiteral.Of(this.model.Parameter1) + ", Alpha = " + CSharpLiteral.Of(this.model.Parameter2) + ")",
        TargetLossKind.Dice => "self-adjusting Dice loss (Alpha = " + CSharpLiteral.Of(this.model.Parameter1) + ", Gamma = " + CSharpLiteral.Of(this.model.Parameter2) + ")",
        TargetLossKind.MarginSoftmax or TargetLossKind.InfoNce => this.MarginKindName,
        _ => "softmax cross-entropy",
    };

    // The runtime call giving ℓ(L) and 'outer' = h.
    private string OuterCall(string logP) => this.model.Kind switch
    {
        TargetLossKind.CompSum => $"global::KernelGen.Runtime.TargetLosses.CompSum({logP}, Tau, out double outer)",
        TargetLossKind.Focal => $"global::KernelGen.Runtime.TargetLosses.Focal({logP}, Gamma, Alpha, out double outer)",
        _ => $"global::KernelGen.Runtime.TargetLosses.Dice({logP}, Alpha, Gamma, out double outer)",
    };

    // ℓ = w_y·f(L) and h, from L = (z_y − m) − log Σ (z_y − m is exact, LSE is not).
    private void WriteTargetLoss(IndentedWriter writer, string logit)
    {
        writer.Line($"double logP = ({logit} - maximum) - logSum;   // L = log p_y");
        writer.Line($"double loss = {(this.HasClassWeights ? "weight * " : string.Empty)}{this.OuterCall("logP")};   // outer = −dℓ/dL");
    }

    private bool HasSmoothing => this.model.LabelSmoothing != 0;

    private bool HasZLoss => this.model.ZLoss != 0;

    private bool HasSoftcap => this.model.Softcap != 0;

    private bool HasClassWeights => this.model.Signature.Has(ParameterRole.ClassWeights);

    private bool HasSampleWeights => this.model.Signature.Has(ParameterRole.SampleWeights);

    private bool HasLse => this.model.Signature.Has(ParameterRole.LseOutput);

    private bool HasPredictions => this.model.Signature.Has(ParameterRole.Predictions);

    private bool HasEntropy => this.model.Signature.Has(ParameterRole.EntropyOutput);

    // W = Σ_k w_k, which the smoothing term needs with class weights.
    private bool HasWeightTotal => this.HasClassWeights && this.HasSmoothing;

    // Liger-Kernel divides the z-loss by the rows that count and the class-weighted loss by Σ w_y: with both and Mean,
    // the two parts have their own denominators (and the gradient its own scale, zScale, for the z-loss part).
    private bool TwoDenominators => this.HasClassWeights && this.HasZLoss && this.model.Reduction == ReductionKind.Mean;

    // The row method gives its LSE back when the rows loop needs it (the LSE output, or the z-loss it adds itself).
    private bool RowReturnsLse => this.HasLse || this.TwoDenominators;

    private bool ManyRows => this.model.Signature.Shape == KernelShape.ManyRows;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(CrossEntropyModel model) => model.Positives != 0
        ? KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new InfoNceDecoupledEmitter(model))
        : KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new CrossEntropyEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        ConstantWriter.WriteClassHeader(writer, this.model.Width, this.model.IgnoreIndex);
        switch (this.model.Kind)
        {
            case TargetLossKind.CompSum:
                ConstantWriter.Constant(writer, "τ of the comp-sum loss ((1 + u)^(1 − τ) − 1)/(1 − τ).", "Tau", this.model.Parameter1);
                break;
            case TargetLossKind.Focal:
                ConstantWriter.Constant(writer, "γ of the focal loss −α·(1 − p)^γ·log p.", "Gamma", this.model.Parameter1);
                ConstantWriter.Constant(writer, "α of the focal loss −α·(1 − p)^γ·log p.", "Alpha", this.model.Parameter2);
                break;
            case TargetLossKind.Dice:
                ConstantWriter.Constant(writer, "α of the self-adjusting Dice loss: p̃ = (1 − p)^α·p.", "Alpha", this.model.Parameter1);
                ConstantWriter.Constant(writer, "γ of the Dice loss 1 − (2p̃ + γ)/(p̃ + 1 + γ).", "Gamma", this.model.Parameter2);
                break;
            case TargetLossKind.MarginSoftmax or TargetLossKind.InfoNce:
                this.WriteMarginConstants(writer);
                break;
        }

        if (this.HasSmoothing)
        {
            ConstantWriter.Constant(writer, "ε: the target distribution is (1 − ε)·onehot(y) + ε/K.", "LabelSmoothing", this.model.LabelSmoothing);
        }

        if (this.HasZLoss)
        {
            ConstantWriter.Constant(writer, "c in the z-loss term c·LSE² added to each row's loss.", "ZLoss", this.model.ZLoss);
        }

        if (this.HasSoftcap)
        {
            ConstantWriter.Constant(writer, "c in the soft cap z ← c·tanh(z/c) applied to every logit first.", "Softcap", this.model.Softcap);
        }
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        this.WriteRows(writer, path.Name + "Rows", path.Name + "Row", reference: false, streams: this.HasGradient && path.IsVector);
        return true;
    }

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        this.WriteRows(writer, "ReferenceRows", "ReferenceRow", reference: true, streams: false);
        if (this.HasPredictions)
        {
            writer.Line();
            writer.Line("// The argmax of a row of logits (as given: the soft cap is monotone): the lowest index on a tie, the first NaN if any, as torch.argmax.");
            using (writer.Block($"private static int ArgMax(global::System.ReadOnlySpan<{this.T}> x)"))
            {
                writer.Line("int best = x.Length == 0 ? -1 : 0;");
                using (writer.Block("for (int i = 1; i < x.Length; i++)"))
                {
                    using (writer.Block($"if (x[i] > x[best] || ({this.T}.IsNaN(x[i]) && !{this.T}.IsNaN(x[best])))"))
                    {
                        writer.Line("best = i;");
                    }
                }

                writer.Line("return best;");
            }
        }

        return true;
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (this.IsMargin)
        {
            this.WriteMarginRow(writer, path);
        }
        else if (path.IsVector)
        {
            if (this.ThreePassGradient)
            {
                var c = new VectorLoopWriter(path, this.Element, this.model.Unroll == 0 ? path.DefaultUnroll / 2 : this.model.Unroll);
                this.WriteThreePassRow(writer, c);
                if (this.ManyRows)
                {
                    this.WritePipeline(writer, c);
                }
            }
            else
            {
                this.WriteVectorRow(writer, new VectorLoopWriter(path, this.Element, this.model.Unroll));
            }
        }
        else
        {
            this.WriteScalarRow(writer);
        }
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = $"global::System.ReadOnlySpan<{this.T}> x, int target"
            + (this.HasClassWeights ? $", global::System.ReadOnlySpan<{this.T}> w" + (this.HasWeightTotal ? ", double weightTotal" : string.Empty) : string.Empty)
            + (this.HasSampleMargins ? ", double margin" : string.Empty)
            + (this.HasGradient ? $", global::System.Span<{this.T}> g, double scale" + (this.TwoDenominators ? ", double zScale" : string.Empty) : string.Empty)
            + (this.RowReturnsLse ? ", out double lse" : string.Empty)
            + (this.HasEntropy ? ", out double entropy" : string.Empty);
        string w = this.HasClassWeights ? "w[target]" : "1.0";
        if (this.IsMargin)
        {
            this.WriteMarginReferenceRow(writer, parameters);
            return;
        }

        if (this.IsTargetLoss)
        {
            this.WriteTargetReferenceRow(writer, parameters, w);
            return;
        }

        writer.Line("// The textbook form in double with compensated sums, on z = " + (this.HasSoftcap ? "Softcap·tanh(x/Softcap)" : "x") + ", w_k = " + (this.HasClassWeights ? "the class weights" : "1") + ":");
        writer.Line("// ℓ = (1 − ε)·w_y·(LSE − z_y) + (ε/K)·Σ_k w_k·(LSE − z_k)" + (this.HasZLoss && !this.TwoDenominators ? " + c·LSE²" : string.Empty) + ", LSE = m + log Σ exp(z − m), m = max z (PyTorch's weighted, smoothed cross-entropy).");
        if (this.HasGradient)
        {
            writer.Line("// ∂ℓ/∂z_k = scale·(((1 − ε)·w_y + ε·W/K)·p_k − (1 − ε)·w_y·[k = y] − (ε/K)·w_k) + zScale·2c·LSE·p_k, W = Σ w; ∂z/∂x = 1 − tanh² with a soft cap.");
        }

        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            writer.Line("double[] z = new double[x.Length];");
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line(this.HasSoftcap ? $"z[i] = Softcap * {Math}.Tanh(x[i] / Softcap);" : "z[i] = x[i];");
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
            writer.Line((this.RowReturnsLse ? string.Empty : "double ") + "lse = maximum + logSum;");
            string lossSmoothing = string.Empty;
            if (this.HasSmoothing)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum smoothing = default;   // Σ_k w_k·(−log p_k)");
                using (writer.Block("for (int i = 0; i < z.Length; i++)"))
                {
                    writer.Line($"smoothing.Add({(this.HasClassWeights ? "w[i] * " : string.Empty)}(lse - z[i]));");
                }

                lossSmoothing = " + (LabelSmoothing / z.Length * smoothing.Total(out _))";
            }

            string targetPart = this.HasSmoothing ? $"(1 - LabelSmoothing) * {w} * (lse - z[target])" : this.HasClassWeights ? $"{w} * (lse - z[target])" : "lse - z[target]";
            string zPart = this.HasZLoss && !this.TwoDenominators ? " + (ZLoss * lse * lse)" : string.Empty;
            writer.Line($"double loss = {targetPart}{lossSmoothing}{zPart};");
            if (this.HasEntropy)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum plogp = default;   // Σ p·log p, 0·log 0 = 0");
                using (writer.Block("for (int i = 0; i < z.Length; i++)"))
                {
                    writer.Line("double logP = (z[i] - maximum) - logSum;");
                    writer.Line($"double p = {Math}.Exp(logP);");
                    using (writer.Block("if (p != 0)"))
                    {
                        writer.Line("plogp.Add(p * logP);");
                    }
                }

                writer.Line("entropy = -plogp.Total(out _);");
            }

            if (this.HasGradient)
            {
                string zScale = this.TwoDenominators ? "zScale" : "scale";
                string probability = !this.HasClassWeights ? "1.0"
                    : this.HasSmoothing ? $"(((1 - LabelSmoothing) * {w}) + (LabelSmoothing * weightTotal / z.Length))" : w;
                string targetShift = this.HasSmoothing ? $"(1 - LabelSmoothing) * {w}" : w;
                string uniform = this.HasSmoothing ? $" - (LabelSmoothing / z.Length * {(this.HasClassWeights ? "w[i]" : "1.0")})" : string.Empty;
                string chain = this.HasSoftcap ? $" * (1 - ({Math}.Tanh(x[i] / Softcap) * {Math}.Tanh(x[i] / Softcap)))" : string.Empty;
                string zTerm = this.HasZLoss ? $" + ({zScale} * 2 * ZLoss * lse * p)" : string.Empty;
                using (writer.Block("for (int i = 0; i < x.Length; i++)"))
                {
                    writer.Line($"double p = {Math}.Exp((z[i] - maximum) - logSum);   // not z − LSE: z − m is exact, LSE is not");
                    writer.Line($"g[i] = ({this.T})(((scale * (({probability} * p) - (i == target ? {targetShift} : 0){uniform})){zTerm}){chain});");
                }
            }

            writer.Line("return loss;");
        }
    }

    // The reference of a loss of the target probability: L = log p_y in double with compensated sums, ℓ = w_y·f(L),
    // ∂ℓ/∂z_k = scale·w_y·h·(p_k − [k = y]).
    private void WriteTargetReferenceRow(IndentedWriter writer, string parameters, string w)
    {
        writer.Line("// In double with compensated sums: L = log p_y = (z_y − m) − log Σ exp(z − m), ℓ = w_y·f(L)" + (this.HasGradient ? ", ∂ℓ/∂z_k = scale·w_y·h·(p_k − [k = y]) with h = −dℓ/dL." : "."));
        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line($"maximum = {Math}.Max(maximum, x[i]);");
            }

            writer.Line();
            writer.Line("global::KernelGen.Runtime.CompensatedSum exps = default;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line($"exps.Add({Math}.Exp(x[i] - maximum));");
            }

            writer.Line();
            writer.Line($"double logSum = {Math}.Log(exps.Total(out _));");
            writer.Line("double logP = (x[target] - maximum) - logSum;");
            writer.Line($"double loss = {(this.HasClassWeights ? w + " * " : string.Empty)}{this.OuterCall("logP")};");
            if (this.HasGradient)
            {
                writer.Line($"double factor = scale * {w} * outer;");
                using (writer.Block("for (int i = 0; i < x.Length; i++)"))
                {
                    writer.Line($"double p = {Math}.Exp((x[i] - maximum) - logSum);");
                    writer.Line($"g[i] = ({this.T})(factor * (i == target ? global::KernelGen.Runtime.TargetLosses.ExpM1(logP) : p));   // p_y − 1 = expm1(L)");
                }
            }

            writer.Line("return loss;");
        }
    }

    // ----------------------------------------------------------------------------------- rows

    // The rows loop of a path (or of the reference): skips ignored rows (zero gradient), weighs and reduces the row losses.
    // 'streams': the path's rows take a 'stream' flag (write the gradient with streaming stores), decided here once per call.
    private void WriteRows(IndentedWriter writer, string name, string row, bool reference, bool streams)
    {
        string streamArgument = streams ? ", stream" : string.Empty;
        void WriteStreamDecision()
        {
            if (streams)
            {
                writer.Line("// A gradient much larger than the caches (and not written over the logits) is written with streaming stores.");
                writer.Line("bool stream = global::KernelGen.Runtime.CacheHints.ShouldStream(input, gradient);");
            }
        }

        KernelSignature s = this.model.Signature;
        string parameters = KernelFileWriter.LocalParameters(s);
        string returns = KernelFileWriter.ReturnType(s);
        bool mean = this.model.Reduction == ReductionKind.Mean;
        bool none = this.model.Reduction == ReductionKind.None;
        if (!reference)
        {
            writer.Line(KernelFileWriter.HotMethodAttribute);
        }

        using (writer.Block($"private static {returns} {name}({parameters})"))
        {
            if (this.HasWeightTotal)
            {
                writer.Line("// W = Σ_k w_k, for the smoothing term's gradient.");
                writer.Line("global::KernelGen.Runtime.CompensatedSum weights = default;");
                using (writer.Block("foreach (double weight in classWeights)"))
                {
                    writer.Line("weights.Add(weight);");
                }

                writer.Line("double weightTotal = weights.Total(out _);");
            }

            string weightArguments = !this.HasClassWeights ? string.Empty
                : (reference ? ", classWeights" : $", ref {MemoryMarshal}.GetReference(classWeights)") + (this.HasWeightTotal ? ", weightTotal" : string.Empty);
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
                // A batch of one row: Mean divides by its weight w_y (PyTorch's weighted mean), Sum and None do not.
                bool divide = mean && this.HasClassWeights;
                if (divide)
                {
                    writer.Line("double scale = 1.0 / classWeights[target];   // the weighted mean of one row: w_y·ℓ / w_y, NaN when w_y = 0 (as PyTorch)");
                }

                string scale = divide ? "scale" : "1.0";
                string gradientArguments = !this.HasGradient ? string.Empty
                    : (reference ? $", gradient, {scale}" : $", ref {MemoryMarshal}.GetReference(gradient), {scale}") + (this.TwoDenominators ? ", 1.0" : string.Empty) + streamArgument;
                WriteStreamDecision();
                string length = this.model.Width == 0 && !reference ? ", input.Length" : string.Empty;
                string logits = reference ? "input" : $"ref {MemoryMarshal}.GetReference(input)";
                string lseArgument = this.RowReturnsLse ? ", out double rowLse" : string.Empty;
                string call = $"{row}({logits}{length}, target{weightArguments}{gradientArguments}{lseArgument})";
                writer.Line(this.TwoDenominators ? $"return ({this.T})(({call} * scale) + (ZLoss * rowLse * rowLse));"
                    : divide ? $"return ({this.T})({call} * scale);"
                    : $"return ({this.T}){call};");
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

            // A row's weight in the mean: s_i·w_{y_i} (1 without weights); the z-loss part's: s_i.
            bool weighted = this.HasClassWeights || this.HasSampleWeights;
            if (mean)
            {
                if (!weighted)
                {
                    writer.Line("// The mean divides by the rows that count (PyTorch's weighted mean with unit weights); so does the gradient.");
                    writer.Line("int counted = 0;");
                    using (writer.Block("foreach (int t in targets)"))
                    {
                        writer.Line("counted += t != IgnoreIndex ? 1 : 0;");
                    }

                    writer.Line("double denominator = counted;");
                }
                else
                {
                    string rowWeight = string.Join(" * ", new[] { this.HasSampleWeights ? "(double)sampleWeights[row]" : null, this.HasClassWeights ? "classWeights[targets[row]]" : null }.Where(static p => p is not null));
                    writer.Line("// The weighted mean (PyTorch's): Σ_i s_i·ℓ_i / Σ_i s_i·w_{y_i} over the rows that count; 0/0 = NaN when every weight is 0.");
                    writer.Line("global::KernelGen.Runtime.CompensatedSum weightSum = default;");
                    if (this.TwoDenominators)
                    {
                        writer.Line("global::KernelGen.Runtime.CompensatedSum zWeightSum = default;   // the z-loss part divides by Σ s_i (Liger-Kernel: by the rows that count)");
                    }

                    using (writer.Block("for (int row = 0; row < rows; row++)"))
                    {
                        using (writer.Block("if (targets[row] != IgnoreIndex)"))
                        {
                            writer.Line($"weightSum.Add({rowWeight});");
                            if (this.TwoDenominators)
                            {
                                writer.Line($"zWeightSum.Add({(this.HasSampleWeights ? "sampleWeights[row]" : "1.0")});");
                            }
                        }
                    }

                    writer.Line("double denominator = weightSum.Total(out _);");
                    if (this.TwoDenominators)
                    {
                        writer.Line("double zDenominator = zWeightSum.Total(out _);");
                    }
                }
            }

            if (!none)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum total = default;");
                if (this.TwoDenominators)
                {
                    writer.Line("global::KernelGen.Runtime.CompensatedSum zTotal = default;");
                }
            }

            if (this.HasGradient && !this.HasSampleWeights)
            {
                writer.Line(mean ? "double scale = 1.0 / denominator;" : "const double scale = 1.0;");
                if (this.TwoDenominators)
                {
                    writer.Line("double zScale = 1.0 / zDenominator;");
                }
            }

            WriteStreamDecision();
            if (streams && this.ThreePassGradient)
            {
                writer.Line("// Rows of up to ScratchRows.PipelineRowBytes whose gradient streams run as a pipeline of rows: the same bits as one by one.");
                using (writer.Block($"if (stream && rows > 0 && (long)n * sizeof({this.T}) <= global::KernelGen.Runtime.ScratchRows.PipelineRowBytes)"))
                {
                    writer.Line($"{name.Substring(0, name.Length - "Rows".Length)}Pipeline(ref x, ref g, targets, n{weightArguments}, scale, {(none ? "losses" : "ref total")});");
                    WriteReturn();
                }
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                writer.Line("int target = targets[row];");
                if (!reference)
                {
                    writer.Line("nint offset = (nint)row * n;");
                }

                string logits = reference ? "input.Slice(row * n, n)" : $"ref {Unsafe}.Add(ref x, offset)" + (this.model.Width == 0 ? ", n" : string.Empty);
                string gradientRow = reference ? "gradient.Slice(row * n, n)" : $"ref {Unsafe}.Add(ref g, offset)";
                if (this.HasPredictions)
                {
                    writer.Line("predictions[row] = ArgMax(input.Slice(row * n, n));   // before the gradient may overwrite the logits");
                }

                using (writer.Block("if (target == IgnoreIndex)"))
                {
                    if (this.HasLse || this.HasEntropy)
                    {
                        writer.Line("// The LSE and entropy describe the logits, not the target: written for ignored rows too.");
                        var outs = new List<string>();
                        if (this.RowReturnsLse)
                        {
                            outs.Add(", out double ignoredLse");
                        }

                        if (this.HasEntropy)
                        {
                            outs.Add(", out double ignoredEntropy");
                        }

                        string zeroScale = this.HasGradient ? $", {gradientRow}, 0.0" + (this.TwoDenominators ? ", 0.0" : string.Empty) + streamArgument : string.Empty;
                        void WriteOutputs()
                        {
                            writer.Line($"{row}({logits}, 0{weightArguments}{zeroScale}{string.Concat(outs)});");
                            if (this.HasLse)
                            {
                                writer.Line($"lse[row] = ({this.T})ignoredLse;");
                            }

                            if (this.HasEntropy)
                            {
                                writer.Line($"entropy[row] = ({this.T})ignoredEntropy;");
                            }
                        }

                        if (this.model.Width == 0)
                        {
                            using (writer.Block("if (n != 0)"))
                            {
                                WriteOutputs();
                            }
                        }
                        else
                        {
                            WriteOutputs();
                        }

                        if (this.model.Width == 0)
                        {
                            using (writer.Block("else"))
                            {
                                writer.Line("// No classes: log Σ over nothing is −∞, the entropy of nothing 0.");
                                if (this.HasLse)
                                {
                                    writer.Line($"lse[row] = {this.T}.NegativeInfinity;");
                                }

                                if (this.HasEntropy)
                                {
                                    writer.Line("entropy[row] = 0;");
                                }
                            }
                        }
                    }

                    LossRowWriter.WriteSkippedRowEnd(writer, this.HasGradient, none);
                }

                writer.Line();
                if (this.HasGradient && this.HasSampleWeights)
                {
                    writer.Line(mean ? "double scale = sampleWeights[row] / denominator;" : "double scale = sampleWeights[row];");
                    if (this.TwoDenominators)
                    {
                        writer.Line("double zScale = sampleWeights[row] / zDenominator;");
                    }
                }

                string gradientArguments = this.HasGradient ? $", {gradientRow}, scale" + (this.TwoDenominators ? ", zScale" : string.Empty) + streamArgument : string.Empty;
                string outArguments = (this.RowReturnsLse ? ", out double rowLse" : string.Empty) + (this.HasEntropy ? ", out double rowEntropy" : string.Empty);
                string marginArgument = this.HasSampleMargins ? ", margins[row]" : string.Empty;
                writer.Line($"double loss = {row}({logits}, target{weightArguments}{marginArgument}{gradientArguments}{outArguments});");
                if (this.HasLse)
                {
                    writer.Line($"lse[row] = ({this.T})rowLse;");
                }

                if (this.HasEntropy)
                {
                    writer.Line($"entropy[row] = ({this.T})rowEntropy;");
                }

                string weightedLoss = this.HasSampleWeights ? "sampleWeights[row] * loss" : "loss";
                if (none)
                {
                    writer.Line(this.HasSampleWeights ? $"losses[row] = ({this.T})({weightedLoss});" : $"losses[row] = ({this.T})loss;");
                }
                else
                {
                    writer.Line($"total.Add({weightedLoss});");
                    if (this.TwoDenominators)
                    {
                        writer.Line($"zTotal.Add({(this.HasSampleWeights ? "sampleWeights[row] * " : string.Empty)}ZLoss * rowLse * rowLse);");
                    }
                }
            }

            if (!none)
            {
                WriteReturn();
            }
        }

        // The reduction's result (a bare return for None).
        void WriteReturn() => writer.Line(
            none ? "return;"
            : this.TwoDenominators
            ? $"return ({this.T})((total.Total(out _) / denominator) + (zTotal.Total(out _) / zDenominator));"
            : mean
            ? $"return ({this.T})(total.Total(out _) / denominator);   // 0/0 = NaN when no row counts, as PyTorch"
            : $"return ({this.T})total.Total(out _);");
    }

    // ----------------------------------------------------------------------------------- one row

    // A vector path's row takes 'bool stream' with its gradient: write it with streaming stores.
    private string RowParameters(bool vector) => (this.model.Width == 0 ? $"ref {this.T} x, nint n, int target" : $"ref {this.T} x, int target")
        + (this.HasClassWeights ? $", ref {this.T} w" + (this.HasWeightTotal ? ", double weightTotal" : string.Empty) : string.Empty)
        + (this.HasSampleMargins ? ", double margin" : string.Empty)
        + (this.HasGradient ? $", ref {this.T} g, double scale" + (this.TwoDenominators ? ", double zScale" : string.Empty) + (vector ? ", bool stream" : string.Empty) : string.Empty)
        + (this.RowReturnsLse ? ", out double lse" : string.Empty)
        + (this.HasEntropy ? ", out double entropy" : string.Empty);

    private string LseDeclaration => this.RowReturnsLse ? "lse = maximum + logSum;" : "double lse = maximum + logSum;";

    // ℓ from the row's LSE (in a local 'lse'), the target logit, w_y ('weight') and Σ w·z: (1 − ε)·w_y·(LSE − z_y) + (ε/K)·(W·LSE − Σ w·z) + c·LSE².
    private string LossFormula(string logit, string sumX, string n)
    {
        string loss;
        if (this.HasClassWeights)
        {
            loss = this.HasSmoothing
                ? $"((1 - LabelSmoothing) * weight * (lse - {logit})) + (LabelSmoothing / {n} * ((weightTotal * lse) - {sumX}))"
                : $"weight * (lse - {logit})";
        }
        else
        {
            loss = this.HasSmoothing ? $"lse - ((1 - LabelSmoothing) * {logit}) - (LabelSmoothing / {n} * {sumX})" : $"lse - {logit}";
        }

        return this.HasZLoss && !this.TwoDenominators ? loss + " + (ZLoss * lse * lse)" : loss;
    }

    // The factor of p_k in the gradient, in double: scale·((1 − ε)·w_y + ε·W/K) + zScale·2c·LSE (scale·(1 + 2c·LSE) without weights).
    private string ProbabilityFactor(string n)
    {
        if (this.IsTargetLoss)
        {
            return this.HasClassWeights ? "scale * weight * outer" : "scale * outer";
        }

        string ce = !this.HasClassWeights ? "1"
            : this.HasSmoothing ? $"(((1 - LabelSmoothing) * weight) + (LabelSmoothing * weightTotal / {n}))" : "weight";
        if (!this.HasZLoss)
        {
            return ce == "1" ? "scale" : $"scale * {ce}";
        }

        return this.TwoDenominators ? $"(scale * {ce}) + (zScale * 2 * ZLoss * lse)" : $"scale * ({ce} + (2 * ZLoss * lse))";
    }

    // (1 − ε)·w_y + (ε/K)·w_y: what the target's own gradient subtracts, times the scale.
    private string TargetShift(string n)
    {
        if (this.IsTargetLoss)
        {
            return this.HasClassWeights ? "(scale * weight * outer)" : "(scale * outer)";
        }

        string w = this.HasClassWeights ? " * weight" : string.Empty;
        string shift = !this.HasSmoothing ? (this.HasClassWeights ? "weight" : "1.0")
            : $"((1 - LabelSmoothing){w}) + (LabelSmoothing / {n}{w})";
        return shift == "1.0" ? "scale" : $"(scale * ({shift}))";
    }

    // The logits of one vector access as the passes see them: soft-capped if asked, the tail's lanes past the row
    // 'padding' (the vector tanh would turn a −∞ fill into −c, which is not neutral).
    private string Logits(VectorLoopWriter c, VectorAccess a, string padding)
    {
        if (!this.HasSoftcap)
        {
            return a.Load("x", padding == NegativeInfinity(c) ? null : padding.Replace($"{c.Vec}.Zero", "0"));
        }

        string capped = $"cap * {c.M}.Tanh({a.Load("x")} * inverseCap)";
        return a.InRow(c, capped, padding);
    }

    private void WriteVectorRow(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line(this.HasGradient
            ? "// Two passes: the online normalizer (LSE in one read), then the gradient written from the logits."
            : "// One pass: the online normalizer gives LSE in one read of the logits.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters(vector: true)})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            if (this.HasSoftcap)
            {
                writer.Line($"{c.Vec} cap = {c.Splat($"({this.T})Softcap")}, inverseCap = {c.Splat($"({this.T})(1.0 / Softcap)")};");
            }

            if (this.HasSmoothing)
            {
                writer.Line($"// Σ{(this.HasClassWeights ? "w·" : string.Empty)}z for label smoothing, in the same pass: per-lane sums moved into double lanes at each block.");
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
                            // The logits again with 0 past the row (a −∞ fill would make 0·−∞ = NaN, or add −∞).
                            string z = this.HasSoftcap
                                ? a.InRow(c, $"x{a.Accumulator}", $"{c.Vec}.Zero")
                                : a.Load("x", "0");
                            w.Line(this.HasClassWeights ? $"logitSum{a.Accumulator} += {a.Load("w", "0")} * {z};" : $"logitSum{a.Accumulator} += {z};");
                        }
                    }
                    : null,
                this.LogitSumFlush(c),
                this.HasSoftcap ? a => this.Logits(c, a, NegativeInfinity(c)) : null,
                prefetch: true);
            writer.Line($"double maximum = {c.V}.ToScalar(rowMax);");
            writer.Line($"double logSum = {Math}.Log(sum);");
            if (!this.IsTargetLoss)
            {
                writer.Line(this.LseDeclaration);
            }

            this.WriteTargetTanh(writer);
            writer.Line($"double logit = {this.ScalarLogit($"{Unsafe}.Add(ref x, (nint)target)")};");
            if (this.HasClassWeights)
            {
                writer.Line($"double weight = {Unsafe}.Add(ref w, (nint)target);");
            }

            if (this.HasSmoothing)
            {
                writer.Line($"double logitTotal = {c.M}.SumWidened(logitLow, logitHigh);");
            }

            if (this.IsTargetLoss)
            {
                this.WriteTargetLoss(writer, "logit");
            }
            else
            {
                writer.Line($"double loss = {this.LossFormula("logit", "logitTotal", "n")};");
            }
            if (this.HasEntropy)
            {
                writer.Line();
                writer.Line("// The entropy: H = log Σ − Σ e^d·d / Σ with d = z − m (a −∞ logit adds 0·−∞: selected out as 0·log 0 = 0).");
                c.WriteSumDeclarations(writer, "entropySum", true, "entropyWide");
                c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
                {
                    foreach (VectorAccess a in group)
                    {
                        w.Line($"{c.Vec} d{a.Accumulator} = {this.Logits(c, a, NegativeInfinity(c))} - rowMax;");
                        w.Line($"entropySum{a.Accumulator} += {c.V}.ConditionalSelect({c.V}.Equals(d{a.Accumulator}, {NegativeInfinity(c)}), {c.Vec}.Zero, {c.M}.ExpNonPositive(d{a.Accumulator}) * d{a.Accumulator});");
                    }
                }, w => c.WriteSumFlush(w, "entropySum", "entropyWide"));
                writer.Line($"entropy = logSum - ({c.M}.SumWidened(entropyWideLow, entropyWideHigh) / sum);");
            }

            if (this.HasGradient)
            {
                writer.Line();
                writer.Line("// Pass 2: g_k = (factor·exp(z_k − m) − uniform" + (this.HasClassWeights ? "·w_k" : string.Empty) + ")" + (this.HasSoftcap ? "·(1 − t_k²), z_k = c·t_k, t_k = tanh(x_k/c)" : string.Empty) + ", read before written (the gradient may be the logits).");
                writer.Line($"double probability = {this.ProbabilityFactor("n")};");
                writer.Line($"{c.Vec} factor = {c.Splat($"({this.T})(probability / sum)")};");
                string shift = this.HasSmoothing ? (this.HasClassWeights ? " - (uniform * {w})" : " - uniform") : string.Empty;
                if (this.HasSmoothing)
                {
                    writer.Line($"{c.Vec} uniform = {c.Splat($"({this.T})(scale * LabelSmoothing / n)")};");
                }

                void Gradient(IndentedWriter w, IReadOnlyList<VectorAccess> group)
                {
                    foreach (VectorAccess a in group)
                    {
                        string uniform = shift.Replace("{w}", a.Load("w", "0"));
                        if (this.HasSoftcap)
                        {
                            w.Line($"{c.Vec} t{a.Accumulator} = {c.M}.Tanh({a.Load("x")} * inverseCap);");
                            w.Line(a.Store($"(({c.M}.ExpNonPositive((cap * t{a.Accumulator}) - rowMax) * factor){uniform}) * ({c.Vec}.One - (t{a.Accumulator} * t{a.Accumulator}))", "g"));
                        }
                        else
                        {
                            w.Line(a.Store($"({c.M}.ExpNonPositive({a.Load("x")} - rowMax) * factor){uniform}", "g"));
                        }
                    }
                }

                // The same pass twice: with streaming stores for a gradient larger than the caches, with ordinary ones otherwise.
                using (writer.Block("if (stream)"))
                {
                    c.WritePass(writer, $"{this.T}.NegativeInfinity", Gradient, stream: "g");
                }

                using (writer.Block("else"))
                {
                    c.WritePass(writer, $"{this.T}.NegativeInfinity", Gradient);
                }
                this.WriteTargetGradient(writer, "n");
            }

            writer.Line("return loss;");
        }
    }

    private static string NegativeInfinity(VectorLoopWriter c) => c.Splat($"{c.T}.NegativeInfinity");

    // The target's logit in double: soft-capped in double if asked.
    private string ScalarLogit(string x) => this.HasSoftcap ? "Softcap * targetTanh" : x;

    // With a soft cap, tanh(x_y/c) in double, read before the gradient pass (which may overwrite the logits).
    private void WriteTargetTanh(IndentedWriter writer)
    {
        if (this.HasSoftcap)
        {
            writer.Line($"double targetTanh = {Math}.Tanh({Unsafe}.Add(ref x, (nint)target) / Softcap);");
        }
    }

    // The target's gradient again in double: p_y − (1 − ε) would cancel in T when p_y is near 1.
    private void WriteTargetGradient(IndentedWriter writer, string n)
    {
        if (this.IsTargetLoss)
        {
            writer.Line("// The target's own gradient in double: h·(p_y − 1) = h·expm1(L), which neither cancels near p_y = 1 nor multiplies a large h by a rounding error.");
            writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(probability * global::KernelGen.Runtime.TargetLosses.ExpM1(logP));");
            return;
        }

        writer.Line("// The target's own gradient in double: p_y − (1 − ε) would lose its digits in the element type when p_y is near 1.");
        string chain = this.HasSoftcap ? " * (1 - (targetTanh * targetTanh))" : string.Empty;
        writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})(((probability * {Math}.Exp((logit - maximum) - logSum)) - {this.TargetShift(n)}){chain});");
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        string exp = this.Element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";
        string Z(string x) => this.HasSoftcap ? $"(({this.T})Softcap * {this.T}.Tanh({x} * ({this.T})(1.0 / Softcap)))" : x;
        writer.Line("// Scalar: the row's maximum; Σ exp(z − m) (and Σz) in double; then the gradient if asked for.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double ScalarRow({this.RowParameters(vector: false)})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"{this.T} maximum = {this.T}.NegativeInfinity;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"maximum = {Math}.Max(maximum, {Z($"{Unsafe}.Add(ref x, i)")});");
            }

            writer.Line();
            writer.Line("global::KernelGen.Runtime.CompensatedSum exps = default;");
            if (this.HasSmoothing)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum logits = default;");
            }

            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} z = {Z($"{Unsafe}.Add(ref x, i)")};");
                writer.Line($"exps.Add({exp}(z - maximum));");
                if (this.HasSmoothing)
                {
                    writer.Line(this.HasClassWeights ? $"logits.Add((double){Unsafe}.Add(ref w, i) * z);" : "logits.Add(z);");
                }
            }

            writer.Line();
            writer.Line("double sum = exps.Total(out _);");
            writer.Line($"double logSum = {Math}.Log(sum);");
            if (!this.IsTargetLoss)
            {
                writer.Line(this.LseDeclaration);
            }

            this.WriteTargetTanh(writer);
            writer.Line($"double logit = {this.ScalarLogit($"{Unsafe}.Add(ref x, (nint)target)")};");
            if (this.HasClassWeights)
            {
                writer.Line($"double weight = {Unsafe}.Add(ref w, (nint)target);");
            }

            if (this.IsTargetLoss)
            {
                this.WriteTargetLoss(writer, "logit");
            }
            else
            {
                writer.Line($"double loss = {this.LossFormula("logit", "logits.Total(out _)", "n")};");
            }
            if (this.HasEntropy)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum plogp = default;   // Σ e^d·d, d = z − m; 0·log 0 = 0");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double d = {Z($"{Unsafe}.Add(ref x, i)")} - maximum;");
                    using (writer.Block("if (d != double.NegativeInfinity)"))
                    {
                        writer.Line($"plogp.Add({exp}(({this.T})d) * d);");
                    }
                }

                writer.Line("entropy = logSum - (plogp.Total(out _) / sum);");
            }

            if (this.HasGradient)
            {
                writer.Line($"double probability = {this.ProbabilityFactor("n")};");
                writer.Line($"{this.T} factor = ({this.T})(probability / sum);");
                if (this.HasSmoothing)
                {
                    writer.Line($"{this.T} uniform = ({this.T})(scale * LabelSmoothing / n);");
                }

                string shift = this.HasSmoothing ? (this.HasClassWeights ? $" - (uniform * {Unsafe}.Add(ref w, i))" : " - uniform") : string.Empty;
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    if (this.HasSoftcap)
                    {
                        writer.Line($"{this.T} t = {this.T}.Tanh({Unsafe}.Add(ref x, i) * ({this.T})(1.0 / Softcap));");
                        writer.Line($"{Unsafe}.Add(ref g, i) = (({exp}((({this.T})Softcap * t) - maximum) * factor){shift}) * (1 - (t * t));");
                    }
                    else
                    {
                        writer.Line($"{Unsafe}.Add(ref g, i) = ({exp}({Unsafe}.Add(ref x, i) - maximum) * factor){shift};");
                    }
                }

                this.WriteTargetGradient(writer, "n");
            }

            writer.Line("return loss;");
        }
    }
}
