using System.Collections.Generic;
using System.Globalization;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// The attention options of the softmax emitter (docs/attributes.md, "Attention options"): the logits become
/// z = softcap(s·x/T) + slope·mask, causal columns are cut, and the sink joins the maximum and the sum. Every
/// pass forms z from what it loads, so the options cost no pass of their own over memory.
/// </summary>
internal sealed partial class SoftmaxEmitter
{
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    // True when the row methods compute the maximum as a scalar and look at it (the sink joins it; a masked row is
    // found there); otherwise the maximum goes straight into a vector, as it always did.
    private bool NeedsRowMaximum => this.Attention.Sink || this.Attention.MaskedRowsAreZero || this.Attention.Causal;

    // s/T, the factor of the logits when they are transformed (1: none).
    private double LogitScale => this.Attention.Scale / this.model.Temperature;

    // The value of an output whose logit is −∞ (a masked column): probability 0, log-probability −∞.
    private string MaskedValue => this.IsLog ? $"{this.T}.NegativeInfinity" : "0";

    /// <summary>Checks the shell's checks, then the mask (whole rows, a count dividing the rows) and the rows per head.</summary>
    public void WriteValidation(IndentedWriter writer, KernelSignature signature, string pathsClass)
    {
        KernelFileWriter.WriteDefaultValidation(writer, signature, pathsClass);
        string rowLength = signature.Shape == KernelShape.ManyRows ? signature.RowLengthName! : signature.InputName + ".Length";
        if (signature.NameOf(ParameterRole.Mask) is { } mask)
        {
            writer.Line($"global::KernelGen.Runtime.KernelArguments.ValidateMask<{this.T}>({mask}, {signature.InputName}, {rowLength}, {signature.OutputName}, nameof({mask}));");
        }

        if (signature.NameOf(ParameterRole.RowsPerHead) is { } rowsPerHead)
        {
            writer.Line($"global::KernelGen.Runtime.KernelArguments.ValidateRowsPerHead({rowsPerHead}, {signature.InputName}.Length / {rowLength}, nameof({rowsPerHead}));");
        }
    }

    private IEnumerable<string> AttentionSummary()
    {
        AttentionOptions a = this.Attention;
        if (a.Scale != 1.0)
        {
            yield return "Scale = " + a.Scale.ToString("R", CultureInfo.InvariantCulture);
        }

        if (a.Softcap != 0)
        {
            yield return "Softcap = " + a.Softcap.ToString("R", CultureInfo.InvariantCulture);
        }

        if (a.Mask)
        {
            yield return "Mask";
        }

        if (a.Sink)
        {
            yield return "Sink";
        }

        if (a.Causal)
        {
            yield return a.CausalOffset == 0 ? "Causal" : "Causal, CausalOffset = " + a.CausalOffset.ToString(CultureInfo.InvariantCulture);
        }

        if (a.HasAlibi)
        {
            yield return "MaxBias = " + a.MaxBias.ToString("R", CultureInfo.InvariantCulture) + ", Heads = " + a.Heads.ToString(CultureInfo.InvariantCulture);
        }

        if (a.MaskedRowsAreZero)
        {
            yield return "MaskedRowsAreZero";
        }
    }

