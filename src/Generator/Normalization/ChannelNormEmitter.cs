using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Writes a [BatchNorm] or [PowerNorm] kernel (inference, running statistics, channels-last rows) inside the shell
/// of <see cref="KernelFileWriter"/>. Both fold to a per-channel affine map, as PyTorch's CPU inference kernel does:
/// once per call (not per row, not per element) the statistics become scale_c = γ_c/sqrt(σ²_c + ε) and
/// shift_c = β_c − μ_c·scale_c (PowerNorm: ψ² for σ², no μ, so the shift is β itself), computed in double and
/// rounded once into a stackalloc'd buffer; then every element is one fused multiply-add y = x·scale + shift.
/// </summary>
/// <remarks>
/// Where the folded row lives: on the stack, <see cref="Chunk"/> channels at a time (8 KB of float scale and
/// shift, 16 KB of double), so a call allocates nothing. With C ≤ Chunk channels (every BatchNorm/PowerNorm
/// width in common models) the fold runs once and the rows stream through in order; wider rows are folded a
/// chunk at a time, each chunk applied to every row before the next chunk is folded. The alternative, folding
/// on the fly in every row, costs a vector square root and division per vector per row: 10–20 times the
/// FMA it feeds. The fold is scalar double code shared by every path (C square roots per call), so every path
/// sees the same scale and shift, and the paths differ only in whether the multiply-add is fused.
/// </remarks>
internal sealed class ChannelNormEmitter : IKernelRowWriter
{
    /// <summary>The most channels folded at a time (the stackalloc'd buffer holds that many scales and shifts).</summary>
    public const int Chunk = 1024;

    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Math = "global::System.Math";
    private readonly ChannelNormModel model;

    private ChannelNormEmitter(ChannelNormModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => this.IsBatch
        ? "batch normalization at inference: y = " + this.FormulaText + " per channel, folded to y = x·scale + shift"
        : this.model.Training
            ? "power normalization in training: y = " + this.FormulaText + " per channel with ψ² as the call found it, folded to y = x·scale" + (this.Affine ? " + β" : string.Empty) + ", then ψ² ← (1 − m)·ψ² + m·mean(x²) over the rows"
            : "power normalization at inference: y = " + this.FormulaText + " per channel, folded to y = x·scale" + (this.Affine ? " + β" : string.Empty);

    private bool IsBatch => this.model.Kind == ChannelNormKind.BatchNorm;

    private bool Affine => this.model.Signature.Has(ParameterRole.Weight);

    private string FormulaText => this.IsBatch
        ? (this.Affine ? "γ·(x − μ)/sqrt(σ² + ε) + β" : "(x − μ)/sqrt(σ² + ε)")
        : (this.Affine ? "γ·x/sqrt(ψ² + ε) + β" : "x/sqrt(ψ² + ε)");

    /// <summary>True when the fold writes a shift too (BatchNorm); PowerNorm's shift is β, read from the bias span.</summary>
    private bool FoldsShift => this.IsBatch;

    /// <summary>True when each element gets a shift added (all but PowerNorm without γ and β: y = x·scale).</summary>
    private bool HasShift => this.IsBatch || this.Affine;

    /// <summary>The number of channels when the width fixes it and one chunk holds it: the row methods then take no length (not in training, whose rows loop is the chunked one).</summary>
    private int FixedChannels => this.model.Width != 0 && this.model.Width <= Chunk && !this.model.Training ? this.model.Width : 0;

    /// <summary>True for [PowerNorm(Training = true)]: each row also adds its squares into the chunk's buffer <c>q</c>.</summary>
    private bool Training => this.model.Training;

    /// <summary>In training, the rows whose squares are added in the element type before they move into the double sums.</summary>
    public const int FlushRows = 64;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>The per-channel spans the fold reads, in the signature's order (PowerNorm's β is not folded: the rows read it as the shift).</summary>
    private List<KernelParameter> Channels => this.model.Signature.Parameters.Where(p => p.IsBroadcast && (this.FoldsShift || p.Role != ParameterRole.Bias)).ToList();

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(ChannelNormModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new ChannelNormEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length, the number of channels (0: any).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line("/// <summary>ε, added to the running " + (this.IsBatch ? "variance" : "quadratic mean") + " before the square root.</summary>");
        writer.Line($"private const double Epsilon = {CSharpLiteral.Of(this.model.Epsilon)};");
        writer.Line("/// <summary>The most channels folded at a time: the stackalloc'd scales" + (this.FoldsShift ? " and shifts" : string.Empty) + " of one chunk.</summary>");
        writer.Line($"private const int Chunk = {Chunk};");
        if (this.Training)
        {
            writer.Line("/// <summary>The batch's weight in the update ψ² ← (1 − Momentum)·ψ² + Momentum·mean(x²) (the paper's α_fwd is 1 − Momentum).</summary>");
            writer.Line($"private const double Momentum = {CSharpLiteral.Of(this.model.Momentum)};");
            writer.Line($"/// <summary>Rows whose squares are added in {this.T} before they move into the per-channel double sums.</summary>");
            writer.Line($"private const int FlushRows = {FlushRows};");
        }
    }

