using System;
using System.Collections.Generic;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Writes a [KLDivergence] or [DistillationLoss] kernel inside the shell of <see cref="KernelFileWriter"/>: its own
/// argument checks and rows loops, one row method per path and the double-precision reference. A vector row reads the
/// student and the teacher once each for their online normalizers (maximum and Σ exp((z − m)/T)), then once more for the
/// divergence (and, for the forward KL, the gradient in the same pass); the reverse KL and the Jensen–Shannon form need
/// Σ p·log(p/m) before their gradient, so they write it in a third pass, as does [DistillationLoss] with T ≠ 1 (its
/// cross-entropy needs Σ exp(s − m) at temperature 1, summed in the second pass).
/// </summary>
internal sealed class DistillationEmitter : IKernelRowWriter, IKernelValidationWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Arguments = "global::KernelGen.Runtime.KernelArguments";
    private const string Compensated = "global::KernelGen.Runtime.CompensatedSum";
    private readonly DistillationModel model;

    private DistillationEmitter(DistillationModel model) => this.model = model;

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(DistillationModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new DistillationEmitter(model));

    public int Width => this.model.Width;

    public string Summary
    {
        get
        {
            var parts = new List<string>
            {
                this.IsDistillation ? "distillation loss α·KD + (1 − α)·CE (Alpha = " + CSharpLiteral.Of(this.model.Alpha) + ")" : "distillation divergence",
                this.DivergenceName,
                KernelFileWriter.ElementName(this.Element),
                "Temperature = " + CSharpLiteral.Of(this.model.Temperature) + (this.model.ScaleByTemperatureSquared ? " with the T² factor" : " without the T² factor"),
                "Reduction = " + this.model.Reduction,
                this.HasGradient ? "with the gradient" : "forward only",
            };
            return string.Join(", ", parts);
        }
    }

    private string DivergenceName => this.model.Divergence switch
    {
        DivergenceKind.Reverse => "reverse KL(p ‖ q)",
        DivergenceKind.JensenShannon => "generalized JSD (Beta = " + CSharpLiteral.Of(this.model.Beta) + ")",
        _ => "forward KL(q ‖ p)",
    };

    private bool IsDistillation => this.model.Kind == DistillationKind.DistillationLoss;

    private bool HasGradient => this.model.Signature.Has(ParameterRole.Gradient);

    private bool IsForward => this.model.Divergence == DivergenceKind.Forward;

    private bool IsJsd => this.model.Divergence == DivergenceKind.JensenShannon;

    private bool HasTemperature => this.model.Temperature != 1.0;

    // [DistillationLoss] at T ≠ 1: the cross-entropy needs S₁ = Σ exp(s − m) besides the softened sum.
    private bool NeedsPlainSum => this.IsDistillation && this.HasTemperature;

    // The gradient has its own pass when it needs a sum of the second pass.
    private bool GradientPass => this.HasGradient && (!this.IsForward || this.NeedsPlainSum);

    private bool ManyRows => this.model.Signature.Shape == KernelShape.ManyRows;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    // "Alpha * " before the divergence's terms of [DistillationLoss].
    private string AlphaTimes => this.IsDistillation ? "Alpha * " : string.Empty;

    public void WriteConstants(IndentedWriter writer)
    {
        double t = this.model.Temperature;
        ConstantWriter.WriteClassHeader(
            writer,
            this.model.Width,
            this.IsDistillation ? this.model.IgnoreIndex : null,
            "A target equal to this is ignored: its row adds no loss (neither part) and gets a zero gradient.");
        if (this.IsDistillation)
        {
            ConstantWriter.Constant(writer, "α: the weight of the distillation part; 1 − α weighs the hard-label cross-entropy.", "Alpha", this.model.Alpha);
        }

        ConstantWriter.Constant(writer, "1/T: both rows are softened as softmax(z/T).", "InverseTemperature", 1.0 / t);
        ConstantWriter.Constant(
            writer,
            this.model.ScaleByTemperatureSquared
                ? "T²: the divergence's factor (Hinton et al.), so that its gradient T·(p − q) keeps the size of the T = 1 gradient."
                : "1: the divergence is not scaled by T² (ScaleByTemperatureSquared = false).",
            "LossFactor",
            this.model.ScaleByTemperatureSquared ? t * t : 1.0);
        ConstantWriter.Constant(writer, "LossFactor/T: the factor of the gradient with respect to the student's logits (the softmax of s/T contributes 1/T).", "GradientFactor", this.model.ScaleByTemperatureSquared ? t : 1.0 / t);
        if (this.IsJsd)
        {
            double beta = this.model.Beta;
            ConstantWriter.Constant(writer, "β: the teacher's weight in the mixture m = β·q + (1 − β)·p.", "Beta", beta);
            ConstantWriter.Constant(writer, "log β and log(1 − β), and the ratios (1 − β)/β and β/(1 − β) of log(m/p) = max(a, 0) + log w + log1p(r·e^(−|a|)), a = log q − log p.", "LogBeta", System.Math.Log(beta));
            writer.Line($"private const double LogOneMinusBeta = {CSharpLiteral.Of(System.Math.Log(1 - beta))};");
            writer.Line($"private const double RatioAbove = {CSharpLiteral.Of((1 - beta) / beta)};");
            writer.Line($"private const double RatioBelow = {CSharpLiteral.Of(beta / (1 - beta))};");
        }
    }

    // ----------------------------------------------------------------------------------- validation

    public void WriteValidation(IndentedWriter writer, KernelSignature s, string pathsClass)
    {
        string t = this.T;
        string student = s.InputName;
        string teacher = s.NameOf(ParameterRole.Teacher)!;
        string? gradient = s.NameOf(ParameterRole.Gradient);
        string? losses = s.NameOf(ParameterRole.Losses);
        string rows;
        if (this.IsDistillation)
        {
            // The teacher as long as the student (the same memory is allowed: both are read only), then the targets.
            writer.Line($"{Arguments}.ValidateRow<{t}>({student}, {teacher}, 0, nameof({student}), nameof({teacher}));");
            if (s.NameOf(ParameterRole.Target) is { } target)
            {
                writer.Line($"{Arguments}.ValidateTarget<{t}>({student}, {target}, {pathsClass}.Width, {pathsClass}.IgnoreIndex, nameof({student}), nameof({target}));");
                rows = "1";
            }
            else
            {
                string targets = s.NameOf(ParameterRole.Targets)!;
                writer.Line($"{Arguments}.ValidateTargets<{t}>({student}, {targets}, {pathsClass}.Width, {pathsClass}.IgnoreIndex, nameof({student}), nameof({targets}));");
                rows = targets + ".Length";
            }
        }
        else if (s.RowLengthName is { } rowLength)
        {
            writer.Line($"{Arguments}.ValidateRows<{t}>({student}, {teacher}, {rowLength}, {pathsClass}.Width, nameof({student}), nameof({teacher}), nameof({rowLength}));");
            rows = $"{student}.Length / {rowLength}";
        }
        else
        {
            writer.Line($"{Arguments}.ValidateRow<{t}>({student}, {teacher}, {pathsClass}.Width, nameof({student}), nameof({teacher}));");
            rows = "1";
        }

        if (losses is not null)
        {
            writer.Line($"{Arguments}.ValidateLosses<{t}>({losses}, {rows}, {student}, {gradient ?? "default"}, nameof({losses}));");
            writer.Line($"{Arguments}.ValidateApart<{t}>({losses}, {teacher}, nameof({losses}));");
        }

        if (gradient is not null)
        {
            // The gradient may replace the student's logits (each is read before it is written), never the teacher's.
            writer.Line($"{Arguments}.ValidateGradient<{t}>({gradient}, {student}, nameof({gradient}));");
            writer.Line($"{Arguments}.ValidateApart<{t}>({gradient}, {teacher}, nameof({gradient}));");
        }
    }

    // ----------------------------------------------------------------------------------- rows

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

    // The rows loop of a path (or of the reference): skips ignored rows ([DistillationLoss]), reduces the row losses.
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
            string length = this.model.Width == 0 && !reference ? ", input.Length" : string.Empty;
            if (!this.ManyRows)
            {
                string spans = reference ? "input, teacher" : $"ref {MemoryMarshal}.GetReference(input), ref {MemoryMarshal}.GetReference(teacher)";
                string gradientArguments = !this.HasGradient ? string.Empty : reference ? ", gradient, 1.0" : $", ref {MemoryMarshal}.GetReference(gradient), 1.0";
                if (this.IsDistillation)
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
                    writer.Line($"return ({this.T}){row}({spans}{length}, target{gradientArguments});");
                }
                else
                {
                    using (writer.Block("if (input.Length == 0)"))
                    {
                        writer.Line("// No classes: a sum over nothing.");
                        writer.Line("return 0;");
                    }

                    writer.Line();
                    writer.Line($"return ({this.T}){row}({spans}{length}{gradientArguments});");
                }

                return;
            }

            if (this.IsDistillation)
            {
                writer.Line("int rows = targets.Length;");
                writer.Line(this.model.Width == 0 ? "int n = rows == 0 ? 0 : input.Length / rows;" : "const int n = Width;");
            }
            else
            {
                writer.Line(this.model.Width == 0 ? "int n = rowLength;" : "const int n = Width;");
                writer.Line("int rows = input.Length / n;");
            }

            if (!reference)
            {
                writer.Line($"ref {this.T} x = ref {MemoryMarshal}.GetReference(input);");
                writer.Line($"ref {this.T} t = ref {MemoryMarshal}.GetReference(teacher);");
                if (this.HasGradient)
                {
                    writer.Line($"ref {this.T} g = ref {MemoryMarshal}.GetReference(gradient);");
                }
            }

            if (mean)
            {
                if (this.IsDistillation)
                {
                    writer.Line("// The mean divides by the rows that count (an ignored row drops out of both parts); so does the gradient.");
                    writer.Line("int counted = 0;");
                    using (writer.Block("foreach (int target in targets)"))
                    {
                        writer.Line("counted += target != IgnoreIndex ? 1 : 0;");
                    }

                    writer.Line("double denominator = counted;");
                }
                else
                {
                    writer.Line("// PyTorch's 'batchmean': the sum over the rows divided by their number; so is the gradient.");
                    writer.Line("double denominator = rows;");
                }
            }

            if (!none)
            {
                writer.Line($"{Compensated} total = default;");
            }

            if (this.HasGradient)
            {
                writer.Line(mean ? "double scale = 1.0 / denominator;" : "const double scale = 1.0;");
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                string targetArgument = string.Empty;
                if (this.IsDistillation)
                {
                    writer.Line("int target = targets[row];");
                    using (writer.Block("if (target == IgnoreIndex)"))
                    {
                        LossRowWriter.WriteSkippedRowEnd(writer, this.HasGradient, none);
                    }

                    writer.Line();
                    targetArgument = ", target";
                }

                string call;
                if (reference)
                {
                    call = $"{row}(input.Slice(row * n, n), teacher.Slice(row * n, n){targetArgument}" + (this.HasGradient ? ", gradient.Slice(row * n, n), scale" : string.Empty) + ")";
                }
                else
                {
                    writer.Line("nint offset = (nint)row * n;");
                    call = $"{row}(ref {Unsafe}.Add(ref x, offset), ref {Unsafe}.Add(ref t, offset)" + (this.model.Width == 0 ? ", n" : string.Empty) + targetArgument
                        + (this.HasGradient ? $", ref {Unsafe}.Add(ref g, offset), scale" : string.Empty) + ")";
                }

                writer.Line($"double loss = {call};");
                writer.Line(none ? $"losses[row] = ({this.T})loss;" : "total.Add(loss);");
            }

            if (!none)
            {
                writer.Line(mean
                    ? $"return ({this.T})(total.Total(out _) / denominator);   // 0/0 = NaN when no row counts, as PyTorch"
                    : $"return ({this.T})total.Total(out _);");
            }
        }
    }

    // ----------------------------------------------------------------------------------- reference

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = $"global::System.ReadOnlySpan<{this.T}> s, global::System.ReadOnlySpan<{this.T}> t"
            + (this.IsDistillation ? ", int target" : string.Empty)
            + (this.HasGradient ? $", global::System.Span<{this.T}> g, double scale" : string.Empty);
        writer.Line("// The textbook form in double: log p = log_softmax(s/T), log q = log_softmax(t/T) with compensated sums, then");
        writer.Line(this.model.Divergence switch
        {
            DivergenceKind.Reverse => "// D = Σ p·(log p − log q) over p > 0 (0·log 0 = 0); ∂D/∂s = (1/T)·p·(r − Σ p·r), r = log p − log q.",
            DivergenceKind.JensenShannon => "// D = β·Σ q·(log q − log m) + (1 − β)·Σ p·(log p − log m), log m = log(β·q + (1 − β)·p) in log space; ∂D/∂s = (1/T)·(1 − β)·p·(r − Σ p·r), r = log p − log m.",
            _ => "// D = Σ q·(log q − log p) over q > 0 (0·log 0 = 0); ∂D/∂s = (p − q)/T.",
        });
        writer.Line(this.IsDistillation
            ? "// ℓ = α·LossFactor·D + (1 − α)·(−log_softmax(s)_y); the gradient adds (1 − α)·(softmax(s) − onehot(y))."
            : "// ℓ = LossFactor·D.");
        using (writer.Block($"private static double ReferenceRow({parameters})"))
        {
            writer.Line("double[] logP = ReferenceLogSoftmax(s, InverseTemperature);");
            writer.Line("double[] logQ = ReferenceLogSoftmax(t, InverseTemperature);");
            if (this.IsJsd)
            {
                writer.Line("double[] logM = new double[s.Length];");
                using (writer.Block("for (int i = 0; i < s.Length; i++)"))
                {
                    writer.Line("// log(β·e^(log q) + (1 − β)·e^(log p)) without leaving log space.");
                    writer.Line($"double u = {Math}.Log(Beta) + logQ[i], v = {Math}.Log(1 - Beta) + logP[i];");
                    writer.Line($"double high = {Math}.Max(u, v);");
                    writer.Line($"logM[i] = double.IsNegativeInfinity(high) ? high : high + global::KernelGen.Runtime.ScalarMath.Log1p({Math}.Exp({Math}.Min(u, v) - high));");
                }
            }

            writer.Line($"{Compensated} divergence = default;");
            if (!this.IsForward)
            {
                writer.Line($"{Compensated} studentTerm = default;   // Σ p·r");
            }

            using (writer.Block("for (int i = 0; i < s.Length; i++)"))
            {
                writer.Line($"double p = {Math}.Exp(logP[i]), q = {Math}.Exp(logQ[i]);");
                switch (this.model.Divergence)
                {
                    case DivergenceKind.Forward:
                        using (writer.Block("if (q != 0)"))
                        {
                            writer.Line("divergence.Add(q * (logQ[i] - logP[i]));");
                        }

                        break;
                    case DivergenceKind.Reverse:
                        using (writer.Block("if (p != 0)"))
                        {
                            writer.Line("divergence.Add(p * (logP[i] - logQ[i]));");
                            writer.Line("studentTerm.Add(p * (logP[i] - logQ[i]));");
                        }

                        break;
                    default:
                        using (writer.Block("if (q != 0)"))
                        {
                            writer.Line("divergence.Add(Beta * q * (logQ[i] - logM[i]));");
                        }

                        using (writer.Block("if (p != 0)"))
                        {
                            writer.Line("divergence.Add((1 - Beta) * p * (logP[i] - logM[i]));");
                            writer.Line("studentTerm.Add(p * (logP[i] - logM[i]));");
                        }

                        break;
                }
            }

            if (this.IsDistillation)
            {
                writer.Line("double[] logP1 = ReferenceLogSoftmax(s, 1.0);   // the cross-entropy's, at temperature 1");
            }

            writer.Line(this.IsDistillation
                ? "double loss = (Alpha * LossFactor * divergence.Total(out _)) + ((1 - Alpha) * -logP1[target]);"
                : "double loss = LossFactor * divergence.Total(out _);");
            if (this.HasGradient)
            {
                if (!this.IsForward)
                {
                    writer.Line("double rho = studentTerm.Total(out _);");
                }

                using (writer.Block("for (int i = 0; i < s.Length; i++)"))
                {
                    writer.Line($"double p = {Math}.Exp(logP[i]), q = {Math}.Exp(logQ[i]);");
                    writer.Line(this.model.Divergence switch
                    {
                        DivergenceKind.Forward => "double d = p - q;",
                        DivergenceKind.Reverse => "double d = p == 0 ? 0 : p * ((logP[i] - logQ[i]) - rho);",
                        _ => "double d = p == 0 ? 0 : (1 - Beta) * p * ((logP[i] - logM[i]) - rho);",
                    });
                    writer.Line(this.IsDistillation
                        ? $"g[i] = ({this.T})(scale * ((Alpha * GradientFactor * d) + ((1 - Alpha) * ({Math}.Exp(logP1[i]) - (i == target ? 1 : 0)))));"
                        : $"g[i] = ({this.T})(scale * GradientFactor * d);");
                }
            }

            writer.Line("return loss;");
        }

        writer.Line();
        writer.Line("// log_softmax(z·c) in double: (z·c − max) − log Σ exp(z·c − max), compensated.");
        using (writer.Block($"private static double[] ReferenceLogSoftmax(global::System.ReadOnlySpan<{this.T}> z, double c)"))
        {
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("foreach (double value in z)"))
            {
                writer.Line($"maximum = {Math}.Max(maximum, value * c);");
            }

            writer.Line($"{Compensated} exps = default;");
            using (writer.Block("foreach (double value in z)"))
            {
                writer.Line($"exps.Add({Math}.Exp((value * c) - maximum));");
            }

            writer.Line($"double logSum = {Math}.Log(exps.Total(out _));");
            writer.Line("double[] result = new double[z.Length];");
            using (writer.Block("for (int i = 0; i < z.Length; i++)"))
            {
                writer.Line("result[i] = ((z[i] * c) - maximum) - logSum;");
            }

            writer.Line("return result;");
        }
    }

    // ----------------------------------------------------------------------------------- one row

    private string RowParameters() => $"ref {this.T} x, ref {this.T} t"
        + (this.model.Width == 0 ? ", nint n" : string.Empty)
        + (this.IsDistillation ? ", int target" : string.Empty)
        + (this.HasGradient ? $", ref {this.T} g, double scale" : string.Empty);

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (path.IsVector)
        {
            this.WriteVectorRow(writer, new VectorLoopWriter(path, this.Element, this.model.Unroll));
        }
        else
        {
            this.WriteScalarRow(writer);
        }
    }

    // The loss from the sums of the second pass (in double): the divergence, times T² (and α), plus the cross-entropy.
    private void WriteLoss(IndentedWriter writer, string studentMax)
    {
        switch (this.model.Divergence)
        {
            case DivergenceKind.Forward:
                writer.Line("double divergence = forwardTotal / teacherSum;   // Σ q·(log q − log p)");
                break;
            case DivergenceKind.Reverse:
                writer.Line("double rho = -studentTotal / studentSum;   // Σ p·log(p/q)");
                writer.Line("double divergence = rho;");
                break;
            default:
                writer.Line("double rho = -studentTotal / studentSum;   // Σ p·log(p/m)");
                writer.Line("double divergence = (Beta * (-teacherTotal / teacherSum)) + ((1 - Beta) * rho);   // β·KL(q ‖ m) + (1 − β)·KL(p ‖ m)");
                break;
        }
        if (this.IsDistillation)
        {
            writer.Line($"double logPlainSum = {(this.NeedsPlainSum ? $"{Math}.Log(plainSum)" : "logStudentSum")};");
            writer.Line($"double crossEntropy = logPlainSum - (studentTarget - {studentMax});   // LSE(s) − s_y");
            writer.Line("double loss = (Alpha * LossFactor * divergence) + ((1 - Alpha) * crossEntropy);");
        }
        else
        {
            writer.Line("double loss = LossFactor * divergence;");
        }
    }

    // The gradient's factors (double) once the sums they need are known.
    private void WriteGradientFactors(IndentedWriter writer)
    {
        string kd = this.AlphaTimes;
        if (this.IsForward)
        {
            string plain = this.IsDistillation && !this.NeedsPlainSum ? " + (scale * (1 - Alpha) / studentSum)" : string.Empty;
            writer.Line($"double studentFactor = (scale * {kd}GradientFactor / studentSum){plain};   // of exp((s − m)/T)");
            writer.Line($"double teacherFactor = scale * {kd}GradientFactor / teacherSum;   // of exp((t − m)/T)");
        }
        else
        {
            string weight = this.IsJsd ? "(1 - Beta) * " : string.Empty;
            writer.Line($"double divergenceFactor = scale * {kd}GradientFactor * {weight}(1 / studentSum);   // of exp((s − m)/T)·(r − Σ p·r)");
            if (this.IsDistillation && !this.NeedsPlainSum)
            {
                writer.Line("double plainFactor = scale * (1 - Alpha) / studentSum;   // of exp(s − m)");
            }
        }

        if (this.NeedsPlainSum)
        {
            writer.Line("double plainFactor = scale * (1 - Alpha) / plainSum;   // of exp(s − m)");
        }
    }

    // The target's own gradient again in double ([DistillationLoss]): p₁_y − 1 would lose its digits near p₁_y = 1.
    private void WriteTargetGradient(IndentedWriter writer, string studentMax, string teacherMax)
    {
        writer.Line("// The target's own gradient in double: the cross-entropy's p_y − 1 = expm1(log p_y) does not cancel near p_y = 1.");
        writer.Line($"double targetStudent = (studentTarget - {studentMax}) * InverseTemperature, targetTeacher = (teacherTarget - {teacherMax}) * InverseTemperature;");
        string divergence = this.model.Divergence switch
        {
            DivergenceKind.Forward => $"(scale * Alpha * GradientFactor * (({Math}.Exp(targetStudent) / studentSum) - ({Math}.Exp(targetTeacher) / teacherSum)))",
            _ => $"(targetP == 0 ? 0 : divergenceFactor * targetP * (-rho - LogMixtureOverStudent((targetTeacher - targetStudent) + shiftValue, out _)))",
        };
        if (!this.IsForward)
        {
            writer.Line($"double targetP = {Math}.Exp(targetStudent);");
        }

        writer.Line($"{Unsafe}.Add(ref g, (nint)target) = ({this.T})({divergence} + (scale * (1 - Alpha) * global::KernelGen.Runtime.TargetLosses.ExpM1((studentTarget - {studentMax}) - logPlainSum)));");
    }

    private void WriteVectorRow(IndentedWriter writer, VectorLoopWriter c)
    {
        string passes = this.GradientPass ? "three passes: the two normalizers, the divergence, then the gradient"
            : this.HasGradient ? "two passes: the two normalizers, then the divergence and the gradient together"
            : "two passes: the two normalizers, then the divergence";
        writer.Line($"// {char.ToUpperInvariant(passes[0])}{passes.Substring(1)} (each reads the student and the teacher once).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters()})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            if (this.HasTemperature)
            {
                writer.Line($"{c.Vec} inverseTemperature = {c.Splat($"({this.T})InverseTemperature")};");
            }

            if (this.IsDistillation)
            {
                writer.Line($"double studentTarget = {Unsafe}.Add(ref x, (nint)target);   // read before the gradient may overwrite the logits");
                if (this.HasGradient)
                {
                    writer.Line($"double teacherTarget = {Unsafe}.Add(ref t, (nint)target);");
                }
            }

            Func<string, string> scaled = this.HasTemperature ? static d => $"({d}) * inverseTemperature" : static d => d;
            foreach ((string role, string source) in new[] { ("student", "x"), ("teacher", "t") })
            {
                writer.Line($"{c.Vec} {role}Max;");
                writer.Line($"double {role}Sum;");
                using (writer.Block())
                {
                    writer.Line($"// The {role}'s online normalizer.");
                    OnlineNormalizerWriter.WritePass(writer, c, scaled, prefetch: true, source: source);
                    writer.Line($"{role}Max = rowMax;");
                    writer.Line($"{role}Sum = sum;");
                }
            }

            writer.Line($"double logStudentSum = {Math}.Log(studentSum), logTeacherSum = {Math}.Log(teacherSum);");
            writer.Line("double shiftValue = logStudentSum - logTeacherSum;");
            writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})shiftValue")};   // log q − log p = (t − m_t)/T − (s − m_s)/T + shift");
            if (this.IsJsd)
            {
                writer.Line($"{c.Vec} ratioAbove = {c.Splat($"({this.T})RatioAbove")}, ratioBelow = {c.Splat($"({this.T})RatioBelow")};");
                writer.Line($"{c.Vec} logBeta = {c.Splat($"({this.T})LogBeta")}, logOneMinusBeta = {c.Splat($"({this.T})LogOneMinusBeta")};");
            }

            // The sums of the second pass.
            var sums = new List<(string Prefix, string Wide)>();
            if (this.IsForward)
            {
                sums.Add(("forward", "forwardWide"));
            }
            else
            {
                sums.Add(("student", "studentWide"));
                if (this.IsJsd)
                {
                    sums.Add(("teacher", "teacherWide"));
                }
            }

            if (this.NeedsPlainSum)
            {
                sums.Add(("plain", "plainWide"));
            }

            for (int s = 0; s < sums.Count; s++)
            {
                c.WriteSumDeclarations(writer, sums[s].Prefix, true, sums[s].Wide, comment: s == 0);
            }

            bool fused = this.HasGradient && !this.GradientPass;
            if (fused)
            {
                this.WriteGradientFactors(writer);
                writer.Line($"{c.Vec} studentFactorVector = {c.Splat($"({this.T})studentFactor")}, teacherFactorVector = {c.Splat($"({this.T})teacherFactor")};");
            }

            writer.Line();
            writer.Line(this.IsForward
                ? "// Pass 2: Σ e^(d_t)·(log q − log p) (e^(d_t) = 0 adds 0: 0·log 0 = 0, and both −∞ adds 0)" + (fused ? "; g = T·(p − q)·scale, read before written." : ".")
                : "// Pass 2: Σ e^(d_s)·log(m/p)" + (this.IsJsd ? " and Σ e^(d_t)·log(m/q)" : string.Empty) + ", a term with a zero weight adding 0.");
            string fill = $"{this.T}.NegativeInfinity";
            c.WritePass(writer, fill, (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    int u = a.Accumulator;
                    this.WriteDifferences(w, c, a, u);
                    if (this.IsForward)
                    {
                        w.Line($"forward{u} += {c.V}.ConditionalSelect({c.V}.Equals(eq{u}, {c.Vec}.Zero), {c.Vec}.Zero, eq{u} * a{u});");
                    }
                    else
                    {
                        w.Line($"{c.Vec} ep{u} = {c.M}.ExpNonPositive(ds{u});");
                        this.WriteMixture(w, c, u);
                        w.Line($"student{u} += {c.V}.ConditionalSelect({c.V}.Equals(ep{u}, {c.Vec}.Zero), {c.Vec}.Zero, ep{u} * overStudent{u});");
                        if (this.IsJsd)
                        {
                            w.Line($"teacher{u} += {c.V}.ConditionalSelect({c.V}.Equals(eq{u}, {c.Vec}.Zero), {c.Vec}.Zero, eq{u} * overTeacher{u});");
                        }
                    }

                    if (this.NeedsPlainSum)
                    {
                        w.Line($"plain{u} += {c.M}.ExpNonPositive({a.Load("x")} - studentMax);");
                    }

                    if (fused)
                    {
                        w.Line(a.Store($"({c.M}.ExpNonPositive(ds{u}) * studentFactorVector) - (eq{u} * teacherFactorVector)", "g"));
                    }
                }
            }, w =>
            {
                foreach ((string prefix, string wide) in sums)
                {
                    c.WriteSumFlush(w, prefix, wide);
                }
            });
            foreach ((string prefix, string wide) in sums)
            {
                writer.Line($"double {prefix}{(prefix == "plain" ? "Sum" : "Total")} = {c.M}.SumWidened({wide}Low, {wide}High);");
            }

            string studentMaxValue = $"(double){c.V}.ToScalar(studentMax)";
            string teacherMaxValue = $"(double){c.V}.ToScalar(teacherMax)";
            this.WriteLoss(writer, studentMaxValue);
            if (this.GradientPass)
            {
                writer.Line();
                this.WriteGradientFactors(writer);
                if (this.IsForward)
                {
                    writer.Line($"{c.Vec} studentFactorVector = {c.Splat($"({this.T})studentFactor")}, teacherFactorVector = {c.Splat($"({this.T})teacherFactor")};");
                }
                else
                {
                    writer.Line($"{c.Vec} divergenceFactorVector = {c.Splat($"({this.T})divergenceFactor")}, rhoVector = {c.Splat($"({this.T})(-rho)")};");
                }

                if (this.IsDistillation)
                {
                    writer.Line($"{c.Vec} plainFactorVector = {c.Splat($"({this.T})plainFactor")};");
                }

                writer.Line("// Pass 3: the gradient, read before written (the gradient may be the student's logits).");
                c.WritePass(writer, fill, (w, group) =>
                {
                    foreach (VectorAccess a in group)
                    {
                        int u = a.Accumulator;
                        string plain = !this.IsDistillation ? string.Empty
                            : this.NeedsPlainSum ? $" + ({c.M}.ExpNonPositive({a.Load("x")} - studentMax) * plainFactorVector)"
                            : $" + (ep{u} * plainFactorVector)";
                        this.WriteDifferences(w, c, a, u);
                        if (this.IsForward)
                        {
                            w.Line(a.Store($"(({c.M}.ExpNonPositive(ds{u}) * studentFactorVector) - (eq{u} * teacherFactorVector)){plain}", "g"));
                        }
                        else
                        {
                            w.Line($"{c.Vec} ep{u} = {c.M}.ExpNonPositive(ds{u});");
                            this.WriteMixture(w, c, u);
                            w.Line(a.Store($"({c.V}.ConditionalSelect({c.V}.Equals(ep{u}, {c.Vec}.Zero), {c.Vec}.Zero, ep{u} * (rhoVector - overStudent{u})) * divergenceFactorVector){plain}", "g"));
                        }
                    }
                });
            }

            if (this.HasGradient && this.IsDistillation)
            {
                this.WriteTargetGradient(writer, studentMaxValue, teacherMaxValue);
            }

            writer.Line("return loss;");
        }
    }

    // ds = (s − m_s)/T and dt = (t − m_t)/T (−∞ past the row), e^(dt), and a = log q − log p = dt − ds + shift.
    private void WriteDifferences(IndentedWriter w, VectorLoopWriter c, VectorAccess a, int u)
    {
        string temperature = this.HasTemperature ? " * inverseTemperature" : string.Empty;
        w.Line($"{c.Vec} ds{u} = ({a.Load("x")} - studentMax){temperature};");
        w.Line($"{c.Vec} dt{u} = ({a.Load("t")} - teacherMax){temperature};");
        w.Line($"{c.Vec} eq{u} = {c.M}.ExpNonPositive(dt{u});");
        w.Line($"{c.Vec} a{u} = (dt{u} - ds{u}) + shift;");
    }

    // log(m/p) (and for the JSD log(m/q)) from a = log q − log p without forming m: with w = β above 0 and 1 − β below,
    // log(m/p) = max(a, 0) + log w + log1p(r·e^(−|a|)), log(m/q) = max(−a, 0) + log w + the same log1p. The reverse KL: a itself.
    private void WriteMixture(IndentedWriter w, VectorLoopWriter c, int u)
    {
        if (!this.IsJsd)
        {
            w.Line($"{c.Vec} overStudent{u} = a{u};");
            return;
        }

        w.Line($"{c.Vec} above{u} = {c.V}.GreaterThan(a{u}, {c.Vec}.Zero);");
        w.Line($"{c.Vec} mix{u} = {c.M}.Log1p({c.V}.ConditionalSelect(above{u}, ratioAbove, ratioBelow) * {c.M}.ExpNonPositive(-{c.V}.Abs(a{u})));");
        w.Line($"{c.Vec} weightLog{u} = {c.V}.ConditionalSelect(above{u}, logBeta, logOneMinusBeta) + mix{u};");
        w.Line($"{c.Vec} overStudent{u} = {c.M}.Max(a{u}, {c.Vec}.Zero) + weightLog{u};");
        w.Line($"{c.Vec} overTeacher{u} = {c.M}.Max(-a{u}, {c.Vec}.Zero) + weightLog{u};");
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        writer.Line("// Scalar, in double: the two maxima, the two sums, the divergence, then the gradient if asked for.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double ScalarRow({this.RowParameters()})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            if (this.IsDistillation)
            {
                writer.Line($"double studentTarget = {Unsafe}.Add(ref x, (nint)target);   // read before the gradient may overwrite the logits");
                if (this.HasGradient)
                {
                    writer.Line($"double teacherTarget = {Unsafe}.Add(ref t, (nint)target);");
                }
            }

            writer.Line("double studentMax = double.NegativeInfinity, teacherMax = double.NegativeInfinity;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"studentMax = {Math}.Max(studentMax, {Unsafe}.Add(ref x, i));");
                writer.Line($"teacherMax = {Math}.Max(teacherMax, {Unsafe}.Add(ref t, i));");
            }

            writer.Line($"{Compensated} students = default, teachers = default;");
            if (this.NeedsPlainSum)
            {
                writer.Line($"{Compensated} plains = default;");
            }

            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"students.Add({Math}.Exp(({Unsafe}.Add(ref x, i) - studentMax) * InverseTemperature));");
                writer.Line($"teachers.Add({Math}.Exp(({Unsafe}.Add(ref t, i) - teacherMax) * InverseTemperature));");
                if (this.NeedsPlainSum)
                {
                    writer.Line($"plains.Add({Math}.Exp({Unsafe}.Add(ref x, i) - studentMax));");
                }
            }

            writer.Line("double studentSum = students.Total(out _), teacherSum = teachers.Total(out _);");
            if (this.NeedsPlainSum)
            {
                writer.Line("double plainSum = plains.Total(out _);");
            }

            writer.Line($"double logStudentSum = {Math}.Log(studentSum), logTeacherSum = {Math}.Log(teacherSum);");
            writer.Line("double shiftValue = logStudentSum - logTeacherSum;");
            string first = this.IsForward ? "forward" : "student";
            writer.Line($"{Compensated} {first}Terms = default;" + (this.IsJsd ? $" {Compensated} teacherTerms = default;" : string.Empty));
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"double ds = ({Unsafe}.Add(ref x, i) - studentMax) * InverseTemperature, dt = ({Unsafe}.Add(ref t, i) - teacherMax) * InverseTemperature;");
                writer.Line($"double eq = {Math}.Exp(dt), a = (dt - ds) + shiftValue;");
                if (this.IsForward)
                {
                    using (writer.Block("if (eq != 0)"))
                    {
                        writer.Line("forwardTerms.Add(eq * a);");
                    }
                }
                else
                {
                    writer.Line($"double ep = {Math}.Exp(ds);");
                    writer.Line(this.IsJsd ? "double overStudent = LogMixtureOverStudent(a, out double overTeacher);" : "double overStudent = a;");
                    using (writer.Block("if (ep != 0)"))
                    {
                        writer.Line("studentTerms.Add(ep * overStudent);");
                    }

                    if (this.IsJsd)
                    {
                        using (writer.Block("if (eq != 0)"))
                        {
                            writer.Line("teacherTerms.Add(eq * overTeacher);");
                        }
                    }
                }
            }

            // The names the shared loss lines expect.
            writer.Line(this.IsForward ? "double forwardTotal = forwardTerms.Total(out _);" : "double studentTotal = studentTerms.Total(out _);");
            if (this.IsJsd)
            {
                writer.Line("double teacherTotal = teacherTerms.Total(out _);");
            }

            this.WriteLoss(writer, "studentMax");
            if (this.HasGradient)
            {
                this.WriteGradientFactors(writer);
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double ds = ({Unsafe}.Add(ref x, i) - studentMax) * InverseTemperature, dt = ({Unsafe}.Add(ref t, i) - teacherMax) * InverseTemperature;");
                    string plain = !this.IsDistillation ? string.Empty
                        : this.NeedsPlainSum ? $" + ({Math}.Exp({Unsafe}.Add(ref x, i) - studentMax) * plainFactor)"
                        : this.IsForward ? string.Empty
                        : $" + ({Math}.Exp(ds) * plainFactor)";
                    if (this.IsForward)
                    {
                        writer.Line($"{Unsafe}.Add(ref g, i) = ({this.T})((({Math}.Exp(ds) * studentFactor) - ({Math}.Exp(dt) * teacherFactor)){plain});");
                    }
                    else
                    {
                        writer.Line($"double ep = {Math}.Exp(ds);");
                        writer.Line(this.IsJsd ? "double overStudent = LogMixtureOverStudent((dt - ds) + shiftValue, out _);" : "double overStudent = (dt - ds) + shiftValue;");
                        writer.Line($"{Unsafe}.Add(ref g, i) = ({this.T})((ep == 0 ? 0 : ep * (-rho - overStudent) * divergenceFactor){plain});");
                    }
                }

                if (this.IsDistillation)
                {
                    this.WriteTargetGradient(writer, "studentMax", "teacherMax");
                }
            }

            writer.Line("return loss;");
        }

        if (this.IsJsd || (!this.IsForward && this.IsDistillation && this.HasGradient))
        {
            writer.Line();
            writer.Line("// log(m/p) from a = log q − log p, m = β·q + (1 − β)·p, without forming m (which would underflow with p and q):");
            writer.Line("// with w = β above 0 and 1 − β below, log(m/p) = max(a, 0) + log w + log1p(r·e^(−|a|)); log(m/q) = max(−a, 0) + the same rest.");
            writer.Line("// The reverse KL (β = 1, m = q): log(m/p) = a.");
            using (writer.Block("private static double LogMixtureOverStudent(double a, out double overTeacher)"))
            {
                if (this.IsJsd)
                {
                    writer.Line($"double rest = (a > 0 ? LogBeta : LogOneMinusBeta) + global::KernelGen.Runtime.ScalarMath.Log1p((a > 0 ? RatioAbove : RatioBelow) * {Math}.Exp(-{Math}.Abs(a)));");
                    writer.Line($"overTeacher = {Math}.Max(-a, 0) + rest;");
                    writer.Line($"return {Math}.Max(a, 0) + rest;");
                }
                else
                {
                    writer.Line("overTeacher = 0;");
                    writer.Line("return a;");
                }
            }
        }
    }
}