    private void WriteAttentionConstants(IndentedWriter writer)
    {
        AttentionOptions a = this.Attention;
        if (!a.TransformsLogits)
        {
            return;
        }

        writer.Line("/// <summary>s/T: the factor of the logits (Scale over Temperature), z = softcap(s·x/T) + slope·mask.</summary>");
        writer.Line($"private const double LogitScale = {CSharpLiteral.Of(this.LogitScale)};");
        if (a.Softcap != 0)
        {
            writer.Line("/// <summary>c in c·tanh(z/c), the soft cap of the logits.</summary>");
            writer.Line($"private const double Softcap = {CSharpLiteral.Of(a.Softcap)};");
        }

        if (a.Causal)
        {
            writer.Line("/// <summary>Row r (query q = r mod rowsPerHead) sees the columns j ≤ q + CausalOffset.</summary>");
            writer.Line($"private const int CausalOffset = {a.CausalOffset.ToString(CultureInfo.InvariantCulture)};");
        }

        if (a.HasAlibi)
        {
            int log2 = 1;
            while (log2 * 2 <= a.Heads)
            {
                log2 *= 2;
            }

            writer.Line("/// <summary>ALiBi's maximum bias and number of heads (ggml's max_bias and n_head).</summary>");
            writer.Line($"private const double MaxBias = {CSharpLiteral.Of(a.MaxBias)};");
            writer.Line($"private const int Heads = {a.Heads.ToString(CultureInfo.InvariantCulture)};");
            writer.Line("/// <summary>2^⌊log2 Heads⌋ (ggml's n_head_log2).</summary>");
            writer.Line($"private const int HeadsLog2 = {log2.ToString(CultureInfo.InvariantCulture)};");
            writer.Line();
            writer.Line("/// <summary>The ALiBi slope of a head, as ggml's soft_max_ext: m0^(h+1) for the first HeadsLog2 heads, m1^(2(h − HeadsLog2)+1) after.</summary>");
            using (writer.Block("private static double AlibiSlope(int head)"))
            {
                writer.Line("double m0 = global::System.Math.Pow(2.0, -MaxBias / HeadsLog2);");
                writer.Line("double m1 = global::System.Math.Pow(2.0, -(MaxBias / 2.0) / HeadsLog2);");
                writer.Line("return head < HeadsLog2 ? global::System.Math.Pow(m0, head + 1) : global::System.Math.Pow(m1, (2 * (head - HeadsLog2)) + 1);");
            }
        }
    }

    // The parameters of the row methods: x, the mask row m, y, the row length n (the columns it sees, when causal),
    // the whole row's length (causal), the ALiBi slope and the sink.
    private string RowParameters(bool withLength)
    {
        var parts = new List<string> { $"ref {this.T} x" };
        AttentionOptions a = this.Attention;
        if (a.Mask)
        {
            parts.Add($"ref {this.T} m");
        }

        parts.Add($"ref {this.T} y");
        if (withLength)
        {
            parts.Add("nint n");
        }

        if (a.Causal)
        {
            parts.Add("nint length");
        }

        if (a.HasAlibi)
        {
            parts.Add($"{this.T} slope");
        }

        if (a.Sink)
        {
            parts.Add($"{this.T} sink");
        }

        return string.Join(", ", parts);
    }

    private string RowArguments(string n)
    {
        var parts = new List<string> { "ref x" };
        AttentionOptions a = this.Attention;
        if (a.Mask)
        {
            parts.Add("ref m");
        }

        parts.Add("ref y");
        parts.Add(n);
        if (a.Causal)
        {
            parts.Add("length");
        }

        if (a.HasAlibi)
        {
            parts.Add("slope");
        }

        if (a.Sink)
        {
            parts.Add("sink");
        }

        return string.Join(", ", parts);
    }

    // Declares the vectors of the transform (in every vector row method that forms z).
    private void WriteLogitLocals(IndentedWriter writer, VectorLoopWriter c)
    {
        AttentionOptions a = this.Attention;
        if (!a.TransformsLogits)
        {
            return;
        }

        if (a.Softcap != 0)
        {
            writer.Line($"{c.Vec} cap = {c.Splat($"({this.T})Softcap")}, capScale = {c.Splat($"({this.T})(LogitScale / Softcap)")};");
        }
        else if (this.LogitScale != 1.0)
        {
            writer.Line($"{c.Vec} logitScale = {c.Splat($"({this.T})LogitScale")};");
        }

        if (a.HasAlibi)
        {
            writer.Line($"{c.Vec} slopes = {c.Splat("slope")};");
        }
    }

    // The logits of one vector access as the passes see them: x as loaded, or z = softcap(s·x) + slope·mask, with
    // the tail's lanes past the row kept at the pass's fill (−∞ in the reductions; the vector tanh would turn a
    // −∞ fill into −c, and the mask's own −∞ fill puts them back).
    private string Logit(VectorLoopWriter c, VectorAccess a)
    {
        if (!this.Attention.TransformsLogits)
        {
            return a.Load("x");
        }

        return this.Transform(c, a.Load("x"), this.Attention.Mask ? a.Load("m") : null, a.Count);
    }