    private string LoopParameters => string.Join(", ", this.model.Signature.Parameters.Select(p => (p.Role == ParameterRole.RowLength ? "int" : "global::System." + SignatureShape.TypeText(p.Role, this.T)) + " " + p.LocalName));

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        if (!this.Training)
        {
            return false;
        }

        KernelSignature s = this.model.Signature;
        string channels = s.Shape == KernelShape.ManyRows ? "rowLength" : "input.Length";
        string rowArguments = string.Join(", ", s.Parameters.Where(static p => p.Role != ParameterRole.RowLength)
            .Select(static p => p.IsBroadcast ? p.LocalName : p.LocalName + ".Slice(start, channels)"));
        writer.Line("// Training: the batch's quadratic mean per channel is taken first (the output may be the input), each row is normalized");
        writer.Line("// with ψ² as the call found it (the paper's ψ_{t−1}), and ψ² is updated last. A call with no rows changes nothing.");
        using (writer.Block($"private static void ReferenceRows({this.LoopParameters})"))
        {
            using (writer.Block("if (input.Length == 0)"))
            {
                writer.Line("return;");
            }

            writer.Line($"int channels = {channels};");
            writer.Line("int rows = input.Length / channels;");
            writer.Line("var sums = new global::KernelGen.Runtime.CompensatedSum[channels];");
            using (writer.Block("for (int start = 0; start < input.Length; start += channels)"))
            {
                using (writer.Block("for (int c = 0; c < channels; c++)"))
                {
                    writer.Line("sums[c].Add((double)input[start + c] * input[start + c]);");
                }
            }

            writer.Line("double[] squares = new double[channels];");
            using (writer.Block("for (int c = 0; c < channels; c++)"))
            {
                writer.Line("squares[c] = sums[c].Total(out _);");
            }

            using (writer.Block("for (int start = 0; start < input.Length; start += channels)"))
            {
                writer.Line($"ReferenceRow({rowArguments});");
            }

            writer.Line("UpdateQuadraticMean(runningQuadraticMean, squares, rows);");
        }

        return true;
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        KernelSignature s = this.model.Signature;
        string parameters = this.LoopParameters;
        int buffers = this.FoldsShift ? 2 : 1;
        string channels = this.model.Width != 0 ? "Width" : s.Shape == KernelShape.ManyRows ? "rowLength" : "input.Length";
        bool fixedChannels = this.FixedChannels != 0;

        string Fold(string start, string n) =>
            "Fold(" + string.Join(", ", this.Channels.Select(p => start == "0" && fixedChannels ? p.LocalName : $"{p.LocalName}.Slice({start}, {n})")
                .Append(fixedChannels ? "scale" : $"folded.Slice(0, {n})")
                .Concat(this.FoldsShift ? new[] { fixedChannels ? "shift" : $"folded.Slice(chunk, {n})" } : new string[0])) + ");";
        string Row(string start, bool withLength)
        {
            var arguments = new List<string> { $"ref {Unsafe}.Add(ref x, offset)", "ref s" };
            if (this.FoldsShift)
            {
                arguments.Add("ref t");
            }
            else if (this.HasShift)
            {
                arguments.Add(start == "0" ? "ref b" : $"ref {Unsafe}.Add(ref b, {start})");
            }

            arguments.Add($"ref {Unsafe}.Add(ref y, offset)");
            if (this.Training)
            {
                arguments.Add("ref q");
            }

            if (withLength)
            {
                arguments.Add("n");
            }

            return $"{path.Name}Row({string.Join(", ", arguments)});";
        }

