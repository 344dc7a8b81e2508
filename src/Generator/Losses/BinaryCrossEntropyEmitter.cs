using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Writes a [BinaryCrossEntropy] (or [FocalLoss(Sigmoid = true)]) kernel inside the shell of <see cref="KernelFileWriter"/>:
/// an elementwise loss, so one pass per row reads each logit and target once and writes the loss terms and the
/// gradient together. A row is K elements when per-class spans exist (they are broadcast over the rows), else the
/// whole span; the rows loop reduces the rows' sums and the reference is the textbook formula in double.
/// </summary>
internal sealed class BinaryCrossEntropyEmitter : IKernelRowWriter, IKernelValidationWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Arguments = "global::KernelGen.Runtime.KernelArguments";
    private const string ScalarMath = "global::KernelGen.Runtime.ScalarMath";
    private readonly BinaryCrossEntropyModel model;

    private BinaryCrossEntropyEmitter(BinaryCrossEntropyModel model) => this.model = model;

    public int Width => 0;

    public string Summary
    {
        get
        {
            var parts = new List<string>
            {
                this.model.Focal ? $"sigmoid focal loss (Gamma = {CSharpLiteral.Of(this.model.Gamma)}, Alpha = {CSharpLiteral.Of(this.model.Alpha)})" : "binary cross-entropy with logits",
                this.T,
                "Reduction = " + this.model.Reduction,
            };
            if (this.HasWeights)
            {
                parts.Add("per-class weights");
            }

            if (this.HasPosWeight)
            {
                parts.Add("per-class positive weights");
            }

            parts.Add(this.HasGradient ? "with the gradient" : "forward only");
            return string.Join(", ", parts);
        }
    }

    private bool HasGradient => this.model.Signature.Has(ParameterRole.Gradient);

    private bool HasWeights => this.model.Signature.Has(ParameterRole.ClassWeights);

    private bool HasPosWeight => this.model.Signature.Has(ParameterRole.PosWeight);

    private bool None => this.model.Reduction == ReductionKind.None;

    private bool Mean => this.model.Reduction == ReductionKind.Mean;

    // The rows are K long when a per-class span gives K; else the whole span is one row.
    private bool PerClass => this.HasWeights || this.HasPosWeight;

    private bool Focal => this.model.Focal;

    // α_t = α·y + (1 − α)·(1 − y), or 1 when α < 0 (torchvision).
    private bool HasAlpha => this.Focal && this.model.Alpha >= 0;

    // The focal gradient's second term, γ·(1 − p_t)^(γ − 1)·…, vanishes with γ = 0.
    private bool HasGamma => this.Focal && this.model.Gamma != 0;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(BinaryCrossEntropyModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new BinaryCrossEntropyEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        if (this.Focal)
        {
            ConstantWriter.Constant(writer, "γ of the sigmoid focal loss α_t·(1 − p_t)^γ·BCE.", "Gamma", this.model.Gamma);
            ConstantWriter.Constant(writer, "α of α_t = α·y + (1 − α)·(1 − y) (negative: α_t = 1).", "Alpha", this.model.Alpha);
        }
        else
        {
            writer.Line("// No constants: the binary cross-entropy has no build-time parameter.");
        }
    }

    public void WriteValidation(IndentedWriter writer, KernelSignature s, string pathsClass)
    {
        string t = this.T;
        string logits = s.InputName;
        string targets = s.NameOf(ParameterRole.SoftTargets)!;
        string? weights = s.NameOf(ParameterRole.ClassWeights);
        string? posWeight = s.NameOf(ParameterRole.PosWeight);
        string? losses = s.NameOf(ParameterRole.ElementLosses);
        string? gradient = s.NameOf(ParameterRole.Gradient);
        writer.Line($"{Arguments}.ValidateElementwise<{t}>({targets}, {logits}, nameof({targets}));");
        string? first = weights ?? posWeight;
        foreach (string perClass in new[] { weights, posWeight }.Where(static p => p is not null).Select(static p => p!))
        {
            writer.Line($"{Arguments}.ValidatePerClass<{t}>({perClass}, {logits}, {first}.Length, nameof({perClass}));");
        }

        var read = new[] { targets, weights, posWeight }.Where(static p => p is not null).Select(static p => p!).ToList();
        if (losses is not null)
        {
            writer.Line($"{Arguments}.ValidateElementwise<{t}>({losses}, {logits}, nameof({losses}));");
            foreach (string other in new[] { logits }.Concat(read).Concat(gradient is null ? Enumerable.Empty<string>() : new[] { gradient }))
            {
                writer.Line($"{Arguments}.ValidateApart<{t}>({losses}, {other}, nameof({losses}));");
            }
        }

        if (gradient is not null)
        {
            writer.Line($"{Arguments}.ValidateGradient<{t}>({gradient}, {logits}, nameof({gradient}));");
            foreach (string other in read)
            {
                writer.Line($"{Arguments}.ValidateApart<{t}>({gradient}, {other}, nameof({gradient}));");
            }
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

    // ----------------------------------------------------------------------------------- rows

    private void WriteRows(IndentedWriter writer, string name, string row, bool reference)
    {
        KernelSignature s = this.model.Signature;
        if (!reference)
        {
            writer.Line(KernelFileWriter.HotMethodAttribute);
        }

        using (writer.Block($"private static {KernelFileWriter.ReturnType(s)} {name}({KernelFileWriter.LocalParameters(s)})"))
        {
            writer.Line("int n = input.Length;");
            if (this.PerClass)
            {
                writer.Line($"// K: the per-class spans' length; the logits are rows of K and every row reads the same {(this.HasWeights ? "weights" : "positive weights")}.");
                writer.Line($"int k = {(this.HasWeights ? "classWeights" : "posWeight")}.Length;");
            }
            else
            {
                writer.Line("// No per-class span: the elements are independent, so the whole span is one row.");
                writer.Line("int k = n;");
            }

            writer.Line("int rows = k == 0 ? 0 : n / k;");
            if (this.HasGradient)
            {
                writer.Line(this.Mean ? "double scale = 1.0 / n;   // the mean is over every element (PyTorch's), and so is the gradient's scale" : "const double scale = 1.0;");
            }

            if (!reference)
            {
                foreach (KernelParameter p in s.Parameters)
                {
                    writer.Line($"ref {this.T} {RowName(p.Role)} = ref {MemoryMarshal}.GetReference({p.LocalName});");
                }
            }

            if (!this.None)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum total = default;");
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                var arguments = new List<string>();
                if (reference)
                {
                    writer.Line("int start = row * k;");
                    foreach (KernelParameter p in s.Parameters)
                    {
                        arguments.Add(p.Role is ParameterRole.ClassWeights or ParameterRole.PosWeight ? p.LocalName : $"{p.LocalName}.Slice(start, k)");
                    }
                }
                else
                {
                    writer.Line("nint offset = (nint)row * k;");
                    foreach (KernelParameter p in s.Parameters)
                    {
                        arguments.Add(p.Role is ParameterRole.ClassWeights or ParameterRole.PosWeight ? $"ref {RowName(p.Role)}" : $"ref {Unsafe}.Add(ref {RowName(p.Role)}, offset)");
                    }
                }

                if (this.HasGradient)
                {
                    arguments.Add("scale");
                }

                if (!reference)
                {
                    arguments.Add("k");
                }

                string call = $"{row}({string.Join(", ", arguments)})";
                writer.Line(this.None ? call + ";" : $"total.Add({call});");
            }

            if (!this.None)
            {
                writer.Line(this.Mean
                    ? $"return ({this.T})(total.Total(out _) / n);   // 0/0 = NaN for no element, as PyTorch"
                    : $"return ({this.T})total.Total(out _);");
            }
        }
    }

    // The name a row method gives the ref of each span.
    private static string RowName(ParameterRole role) => role switch
    {
        ParameterRole.Input => "x",
        ParameterRole.SoftTargets => "y",
        ParameterRole.ClassWeights => "w",
        ParameterRole.PosWeight => "pw",
        ParameterRole.ElementLosses => "l",
        _ => "g",
    };

    private string RowParameters(bool reference)
    {
        var parts = new List<string>();
        foreach (KernelParameter p in this.model.Signature.Parameters)
        {
            parts.Add(reference
                ? $"global::System.{(p.IsReadOnly ? "ReadOnlySpan" : "Span")}<{this.T}> {RowName(p.Role)}"
                : $"ref {this.T} {RowName(p.Role)}");
        }

        if (this.HasGradient)
        {
            parts.Add("double scale");
        }

        if (!reference)
        {
            parts.Add("nint n");
        }

        return string.Join(", ", parts);
    }

    private string RowReturn => this.None ? "void" : "double";

    // ----------------------------------------------------------------------------------- reference

    public void WriteReferenceRow(IndentedWriter writer)
    {
        writer.Line("// The textbook form in double, element by element, σ(z) = 1/(1 + e^(−z)):");
        writer.Line(this.Focal
            ? "// BCE = −[y·log σ(z) + (1 − y)·log(1 − σ(z))], p_t = σ·y + (1 − σ)·(1 − y), ℓ = w·α_t·(1 − p_t)^γ·BCE (Lin et al., torchvision's sigmoid_focal_loss);"
            : "// ℓ = −w·[pw·y·log σ(z) + (1 − y)·log(1 − σ(z))] (PyTorch's BCEWithLogitsLoss), with −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z);");
        writer.Line("// a term whose factor (y or 1 − y) is 0 adds 0, also for an infinite logit (0·∞ is not formed).");
        if (this.HasGradient)
        {
            writer.Line(this.Focal
                ? "// ∂ℓ/∂z = scale·w·α_t·[(1 − p_t)^γ·(σ − y) − γ·(1 − p_t)^(γ − 1)·(2y − 1)·σ·(1 − σ)·BCE]."
                : "// ∂ℓ/∂z = scale·w·[(1 − y)·σ(z) − pw·y·σ(−z)] (= σ(z)·(1 + (pw − 1)·y) − pw·y, without the cancellation near σ = y).");
        }

        using (writer.Block($"private static {this.RowReturn} ReferenceRow({this.RowParameters(reference: true)})"))
        {
            if (!this.None)
            {
                writer.Line("global::KernelGen.Runtime.CompensatedSum total = default;");
            }

            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("double z = x[i], target = y[i];");
                writer.Line($"double weight = {(this.HasWeights ? "w[i]" : "1.0")}, positive = {(this.HasPosWeight ? "pw[i]" : "1.0")};");
                writer.Line($"double negativePart = target == 1 ? 0 : (1 - target) * {ScalarMath}.Softplus(z);    // −(1 − y)·log(1 − σ(z))");
                writer.Line($"double positivePart = target == 0 ? 0 : positive * target * {ScalarMath}.Softplus(-z);   // −pw·y·log σ(z)");
                writer.Line($"double sigmoid = {ScalarMath}.Sigmoid(z), complement = {ScalarMath}.Sigmoid(-z);");
                if (this.Focal)
                {
                    writer.Line("double bce = negativePart + positivePart;");
                    writer.Line("double focus = (target * complement) + ((1 - target) * sigmoid);   // 1 − p_t");
                    writer.Line(this.HasAlpha ? "double alphaT = (Alpha * target) + ((1 - Alpha) * (1 - target));" : "const double alphaT = 1.0;   // α < 0: no α_t");
                    writer.Line($"double modulation = {Math}.Pow(focus, Gamma);");
                    writer.Line("double loss = weight * alphaT * modulation * bce;");
                }
                else
                {
                    writer.Line("double loss = weight * (negativePart + positivePart);");
                }

                if (this.HasGradient)
                {
                    if (this.Focal)
                    {
                        string second = this.HasGamma
                            ? $" - (sigmoid * complement == 0 ? 0 : Gamma * {Math}.Pow(focus, Gamma - 1) * ((2 * target) - 1) * sigmoid * complement * bce)"
                            : string.Empty;
                        writer.Line($"g[i] = ({this.T})(scale * weight * alphaT * ((modulation * (((1 - target) * sigmoid) - (target * complement))){second}));");
                    }
                    else
                    {
                        writer.Line($"g[i] = ({this.T})(scale * weight * (((1 - target) * sigmoid) - (positive * target * complement)));");
                    }
                }

                writer.Line(this.None ? $"l[i] = ({this.T})loss;" : "total.Add(loss);");
            }

            if (!this.None)
            {
                writer.Line("return total.Total(out _);");
            }
        }
    }

    // ----------------------------------------------------------------------------------- paths

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

    private void WriteScalarRow(IndentedWriter writer)
    {
        writer.Line("// Scalar: each element in double (the runtime's overflow-free σ, softplus and log1p), the row's sum in double.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static {this.RowReturn} ScalarRow({this.RowParameters(reference: false)})"))
        {
            if (!this.None)
            {
                writer.Line("double total = 0;");
            }

            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"double z = {Unsafe}.Add(ref x, i), target = {Unsafe}.Add(ref y, i);");
                writer.Line($"double e = {Math}.Exp(-{Math}.Abs(z));   // e^(−|z|) ≤ 1: nothing overflows");
                writer.Line($"double softplus = {ScalarMath}.Log1p(e);   // log(1 + e^(−|z|))");
                writer.Line("double r = 1 / (1 + e);");
                writer.Line("double sigmoid = z < 0 ? e * r : r, complement = z < 0 ? r : e * r;   // σ(z), σ(−z) = 1 − σ(z), each to its relative precision");
                string positive = this.HasPosWeight ? $"{Unsafe}.Add(ref pw, i) * " : string.Empty;
                writer.Line($"double negativePart = target == 1 ? 0 : (1 - target) * ({Math}.Max(z, 0) + softplus);");
                writer.Line($"double positivePart = target == 0 ? 0 : {positive}target * ({Math}.Max(-z, 0) + softplus);");
                string weight = this.HasWeights ? $"{Unsafe}.Add(ref w, i)" : null!;
                this.WriteScalarLossAndGradient(writer, weight, positive);
            }

            if (!this.None)
            {
                writer.Line("return total;");
            }
        }
    }

    private void WriteScalarLossAndGradient(IndentedWriter writer, string? weight, string positive)
    {
        string w = weight is null ? string.Empty : $"{weight} * ";
        if (this.Focal)
        {
            writer.Line("double bce = negativePart + positivePart;");
            writer.Line("double focus = (target * complement) + ((1 - target) * sigmoid);   // 1 − p_t");
            writer.Line(this.HasAlpha ? "double alphaT = (Alpha * target) + ((1 - Alpha) * (1 - target));" : "const double alphaT = 1.0;");
            writer.Line($"double modulation = {this.ScalarPower("focus")};");
            writer.Line($"double loss = {w}alphaT * modulation * bce;");
        }
        else
        {
            writer.Line($"double loss = {w}(negativePart + positivePart);");
        }

        if (this.HasGradient)
        {
            if (this.Focal)
            {
                string second = this.HasGamma ? " - (sigmoid * complement == 0 ? 0 : Gamma * modulation * ((2 * target) - 1) * bce * (sigmoid * complement / focus))" : string.Empty;
                writer.Line($"{Unsafe}.Add(ref g, i) = ({this.T})(scale * {w}alphaT * ((modulation * (((1 - target) * sigmoid) - (target * complement))){second}));");
            }
            else
            {
                writer.Line($"{Unsafe}.Add(ref g, i) = ({this.T})(scale * {w}(((1 - target) * sigmoid) - ({positive}target * complement)));");
            }
        }

        writer.Line(this.None ? $"{Unsafe}.Add(ref l, i) = ({this.T})loss;" : "total += loss;");
    }

    // (1 − p_t)^γ in double: products for small integer γ, else Math.Pow.
    private string ScalarPower(string b) => this.model.Gamma switch
    {
        0 => "1.0",
        1 => b,
        2 => $"{b} * {b}",
        3 => $"{b} * {b} * {b}",
        4 => $"({b} * {b}) * ({b} * {b})",
        _ => $"{Math}.Pow({b}, Gamma)",
    };

    // (1 − p_t)^γ lane-wise: products for small integer γ, else e^(γ·log(1 − p_t)) (log 0 = −∞ gives 0).
    private string VectorPower(VectorLoopWriter c, string b) => this.model.Gamma switch
    {
        0 => $"{c.Vec}.One",
        1 => b,
        2 => $"{b} * {b}",
        3 => $"{b} * {b} * {b}",
        4 => $"({b} * {b}) * ({b} * {b})",
        _ => $"{c.M}.ExpNonPositive(gamma * {c.V}.Log({b}))",
    };

    private void WriteVectorRow(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line("// One pass: each logit and target read once; the loss terms summed in lanes (moved into double lanes at each block)"
            + (this.HasGradient ? " and the gradient written from the same registers." : "."));
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static {this.RowReturn} {c.Path.Name}Row({this.RowParameters(reference: false)})"))
        {
            writer.Line("nint i;");
            if (this.HasGradient)
            {
                writer.Line($"{c.Vec} factor = {c.Splat($"({this.T})scale")};");
            }

            if (this.Focal && this.HasAlpha)
            {
                writer.Line($"{c.Vec} alpha = {c.Splat($"({this.T})Alpha")}, beta = {c.Splat($"({this.T})(1 - Alpha)")};");
            }

            if (this.HasGamma)
            {
                writer.Line($"{c.Vec} gamma = {c.Splat($"({this.T})Gamma")};");
            }

            if (!this.None)
            {
                c.WriteSumDeclarations(writer);
            }

            string zero = $"{c.Vec}.Zero", one = $"{c.Vec}.One";
            void Group(IndentedWriter w, IReadOnlyList<VectorAccess> group)
            {
                foreach (VectorAccess a in group)
                {
                    int u = a.Accumulator;
                    w.Line($"{c.Vec} z{u} = {a.Load("x", "0")}, y{u} = {a.Load("y", "0")};");
                    w.Line($"{c.Vec} e{u} = {c.M}.ExpNonPositive(z{u} | {c.Splat($"{this.T}.NegativeZero")});   // e^(−|z|)");
                    w.Line($"{c.Vec} s{u} = {c.M}.Log1p(e{u});   // log(1 + e^(−|z|))");
                    w.Line($"{c.Vec} negative{u} = {c.V}.ConditionalSelect({c.V}.Equals(y{u}, {one}), {zero}, ({one} - y{u}) * ({c.M}.Max(z{u}, {zero}) + s{u}));   // (1 − y)·softplus(z), no 0·∞");
                    string positive = this.HasPosWeight ? $"{a.Load("pw", "0")} * " : string.Empty;
                    w.Line($"{c.Vec} positive{u} = {c.V}.ConditionalSelect({c.V}.Equals(y{u}, {zero}), {zero}, {positive}y{u} * ({c.M}.Max(-z{u}, {zero}) + s{u}));   // {(this.HasPosWeight ? "pw·" : string.Empty)}y·softplus(−z)");
                    bool needsSigmoid = this.HasGradient || this.Focal;
                    if (needsSigmoid)
                    {
                        w.Line($"{c.Vec} r{u} = {one} / ({one} + e{u});");
                        w.Line($"var below{u} = {c.V}.LessThan(z{u}, {zero});");
                        w.Line($"{c.Vec} p{u} = {c.V}.ConditionalSelect(below{u}, e{u} * r{u}, r{u}), q{u} = {c.V}.ConditionalSelect(below{u}, r{u}, e{u} * r{u});   // σ(z), σ(−z)");
                    }

                    string weight = this.HasWeights ? $"{a.Load("w", "0")} * " : string.Empty;
                    string loss;
                    if (this.Focal)
                    {
                        w.Line($"{c.Vec} bce{u} = negative{u} + positive{u};");
                        w.Line($"{c.Vec} focus{u} = (y{u} * q{u}) + (({one} - y{u}) * p{u});   // 1 − p_t");
                        w.Line($"{c.Vec} modulation{u} = {this.VectorPower(c, $"focus{u}")};");
                        string alphaT = this.HasAlpha ? $"((alpha * y{u}) + (beta * ({one} - y{u}))) * " : string.Empty;
                        w.Line($"{c.Vec} outer{u} = {weight}{alphaT}modulation{u};   // w·α_t·(1 − p_t)^γ");
                        w.Line($"{c.Vec} loss{u} = outer{u} * bce{u};");
                        if (this.HasGradient)
                        {
                            string gradient = $"({one} - y{u}) * p{u} - (y{u} * q{u})";
                            if (this.HasGamma)
                            {
                                w.Line($"{c.Vec} pq{u} = p{u} * q{u};");
                                w.Line($"{c.Vec} focusTerm{u} = {c.V}.ConditionalSelect({c.V}.Equals(pq{u}, {zero}), {zero}, bce{u} * (pq{u} / focus{u}));   // BCE·σ(1 − σ)/(1 − p_t), 0 where σ(1 − σ) = 0 (even with BCE = ∞)");
                                gradient = $"({gradient}) - (gamma * ((y{u} + y{u}) - {one}) * focusTerm{u})";
                            }

                            w.Line(a.Store($"outer{u} * ({gradient}) * factor", "g"));
                        }
                    }
                    else
                    {
                        loss = $"{weight}(negative{u} + positive{u})";
                        w.Line($"{c.Vec} loss{u} = {loss};");
                        if (this.HasGradient)
                        {
                            w.Line(a.Store($"{weight}((({one} - y{u}) * p{u}) - ({positive}y{u} * q{u})) * factor", "g"));
                        }
                    }

                    if (this.None)
                    {
                        w.Line(a.Store($"loss{u}", "l"));
                    }
                    else
                    {
                        w.Line($"sum{u} += {a.InRow(c, $"loss{u}", zero)};");
                    }
                }
            }

            c.WritePass(writer, "0", Group, this.None ? null : w => c.WriteSumFlush(w), prefetch: "x");
            if (!this.None)
            {
                writer.Line($"return {c.M}.SumWidened(wideLow, wideHigh);");
            }
        }
    }
}