    // z from a loaded x and mask vector; tailCount (an expression) when lanes from there on are past the row.
    private string Transform(VectorLoopWriter c, string x, string? mask, string? tailCount)
    {
        AttentionOptions a = this.Attention;
        string z = a.Softcap != 0 ? $"cap * {c.M}.Tanh({x} * capScale)"
            : this.LogitScale != 1.0 ? $"{x} * logitScale"
            : x;
        if (mask is not null)
        {
            return a.HasAlibi ? $"{c.M}.MultiplyAdd({mask}, slopes, {z})" : $"{z} + {mask}";
        }

        return a.Softcap != 0 && tailCount is not null
            ? $"{c.V}.ConditionalSelect({c.V}.LessThan({c.Vec}.Indices, {c.Splat($"({this.T})({tailCount})")}), {z}, {c.Splat($"{this.T}.NegativeInfinity")})"
            : z;
    }

    // The scalar z of element i.
    private string ScalarLogit(string i)
    {
        string x = $"{Unsafe}.Add(ref x, {i})";
        AttentionOptions a = this.Attention;
        if (!a.TransformsLogits)
        {
            return x;
        }

        string z = a.Softcap != 0 ? $"(cap * {this.T}.Tanh({x} * capScale))"
            : this.LogitScale != 1.0 ? $"({x} * logitScale)"
            : x;
        return !a.Mask ? z
            : a.HasAlibi ? $"({z} + (slope * {Unsafe}.Add(ref m, {i})))"
            : $"({z} + {Unsafe}.Add(ref m, {i}))";
    }

    private void WriteScalarLogitLocals(IndentedWriter writer)
    {
        AttentionOptions a = this.Attention;
        if (a.Softcap != 0)
        {
            writer.Line($"const {this.T} cap = ({this.T})Softcap, capScale = ({this.T})(LogitScale / Softcap);");
        }
        else if (a.TransformsLogits && this.LogitScale != 1.0)
        {
            writer.Line($"const {this.T} logitScale = ({this.T})LogitScale;");
        }
    }

    // After the max pass: the row maximum as a scalar, the sink joining it, and a row that is all −∞ written out.
    private void WriteRowMaximum(IndentedWriter writer, string maximum, string rowLength)
    {
        writer.Line($"{this.T} maximum = {maximum};");
        if (this.Attention.Sink)
        {
            writer.Line("maximum = global::System.Math.Max(maximum, sink);");
        }

        this.WriteMaskedRowCheck(writer, $"maximum == {this.T}.NegativeInfinity", rowLength);
    }

    // A row whose logits (and sink) are all −∞: zeros (log: −∞) with MaskedRowsAreZero, else NaN as PyTorch. Without
    // MaskedRowsAreZero and causal columns the arithmetic gives the NaN by itself, so no check is written.
    private void WriteMaskedRowCheck(IndentedWriter writer, string condition, string rowLength)
    {
        if (!this.Attention.MaskedRowsAreZero && !this.Attention.Causal)
        {
            return;
        }

        string value = this.Attention.MaskedRowsAreZero ? this.MaskedValue : $"{this.T}.NaN";
        string length = this.Attention.Causal ? "length" : rowLength;
        using (writer.Block($"if ({condition})"))
        {
            writer.Line(this.Attention.MaskedRowsAreZero
                ? $"// Every logit is −∞ (masked): MaskedRowsAreZero writes {(this.IsLog ? "−∞ (log 0)" : "zeros")}, not NaN."
                : "// Every logit is −∞ (masked): NaN, as PyTorch's softmax, over the whole row (the causal columns too).");
            writer.Line($"{MemoryMarshal}.CreateSpan(ref y, (int){length}).Fill({value});");
            writer.Line("return;");
        }
    }

    // The sink's term of the sum: exp(sink − maximum), in the denominator only; then, for causal rows, a NaN sum.
    private void WriteSinkTerm(IndentedWriter writer)
    {
        if (this.Attention.Sink)
        {
            writer.Line("sum += global::System.Math.Exp((double)sink - maximum);   // the sink: in the denominator only");
        }

        this.WriteNaNRowCheck(writer);
    }