        writer.Line(fixedChannels
            ? $"// Fold the {this.FixedChannels} channels' statistics into a per-channel scale{(this.FoldsShift ? " and shift" : string.Empty)} once (on the stack), then one multiply-add per element, row after row."
            : this.Training
                ? $"// Fold ψ² (as the call found it) into a per-channel scale on the stack, {Chunk} channels at a time; apply each chunk to every row, gathering the squares; then update the chunk's ψ²."
                : $"// Fold the statistics into a per-channel scale{(this.FoldsShift ? " and shift" : string.Empty)} on the stack, {Chunk} channels at a time; apply each chunk to every row.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Rows({parameters})"))
        {
            using (writer.Block("if (input.Length == 0)"))
            {
                writer.Line("return;");
            }

            writer.Line($"ref {this.T} x = ref {MemoryMarshal}.GetReference(input);");
            writer.Line($"ref {this.T} y = ref {MemoryMarshal}.GetReference(output);");
            if (!this.FoldsShift && this.HasShift)
            {
                writer.Line($"ref {this.T} b = ref {MemoryMarshal}.GetReference(bias);");
            }

            if (fixedChannels)
            {
                writer.Line("const int channels = Width;");
                writer.Line("int rows = input.Length / channels;");
                writer.Line($"global::System.Span<{this.T}> scale = stackalloc {this.T}[channels];");
                if (this.FoldsShift)
                {
                    writer.Line($"global::System.Span<{this.T}> shift = stackalloc {this.T}[channels];");
                }

                writer.Line(Fold("0", "channels"));
                writer.Line($"ref {this.T} s = ref {MemoryMarshal}.GetReference(scale);");
                if (this.FoldsShift)
                {
                    writer.Line($"ref {this.T} t = ref {MemoryMarshal}.GetReference(shift);");
                }

                using (writer.Block("for (int row = 0; row < rows; row++)"))
                {
                    writer.Line("nint offset = (nint)row * channels;");
                    writer.Line(Row("0", false));
                }

                return true;
            }

            writer.Line($"{(this.model.Width != 0 ? "const " : string.Empty)}int channels = {channels};");
            writer.Line("int rows = input.Length / channels;");
            writer.Line("int chunk = global::System.Math.Min(channels, Chunk);");
            if (this.Training)
            {
                writer.Line($"// The chunk's scales, then its squares of up to {FlushRows} rows in {this.T}; the batch's sums of squares in double.");
                buffers++;
            }

            writer.Line($"global::System.Span<{this.T}> folded = stackalloc {this.T}[{(buffers == 1 ? "chunk" : $"{buffers} * chunk")}];");
            writer.Line($"ref {this.T} s = ref {MemoryMarshal}.GetReference(folded);");
            if (this.FoldsShift)
            {
                writer.Line($"ref {this.T} t = ref {Unsafe}.Add(ref s, chunk);");
            }

            if (this.Training)
            {
                writer.Line($"global::System.Span<{this.T}> partial = folded.Slice(chunk, chunk);");
                writer.Line($"ref {this.T} q = ref {MemoryMarshal}.GetReference(partial);");
                writer.Line("global::System.Span<double> squares = stackalloc double[chunk];");
            }

            using (writer.Block("for (int start = 0; start < channels; start += chunk)"))
            {
                writer.Line("int n = global::System.Math.Min(chunk, channels - start);");
                writer.Line(Fold("start", "n"));
                if (this.Training)
                {
                    writer.Line("partial.Clear();");
                    writer.Line("squares.Clear();");
                }

                using (writer.Block("for (int row = 0; row < rows; row++)"))
                {
                    writer.Line("nint offset = ((nint)row * channels) + start;");
                    writer.Line(Row("start", true));
                    if (this.Training)
                    {
                        using (writer.Block("if ((row + 1) % FlushRows == 0 || row == rows - 1)"))
                        {
                            writer.Line("FlushSquares(partial.Slice(0, n), squares.Slice(0, n));");
                        }
                    }
                }

                if (this.Training)
                {
                    writer.Line("// Every row of the chunk is read (and normalized with the old ψ²): now its ψ² is updated.");
                    writer.Line("UpdateQuadraticMean(runningQuadraticMean.Slice(start, n), squares.Slice(0, n), rows);");
                }
            }
        }

        return true;
    }

    private string RowParameters(bool withLength)
    {
        var names = new List<string> { "x", "s" };
        if (this.HasShift)
        {
            names.Add("t");
        }

        names.Add("y");
        if (this.Training)
        {
            names.Add("q");
        }

        return string.Join(", ", names.Select(n => $"ref {this.T} {n}")) + (withLength ? ", nint n" : string.Empty);
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        bool fixedChannels = this.FixedChannels != 0;
        string shiftText = this.FoldsShift ? " + shift" : this.HasShift ? " + β" : string.Empty;
        if (!path.IsVector)
        {
            string fma = this.Element == ElementType.Float ? "global::System.MathF.FusedMultiplyAdd" : $"{Math}.FusedMultiplyAdd";
            writer.Line($"// Scalar: y = x·scale{shiftText}{(this.Training ? " and q += x²" : string.Empty)}, one element at a time: fused where the machine has FMA (as the vector paths), else a multiply and an add.");
            writer.Line(KernelFileWriter.HotMethodAttribute);
            using (writer.Block($"private static void ScalarRow({this.RowParameters(!fixedChannels)})"))
            {
                if (fixedChannels)
                {
                    writer.Line("const nint n = Width;");
                }

                if (this.Training)
                {
                    using (writer.Block($"if ({PathInfo.Runtime}.VectorMath128.HasFusedMultiplyAdd)"))
                    {
                        using (writer.Block("for (nint i = 0; i < n; i++)"))
                        {
                            writer.Line($"{this.T} v = {Unsafe}.Add(ref x, i);");
                            writer.Line($"{Unsafe}.Add(ref q, i) = {fma}(v, v, {Unsafe}.Add(ref q, i));");
                            writer.Line($"{Unsafe}.Add(ref y, i) = {(this.HasShift ? $"{fma}(v, {Unsafe}.Add(ref s, i), {Unsafe}.Add(ref t, i))" : $"v * {Unsafe}.Add(ref s, i)")};");
                        }
                    }

                    using (writer.Block("else"))
                    {
                        using (writer.Block("for (nint i = 0; i < n; i++)"))
                        {
                            writer.Line($"{this.T} v = {Unsafe}.Add(ref x, i);");
                            writer.Line($"{Unsafe}.Add(ref q, i) += v * v;");
                            writer.Line($"{Unsafe}.Add(ref y, i) = {(this.HasShift ? $"(v * {Unsafe}.Add(ref s, i)) + {Unsafe}.Add(ref t, i)" : $"v * {Unsafe}.Add(ref s, i)")};");
                        }
                    }
                }
                else if (this.HasShift)
                {
                    using (writer.Block($"if ({PathInfo.Runtime}.VectorMath128.HasFusedMultiplyAdd)"))
                    {
                        using (writer.Block("for (nint i = 0; i < n; i++)"))
                        {
                            writer.Line($"{Unsafe}.Add(ref y, i) = {fma}({Unsafe}.Add(ref x, i), {Unsafe}.Add(ref s, i), {Unsafe}.Add(ref t, i));");
                        }
                    }

                    using (writer.Block("else"))
                    {
                        using (writer.Block("for (nint i = 0; i < n; i++)"))
                        {
                            writer.Line($"{Unsafe}.Add(ref y, i) = ({Unsafe}.Add(ref x, i) * {Unsafe}.Add(ref s, i)) + {Unsafe}.Add(ref t, i);");
                        }
                    }
                }
                else
                {
                    using (writer.Block("for (nint i = 0; i < n; i++)"))
                    {
                        writer.Line($"{Unsafe}.Add(ref y, i) = {Unsafe}.Add(ref x, i) * {Unsafe}.Add(ref s, i);");
                    }
                }
            }

            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        writer.Line($"// One pass: y = x·scale{shiftText}{(this.Training ? " and q += x² (the chunk's squares)" : string.Empty)}, {c.Unroll} vector(s) per iteration. Each vector is loaded before it is stored (in place is allowed).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Row({this.RowParameters(!fixedChannels)})"))
        {
            if (fixedChannels)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    if (this.Training)
                    {
                        string v = "v" + a.Accumulator;
                        w.Line($"{c.Vec} {v} = {a.Load("x")};");
                        w.Line(a.Store($"{c.M}.MultiplyAdd({v}, {v}, {a.Load("q")})", "q"));
                        w.Line(a.Store(this.HasShift ? $"{c.M}.MultiplyAdd({v}, {a.Load("s")}, {a.Load("t")})" : $"{v} * {a.Load("s")}", "y"));
                    }
                    else
                    {
                        w.Line(a.Store(this.HasShift ? $"{c.M}.MultiplyAdd({a.Load("x")}, {a.Load("s")}, {a.Load("t")})" : $"{a.Load("x")} * {a.Load("s")}", "y"));
                    }
                }
            });
        }
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        bool isFloat = this.Element == ElementType.Float;
        string Span(KernelParameter p) => (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName;
        string parameters = string.Join(", ", this.model.Signature.Parameters.Where(static p => p.Role != ParameterRole.RowLength).Select(Span));
        string normalized = this.IsBatch ? $"((double)x[i] - mu[i]) / {Math}.Sqrt((double)sigma2[i] + Epsilon)" : $"(double)x[i] / {Math}.Sqrt((double)psi2[i] + Epsilon)";
        string value = this.Affine ? "(w[i] * v) + b[i]" : "v";
        writer.Line($"// The textbook formula, y = {this.FormulaText}, in double{(isFloat ? ", rounded once to float" : string.Empty)} (the paths use the folded form).");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line($"double v = {normalized};");
                writer.Line(isFloat ? $"y[i] = (float)({value});" : $"y[i] = {value};");
            }
        }

        // The fold, shared by every path.
        writer.Line();
        var foldParameters = this.Channels.Select(Span).Append($"global::System.Span<{this.T}> scale").ToList();
        if (this.FoldsShift)
        {
            foldParameters.Add($"global::System.Span<{this.T}> shift");
        }

        string variance = this.IsBatch ? "sigma2" : "psi2";
        writer.Line($"// The fold: scale = {(this.Affine ? "γ" : "1")}/sqrt({(this.IsBatch ? "σ²" : "ψ²")} + ε){(this.FoldsShift ? $" and shift = {(this.Affine ? "β " : string.Empty)}− μ·scale" : string.Empty)} in double, each rounded once{(isFloat ? " to float" : string.Empty)}.");
        writer.Line("// Scalar and shared by every path: C square roots per call, so every path applies the same affine map.");
        using (writer.Block($"private static void Fold({string.Join(", ", foldParameters)})"))
        {
            using (writer.Block("for (int c = 0; c < scale.Length; c++)"))
            {
                writer.Line($"double factor = {(this.Affine ? "w[c]" : "1.0")} / {Math}.Sqrt((double){variance}[c] + Epsilon);");
                writer.Line(isFloat ? "scale[c] = (float)factor;" : "scale[c] = factor;");
                if (this.FoldsShift)
                {
                    string shift = this.Affine ? "b[c] - (mu[c] * factor)" : "-(mu[c] * factor)";
                    writer.Line(isFloat ? $"shift[c] = (float)({shift});" : $"shift[c] = {shift};");
                }
            }
        }

        if (!this.Training)
        {
            return;
        }

        writer.Line();
        writer.Line($"// Training: the chunk's squares gathered in {this.T} (at most FlushRows rows' worth) move into the double sums, and start again from 0.");
        using (writer.Block($"private static void FlushSquares(global::System.Span<{this.T}> partial, global::System.Span<double> squares)"))
        {
            using (writer.Block("for (int c = 0; c < partial.Length; c++)"))
            {
                writer.Line("squares[c] += partial[c];");
                writer.Line("partial[c] = 0;");
            }
        }

        writer.Line();
        writer.Line("// Training: ψ² ← (1 − Momentum)·ψ² + Momentum·(Σ x²)/rows per channel, in double, rounded once (no rows: unchanged).");
        using (writer.Block($"private static void UpdateQuadraticMean(global::System.Span<{this.T}> psi2, global::System.ReadOnlySpan<double> squares, int rows)"))
        {
            using (writer.Block("if (rows == 0)"))
            {
                writer.Line("return;");
            }

            using (writer.Block("for (int c = 0; c < psi2.Length; c++)"))
            {
                writer.Line("double updated = ((1 - Momentum) * psi2[c]) + (Momentum * (squares[c] / rows));");
                writer.Line(isFloat ? "psi2[c] = (float)updated;" : "psi2[c] = updated;");
            }
        }
    }
}