    // A causal row with a NaN (or +∞ − +∞) among the columns it sees: NaN over the whole row, its causal columns too,
    // as the softmax of the masked row gives (the columns past the diagonal were written 0 before the row ran).
    private void WriteNaNRowCheck(IndentedWriter writer)
    {
        if (!this.Attention.Causal)
        {
            return;
        }

        using (writer.Block("if (double.IsNaN(sum))"))
        {
            writer.Line("// A NaN in the columns the row sees: NaN over the whole row, as PyTorch (the causal columns too).");
            writer.Line($"{MemoryMarshal}.CreateSpan(ref y, (int)length).Fill({this.T}.NaN);");
            writer.Line("return;");
        }
    }

    // The rows loop of a kernel that transforms its logits: each row gets its mask row, its causal length and its
    // ALiBi slope. Paths and Reference alike.
    private void WriteAttentionRowsLoop(IndentedWriter writer, string pathName)
    {
        KernelSignature s = this.model.Signature;
        AttentionOptions a = this.Attention;
        bool reference = pathName == "Reference";
        writer.Line(reference ? "// Row r takes mask row r mod (mask rows); the query of r is r mod rowsPerHead, its head r / rowsPerHead mod Heads." : KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {pathName}Rows({KernelFileWriter.LocalParameters(s)})"))
        {
            if (s.Shape == KernelShape.OneRow)
            {
                if (reference)
                {
                    writer.Line($"ReferenceRow(input, {(a.Mask ? "mask, " : string.Empty)}output{(a.Sink ? ", sink" : string.Empty)});");
                    return;
                }

                using (writer.Block("if (input.Length != 0)"))
                {
                    var arguments = new List<string> { $"ref {MemoryMarshal}.GetReference(input)" };
                    if (a.Mask)
                    {
                        arguments.Add($"ref {MemoryMarshal}.GetReference(mask)");
                    }

                    arguments.Add($"ref {MemoryMarshal}.GetReference(output)");
                    if (this.model.Width == 0)
                    {
                        arguments.Add("input.Length");
                    }

                    if (a.Sink)
                    {
                        arguments.Add("sink");
                    }

                    writer.Line($"{pathName}Row({string.Join(", ", arguments)});");
                }

                return;
            }

            if (!reference)
            {
                writer.Line($"ref {this.T} x = ref {MemoryMarshal}.GetReference(input);");
                if (a.Mask)
                {
                    writer.Line($"ref {this.T} m = ref {MemoryMarshal}.GetReference(mask);");
                }

                writer.Line($"ref {this.T} y = ref {MemoryMarshal}.GetReference(output);");
            }

            writer.Line("int rows = input.Length / rowLength;");
            if (a.Mask)
            {
                writer.Line("int maskRows = mask.Length / rowLength;");
            }

            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                writer.Line(reference ? "int offset = row * rowLength;" : "nint offset = (nint)row * rowLength;");
                string maskRow = reference ? "(row % maskRows) * rowLength" : "(nint)(row % maskRows) * rowLength";
                if (a.HasAlibi)
                {
                    writer.Line(reference ? "double slope = AlibiSlope((row / rowsPerHead) % Heads);" : $"{this.T} slope = ({this.T})AlibiSlope((row / rowsPerHead) % Heads);");
                }

                if (reference)
                {
                    var arguments = new List<string> { "input.Slice(offset, rowLength)" };
                    if (a.Mask)
                    {
                        arguments.Add($"mask.Slice({maskRow}, rowLength)");
                    }

                    arguments.Add("output.Slice(offset, rowLength)");
                    if (a.Sink)
                    {
                        arguments.Add("sink");
                    }

                    if (a.Causal)
                    {
                        arguments.Add("row % rowsPerHead");
                    }

                    if (a.HasAlibi)
                    {
                        arguments.Add("slope");
                    }

                    writer.Line($"ReferenceRow({string.Join(", ", arguments)});");
                }
                else
                {
                    this.WritePathRowCall(writer, pathName, maskRow);
                }
            }
        }
    }

    // One row's call in a path's rows loop: its x, mask row and y; the columns it sees (causal); its slope and the sink.
    private void WritePathRowCall(IndentedWriter writer, string pathName, string maskRow)
    {
        AttentionOptions a = this.Attention;
        var rowArguments = new List<string> { $"ref {Unsafe}.Add(ref x, offset)" };
        if (a.Mask)
        {
            rowArguments.Add($"ref {Unsafe}.Add(ref m, {maskRow})");
        }

        rowArguments.Add($"ref {Unsafe}.Add(ref y, offset)");
        if (a.Causal)
        {
            writer.Line("// The query of this row sees the columns j ≤ q + CausalOffset; the rest get probability 0 (log: −∞) here,");
            writer.Line("// and the row's passes walk only the columns it sees.");
            writer.Line("nint visible = (nint)global::System.Math.Clamp((long)(row % rowsPerHead) + CausalOffset + 1, 0, rowLength);");
            writer.Line($"{MemoryMarshal}.CreateSpan(ref {Unsafe}.Add(ref y, offset + visible), (int)(rowLength - visible)).Fill({this.MaskedValue});");
            rowArguments.Add("visible");
            rowArguments.Add("rowLength");
        }
        else if (this.model.Width == 0)
        {
            rowArguments.Add("rowLength");
        }

        if (a.HasAlibi)
        {
            rowArguments.Add("slope");
        }

        if (a.Sink)
        {
            rowArguments.Add("sink");
        }

        writer.Line($"{pathName}Row({string.Join(", ", rowArguments)});");
    }

    // The reference row of a kernel that transforms its logits: z in double, then the textbook softmax over z and the sink.
    private void WriteAttentionReferenceRow(IndentedWriter writer)
    {
        AttentionOptions a = this.Attention;
        var parameters = new List<string> { $"global::System.ReadOnlySpan<{this.T}> x" };
        if (a.Mask)
        {
            parameters.Add($"global::System.ReadOnlySpan<{this.T}> m");
        }

        parameters.Add($"global::System.Span<{this.T}> y");
        if (a.Sink)
        {
            parameters.Add($"{this.T} sink");
        }

        if (a.Causal)
        {
            parameters.Add("int query");
        }

        if (a.HasAlibi)
        {
            parameters.Add("double slope");
        }

        string zExpression = "x[j] * LogitScale";
        if (a.Softcap != 0)
        {
            zExpression = $"Softcap * global::System.Math.Tanh({zExpression} / Softcap)";
        }

        if (a.Mask)
        {
            zExpression = a.HasAlibi ? $"{zExpression} + (slope * m[j])" : $"{zExpression} + m[j]";
        }

        string formula = "z_j = " + (a.Softcap != 0 ? "c·tanh(s·x_j/c)" : "s·x_j") + (a.Mask ? (a.HasAlibi ? " + slope·m_j" : " + m_j") : string.Empty)
            + (a.Causal ? " (−∞ for j > query + CausalOffset)" : string.Empty);
        string denominator = a.Sink ? "exp(sink − M) + Σ_k exp(z_k − M), M = max(max_k z_k, sink)" : "Σ_k exp(z_k − M), M = max_k z_k";
        writer.Line($"// {formula}; {(this.IsLog ? "y_j = z_j − M − log S" : "y_j = exp(z_j − M) / S")}, S = {denominator}; in double with a compensated (Neumaier) sum.");
        using (writer.Block($"private static void ReferenceRow({string.Join(", ", parameters)})"))
        {
            writer.Line("double[] z = new double[x.Length];");
            using (writer.Block("for (int j = 0; j < x.Length; j++)"))
            {
                writer.Line(a.Causal ? $"z[j] = j > query + CausalOffset ? double.NegativeInfinity : {zExpression};" : $"z[j] = {zExpression};");
            }

            writer.Line();
            writer.Line(a.Sink ? "double maximum = sink;" : "double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int j = 0; j < x.Length; j++)"))
            {
                writer.Line("maximum = global::System.Math.Max(maximum, z[j]);");
            }

            writer.Line();
            using (writer.Block("if (maximum == double.NegativeInfinity)"))
            {
                writer.Line(a.MaskedRowsAreZero
                    ? $"// Every logit is −∞: MaskedRowsAreZero gives {(this.IsLog ? "−∞ (log 0)" : "zeros")}."
                    : "// Every logit is −∞: NaN, as PyTorch.");
                writer.Line($"y.Fill({(a.MaskedRowsAreZero ? this.MaskedValue : $"{this.T}.NaN")});");
                writer.Line("return;");
            }

            writer.Line();
            writer.Line(a.Sink ? "double sum = global::System.Math.Exp(sink - maximum), compensation = 0;" : "double sum = 0, compensation = 0;");
            using (writer.Block("for (int j = 0; j < x.Length; j++)"))
            {
                writer.Line("double term = global::System.Math.Exp(z[j] - maximum);");
                writer.Line("double next = sum + term;");
                writer.Line("compensation += global::System.Math.Abs(sum) >= global::System.Math.Abs(term) ? (sum - next) + term : (term - next) + sum;");
                writer.Line("sum = next;");
            }

            writer.Line();
            writer.Line("sum += compensation;");
            using (writer.Block("for (int j = 0; j < x.Length; j++)"))
            {
                writer.Line(this.IsLog
                    ? $"y[j] = ({this.T})((z[j] - maximum) - global::System.Math.Log(sum));"
                    : $"y[j] = ({this.T})(global::System.Math.Exp(z[j] - maximum) / sum);");
            }
        }
    }

    // Width rows in registers: z formed from each register (the tail's lanes past the row kept at −∞).
    private void WriteRegisterTransform(IndentedWriter writer, VectorLoopWriter c, IReadOnlyList<string> names, int full, int tail)
    {
        if (!this.Attention.TransformsLogits)
        {
            return;
        }

        for (int v = 0; v < names.Count; v++)
        {
            bool isTail = v == full;
            string? mask = !this.Attention.Mask ? null
                : isTail ? $"{c.M}.LoadTail(ref {Unsafe}.Add(ref m, {full * c.Lanes}), {tail}, {this.T}.NegativeInfinity)"
                : $"{c.V}.LoadUnsafe(ref m, (nuint){v * c.Lanes})";
            writer.Line($"{names[v]} = {this.Transform(c, names[v], mask, isTail ? tail.ToString(CultureInfo.InvariantCulture) : null)};");
        }
    }

    // The sink as one more term of TwoPass's (mantissa, exponent) sum: lane 0 of a vector whose other lanes are −∞.
    private void WriteTwoPassSink(IndentedWriter writer, VectorLoopWriter c)
    {
        if (!this.Attention.Sink)
        {
            return;
        }

        writer.Line("// The sink enters the sum as one more logit (lane 0 of a vector whose other lanes are −∞).");
        writer.Line($"{c.Vec} sinkMantissa = {c.M}.ExpExtended({c.M}.LoadTail(ref sink, 1, {this.T}.NegativeInfinity), out {c.Vec} sinkExponent);");
        writer.Line($"{c.M}.AccumulateExtended(ref mantissa0, ref exponent0, sinkMantissa, sinkExponent);");
    }

    // Online: the sink joins the running maximum and sum after the pass; then a row that is all −∞ (sum 0) is written out.
    private void WriteOnlineSinkAndCheck(IndentedWriter writer, VectorLoopWriter c, string rowLength)
    {
        if (this.Attention.Sink)
        {
            writer.Line($"{this.T} maximum = global::System.Math.Max({c.V}.ToScalar(rowMax), sink);");
            writer.Line($"sum = (sum * global::System.Math.Exp((double){c.V}.ToScalar(rowMax) - maximum)) + global::System.Math.Exp((double)sink - maximum);   // the sink: in the denominator only");
            writer.Line($"rowMax = {c.Splat("maximum")};");
        }

        this.WriteMaskedRowCheck(writer, "sum == 0", rowLength);
        this.WriteNaNRowCheck(writer);
    }
}
