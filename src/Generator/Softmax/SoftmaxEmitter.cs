using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// Writes the rows of a [Softmax] or [LogSoftmax] kernel: one vector row writer for every width
/// (the algorithms of kernels.md §1 over <see cref="VectorLoopWriter"/>), the scalar row, and
/// the double-precision reference.
/// </summary>
internal sealed partial class SoftmaxEmitter : IKernelRowWriter, IKernelValidationWriter, IKernelParallelWriter
{
    /// <summary>
    /// Rows longer than this many bytes use <c>TwoPass</c> under <c>Auto</c>; shorter rows use
    /// <c>ThreePassReload</c> (one exp per element). Measured on AVX-512 with a 32 MiB L3: ThreePassReload
    /// wins while a row and its output stay in L3 (rows of 1M floats: 0.23 vs 0.25 ns/element), TwoPass
    /// once they do not (4M floats: 0.28 vs 0.39). The crossover lies between; 8 MiB sits in it.
    /// </summary>
    public const int StreamingThresholdBytes = 8 * 1024 * 1024;

    private const string Unsafe = VectorLoopWriter.Unsafe;
    private readonly SoftmaxModel model;

    /// <inheritdoc/>
    public bool RowsInParallel => this.model.Parallel;

    private SoftmaxEmitter(SoftmaxModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary
    {
        get
        {
            if (this.IsBackward)
            {
                return this.BackwardSummary;
            }

            var parts = new List<string> { this.IsLog ? "log-softmax" : "softmax", KernelFileWriter.ElementName(this.model.Signature.Element), "Algorithm = " + this.model.Algorithm };
            if (this.model.Temperature != 1.0)
            {
                parts.Add("Temperature = " + this.model.Temperature.ToString("R", CultureInfo.InvariantCulture));
            }

            parts.AddRange(this.AttentionSummary());

            if (this.model.Width != 0)
            {
                parts.Add("Width = " + this.model.Width);
            }

            parts.Add(this.model.Unroll == 0 ? "Unroll = default (8 on AVX-512, else 4)" : "Unroll = " + this.model.Unroll);
            return string.Join(", ", parts);
        }
    }

    private bool IsLog => this.model.Kind == SoftmaxKind.LogSoftmax;

    // With the logits transformed (attention options), the scale and 1/T multiply x in the transform; otherwise
    // the scale folds into the temperature: s·x/T = x/(T/s).
    private bool HasTemperature => this.EffectiveTemperature != 1.0;

    private double EffectiveTemperature => this.Attention.TransformsLogits ? 1.0 : this.model.Temperature / this.Attention.Scale;

    private AttentionOptions Attention => this.model.Attention;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    private string ConstantSuffix => this.Element == ElementType.Float ? "Float" : "Double";

    private int StreamingThreshold => StreamingThresholdBytes / (this.Element == ElementType.Float ? 4 : 8);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(SoftmaxModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new SoftmaxEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        if (this.IsBackward)
        {
            this.WriteBackwardConstants(writer);
            return;
        }

        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line(this.Attention.Scale == 1.0 || this.Attention.TransformsLogits
            ? "/// <summary>T in softmax(x / T).</summary>"
            : "/// <summary>T/s: softmax(s·x / T) = softmax(x / (T/s)), the scale folded into the temperature.</summary>");
        writer.Line($"private const double Temperature = {CSharpLiteral.Of(this.Attention.TransformsLogits ? this.model.Temperature : this.EffectiveTemperature)};");
        this.WriteAttentionConstants(writer);
        if (this.HasTemperature)
        {
            double inverse = 1.0 / this.EffectiveTemperature;
            writer.Line("/// <summary>1/T rounded to the element type, and the part of 1/T that rounding dropped.</summary>");
            if (this.Element == ElementType.Float)
            {
                float high = (float)inverse;
                writer.Line($"private const float InverseTemperature = {CSharpLiteral.Of(high)};");
                writer.Line($"private const float InverseTemperatureLow = {CSharpLiteral.Of((float)(inverse - high))};");
            }
            else
            {
                writer.Line($"private const double InverseTemperature = {CSharpLiteral.Of(inverse)};");
                writer.Line($"private const double InverseTemperatureLow = {CSharpLiteral.Of(InverseLowPart(this.EffectiveTemperature, inverse))};");
            }
        }

        if (this.model.Algorithm == SoftmaxAlgorithmKind.Auto && this.model.Width == 0)
        {
            writer.Line($"/// <summary>Auto: rows longer than this ({StreamingThresholdBytes / (1024 * 1024)} MiB) use TwoPass, shorter ones ThreePassReload.</summary>");
            writer.Line($"private const int StreamingThreshold = {this.StreamingThreshold};");
        }

        this.WriteRowsInFlightConstants(writer);
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (this.IsBackward)
        {
            this.WriteBackwardRow(writer, path);
            return;
        }

        if (!path.IsVector)
        {
            this.WriteScalarRow(writer);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        int width = this.model.Width;
        if (c.KeepsRowInRegisters(width))
        {
            this.WriteRegisterRow(writer, c);
            if (this.RowGroup(path) is { } group)
            {
                writer.Line();
                this.WriteRegisterRowGroup(writer, c, group);
            }

            return;
        }

        if (this.PipelinedAlgorithm(path) is { } pipelined)
        {
            this.WritePipelinedRows(writer, c, pipelined);
            return;
        }

        // The entry row method, then one method per algorithm it may run.
        SoftmaxAlgorithmKind algorithm = this.model.Algorithm;
        var needed = new List<SoftmaxAlgorithmKind>();
        string parameters = this.RowParameters(withLength: width == 0);
        string n = width == 0 ? "n" : "Width";
        if (algorithm == SoftmaxAlgorithmKind.Auto && width == 0)
        {
            writer.Line("// Auto: rows that stay in cache take ThreePassReload (one exp per element); longer rows take");
            writer.Line("// TwoPass (2 reads and 1 write per element instead of 3 and 2).");
            writer.Line(KernelFileWriter.HotMethodAttribute);
            using (writer.Block($"private static void {path.Name}Row({parameters})"))
            {
                using (writer.Block("if (n <= StreamingThreshold)"))
                {
                    writer.Line($"{path.Name}RowThreePassReload({this.RowArguments("n")});");
                }
                using (writer.Block("else"))
                {
                    writer.Line($"{path.Name}RowTwoPass({this.RowArguments("n")});");
                }
            }

            needed.Add(SoftmaxAlgorithmKind.ThreePassReload);
            needed.Add(SoftmaxAlgorithmKind.TwoPass);
        }
        else
        {
            if (algorithm == SoftmaxAlgorithmKind.Auto)
            {
                // A fixed width decides Auto at build time.
                algorithm = width > this.StreamingThreshold ? SoftmaxAlgorithmKind.TwoPass : SoftmaxAlgorithmKind.ThreePassReload;
            }

            writer.Line(KernelFileWriter.HotMethodAttribute);
            using (writer.Block($"private static void {path.Name}Row({parameters})"))
            {
                writer.Line($"{path.Name}Row{algorithm}({this.RowArguments(n)});");
            }

            needed.Add(algorithm);
        }

        if (needed.Contains(SoftmaxAlgorithmKind.TwoPass) && !needed.Contains(SoftmaxAlgorithmKind.ThreePassReload))
        {
            needed.Add(SoftmaxAlgorithmKind.ThreePassReload);
        }

        foreach (SoftmaxAlgorithmKind kind in needed)
        {
            writer.Line();
            this.WriteAlgorithmRow(writer, c, kind);
        }
    }

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        if (!this.Attention.TransformsLogits)
        {
            return false;
        }

        this.WriteAttentionRowsLoop(writer, "Reference");
        return true;
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        if (this.Attention.TransformsLogits)
        {
            this.WriteAttentionRowsLoop(writer, path.Name);
            return true;
        }

        if (this.RowGroup(path) is { } group)
        {
            this.WriteGroupedRowsLoop(writer, path, group);
            return true;
        }

        if (this.PipelinedAlgorithm(path) is not { } algorithm)
        {
            return false;
        }

        const string Unsafe = VectorLoopWriter.Unsafe;
        bool autoDynamic = this.model.Algorithm == SoftmaxAlgorithmKind.Auto && this.model.Width == 0;
        writer.Line($"// {algorithm} with the rows pipelined: each row's last pass also finds the next row's maximum,");
        writer.Line("// so the next row streams in while this one is written, and only the first row has a max pass of its own.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Rows(global::System.ReadOnlySpan<{this.T}> input, global::System.Span<{this.T}> output, int rowLength)"))
        {
            writer.Line($"ref {this.T} x = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input);");
            writer.Line($"ref {this.T} y = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);");
            writer.Line("int rows = input.Length / rowLength;");
            writer.Line(this.model.Width == 0 ? "nint n = rowLength;" : "const nint n = Width;");
            using (writer.Block("if (rows == 0)"))
            {
                writer.Line("return;");
            }

            if (autoDynamic)
            {
                writer.Line();
                using (writer.Block("if (n > StreamingThreshold)"))
                {
                    writer.Line("// Auto: rows this long do not stay in cache; they take TwoPass, one after another.");
                    using (writer.Block("for (int row = 0; row < rows; row++)"))
                    {
                        writer.Line("nint offset = (nint)row * n;");
                        writer.Line($"{path.Name}RowTwoPass(ref {Unsafe}.Add(ref x, offset), ref {Unsafe}.Add(ref y, offset), n);");
                    }

                    writer.Line("return;");
                }
            }

            this.WriteRowsInFlightLoop(writer, path);
            writer.Line();
            writer.Line($"{this.T} maximum = {path.Name}RowMaximum(ref x, n);");
            writer.Line("nint start = 0;");
            using (writer.Block("for (int row = 1; row < rows; row++, start += n)"))
            {
                writer.Line($"maximum = {path.Name}Row{algorithm}Pipelined(ref {Unsafe}.Add(ref x, start), ref {Unsafe}.Add(ref y, start), n, maximum, ref {Unsafe}.Add(ref x, start + n));");
            }

            writer.Line();
            writer.Line("// The last row has no next row to look at.");
            writer.Line($"{path.Name}Row{algorithm}Last(ref {Unsafe}.Add(ref x, start), ref {Unsafe}.Add(ref y, start), n, maximum);");
        }

        return true;
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        if (this.IsBackward)
        {
            this.WriteBackwardReferenceRow(writer);
            return;
        }

        if (this.Attention.TransformsLogits)
        {
            this.WriteAttentionReferenceRow(writer);
            return;
        }

        string formula = this.IsLog
            ? "y_i = (x_i − m)/T − log Σ_j exp((x_j − m)/T)"
            : "y_i = exp((x_i − m)/T) / Σ_j exp((x_j − m)/T)";
        writer.Line($"// {formula}, m = max_j x_j, in double with a compensated (Neumaier) sum.");
        using (writer.Block($"private static void ReferenceRow(global::System.ReadOnlySpan<{this.T}> x, global::System.Span<{this.T}> y)"))
        {
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("maximum = global::System.Math.Max(maximum, x[i]);");
            }

            if (this.Attention.MaskedRowsAreZero)
            {
                writer.Line();
                using (writer.Block("if (maximum == double.NegativeInfinity)"))
                {
                    writer.Line($"// Every logit is −∞: MaskedRowsAreZero gives {(this.IsLog ? "−∞ (log 0)" : "zeros")}.");
                    writer.Line($"y.Fill({this.MaskedValue});");
                    writer.Line("return;");
                }
            }

            writer.Line();
            writer.Line("double sum = 0, compensation = 0;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("double term = global::System.Math.Exp((x[i] - maximum) / Temperature);");
                writer.Line("double next = sum + term;");
                writer.Line("compensation += global::System.Math.Abs(sum) >= global::System.Math.Abs(term) ? (sum - next) + term : (term - next) + sum;");
                writer.Line("sum = next;");
            }

            writer.Line();
            writer.Line("sum += compensation;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line(this.IsLog
                    ? $"y[i] = ({this.T})(((x[i] - maximum) / Temperature) - global::System.Math.Log(sum));"
                    : $"y[i] = ({this.T})(global::System.Math.Exp((x[i] - maximum) / Temperature) / sum);");
            }
        }
    }

    // (x − m)·(1/T), or just x − m when T = 1: the temperature costs nothing when it is not asked for.
    private string Scaled(string difference, string inverse = "inverseTemperature") =>
        this.HasTemperature ? $"({difference}) * {inverse}" : difference;

    private void WriteScalarRow(IndentedWriter writer)
    {
        string exp = this.Element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";
        string parameters = this.RowParameters(withLength: this.model.Width == 0);
        writer.Line("// Scalar: three passes (max; exp and sum in double; scale). The algorithm option shapes the vector paths.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({parameters})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            if (this.HasTemperature)
            {
                writer.Line($"const {this.T} inverseTemperature = InverseTemperature;");
            }

            this.WriteScalarLogitLocals(writer);
            writer.Line($"{this.T} {(this.NeedsRowMaximum ? "rowMaximum" : "maximum")} = {this.T}.NegativeInfinity;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                string maximum = this.NeedsRowMaximum ? "rowMaximum" : "maximum";
                writer.Line($"{maximum} = global::System.Math.Max({maximum}, {this.ScalarLogit("i")});");
            }

            if (this.NeedsRowMaximum)
            {
                this.WriteRowMaximum(writer, "rowMaximum", "n");
            }

            writer.Line();
            bool compensated = this.Element == ElementType.Double;
            writer.Line(compensated ? "double sum = 0, compensation = 0;" : "double sum = 0;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} e = {exp}({this.Scaled($"{this.ScalarLogit("i")} - maximum")});");
                if (!this.IsLog)
                {
                    writer.Line($"{Unsafe}.Add(ref y, i) = e;");
                }

                if (compensated)
                {
                    // Double terms in a double sum: compensate (Neumaier) so that long rows do not drift.
                    writer.Line("double next = sum + e;");
                    writer.Line("compensation += global::System.Math.Abs(sum) >= e ? (sum - next) + e : (e - next) + sum;");
                    writer.Line("sum = next;");
                }
                else
                {
                    writer.Line("sum += e;");
                }
            }

            if (compensated)
            {
                writer.Line("sum += compensation;");
            }

            this.WriteSinkTerm(writer);
            writer.Line();
            if (this.IsLog)
            {
                writer.Line($"{this.T} logSum = ({this.T})global::System.Math.Log(sum);");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref y, i) = ({this.Scaled($"{this.ScalarLogit("i")} - maximum")}) - logSum;");
                }
            }
            else
            {
                writer.Line($"{this.T} scale = ({this.T})(1.0 / sum);");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref y, i) *= scale;");
                }
            }
        }
    }

    // Width fixed and small: the row lives in registers. One read, one write, no loop, no tail logic at run time.
    private void WriteRegisterRow(IndentedWriter writer, VectorLoopWriter c)
    {
        int width = this.model.Width;
        int full = width / c.Lanes;
        int tail = width % c.Lanes;
        List<string> names = VectorLoopWriter.Names("x", full + (tail != 0 ? 1 : 0)).ToList();
        writer.Line($"// Width = {width}: {full} full vector(s){(tail != 0 ? $" and a {tail}-element tail" : string.Empty)} of {c.Lanes} lanes stay in registers:");
        writer.Line("// the row is read once and written once, fully unrolled.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({this.RowParameters(withLength: false)})"))
        {
            if (this.HasTemperature)
            {
                writer.Line($"{c.Vec} inverseTemperature = {c.Splat("InverseTemperature")};");
            }

            this.WriteLogitLocals(writer, c);

            for (int v = 0; v < full; v++)
            {
                writer.Line($"{c.Vec} x{v} = {c.V}.LoadUnsafe(ref x, (nuint){v * c.Lanes});");
            }

            if (tail != 0)
            {
                writer.Line($"{c.Vec} x{full} = {c.M}.LoadTail(ref {Unsafe}.Add(ref x, {full * c.Lanes}), {tail}, {this.T}.NegativeInfinity);");
            }

            this.WriteRegisterTransform(writer, c, names, full, tail);
            string horizontalMax = $"{c.M}.HorizontalMax({VectorLoopWriter.Tree(names, (a, b) => $"{c.M}.Max({a}, {b})")})";
            if (this.NeedsRowMaximum)
            {
                this.WriteRowMaximum(writer, horizontalMax, "Width");
                writer.Line($"{c.Vec} rowMax = {c.Splat("maximum")};");
            }
            else
            {
                writer.Line($"{c.Vec} rowMax = {c.Splat(horizontalMax)};");
            }

            foreach (string name in names)
            {
                writer.Line(this.IsLog
                    ? $"{name} = {this.Scaled($"{name} - rowMax")};"
                    : $"{name} = {c.M}.ExpNonPositive({this.Scaled($"{name} - rowMax")});");
            }

            string sumTree = this.IsLog
                ? VectorLoopWriter.Tree(names.Select(name => $"{c.M}.ExpNonPositive({name})").ToList(), static (a, b) => $"({a} + {b})")
                : VectorLoopWriter.Tree(names, static (a, b) => $"({a} + {b})");
            writer.Line($"double sum = {this.LanesSum(c, sumTree)};");
            this.WriteSinkTerm(writer);
            string factor = this.IsLog ? "logSum" : "scale";
            writer.Line(this.IsLog
                ? $"{c.Vec} logSum = {c.Splat($"({this.T})global::System.Math.Log(sum)")};"
                : $"{c.Vec} scale = {c.Splat($"({this.T})(1.0 / sum)")};");
            string op = this.IsLog ? "-" : "*";
            for (int v = 0; v < full; v++)
            {
                writer.Line($"{c.V}.StoreUnsafe(x{v} {op} {factor}, ref y, (nuint){v * c.Lanes});");
            }

            if (tail != 0)
            {
                writer.Line($"{c.M}.StoreTail(ref {Unsafe}.Add(ref y, {full * c.Lanes}), {tail}, x{full} {op} {factor});");
            }
        }
    }

    // Many rows of a fixed width small enough that several rows fit in the registers at once: the rows that
    // the grouped rows loop hands to {path}RowGroup together (null: one row at a time). A row alone is a chain of
    // dependent steps (max, exp, sum, reciprocal) that leaves the vector units idle while it waits on its
    // horizontal max and its sum; four rows written interleaved keep them busy (Width = 64 on Avx512:
    // 4096 rows in 127 µs one at a time, 95 µs two at a time, probe of 2026-12-03). Softmax only, no
    // attention options: log-softmax, the sink and the masks keep the one-row method.
    private int? RowGroup(PathInfo path)
    {
        if (!path.IsVector || this.model.Signature.Shape != KernelShape.ManyRows || this.IsLog || this.IsBackward
            || this.Attention.TransformsLogits || this.NeedsRowMaximum || this.Attention.Mask
            || !path.KeepsRowInRegisters(this.model.Width, this.Element))
        {
            return null;
        }

        int lanes = path.Lanes(this.Element);
        int vectors = (this.model.Width + lanes - 1) / lanes;
        // At most 4 rows, and 12 vectors of row data at once on AVX-512 (32 registers), 8 on the narrower paths: with 16
        // the exps' temporaries spill to the stack, and the run time then depends on where the thread's stack sits (82 or
        // 143 µs from one process to the next). Width = 64 on AVX-512, paired against ONNX Runtime (bench --ratios, Zen 5):
        // 2 rows (8 vectors) 1.42x, 3 rows (12 vectors) 1.51-1.52x.
        int budget = path.VectorRegisters == 32 ? 12 : 8;
        int group = Math.Min(4, budget / vectors);
        return group >= 2 ? group : null;
    }

    private void WriteGroupedRowsLoop(IndentedWriter writer, PathInfo path, int group)
    {
        const string Unsafe = VectorLoopWriter.Unsafe;
        writer.Line($"// Rows of Width elements, {group} at a time through {path.Name}RowGroup (their steps interleaved), then the rest one by one.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Rows(global::System.ReadOnlySpan<{this.T}> input, global::System.Span<{this.T}> output, int rowLength)"))
        {
            writer.Line($"ref {this.T} x = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input);");
            writer.Line($"ref {this.T} y = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);");
            writer.Line("int rows = input.Length / Width;");
            writer.Line("int row = 0;");
            using (writer.Block($"for (; row <= rows - {group}; row += {group})"))
            {
                writer.Line("nint offset = (nint)row * Width;");
                writer.Line($"{path.Name}RowGroup(ref {Unsafe}.Add(ref x, offset), ref {Unsafe}.Add(ref y, offset));");
            }

            using (writer.Block("for (; row < rows; row++)"))
            {
                writer.Line("nint offset = (nint)row * Width;");
                writer.Line($"{path.Name}Row(ref {Unsafe}.Add(ref x, offset), ref {Unsafe}.Add(ref y, offset));");
            }
        }
    }

    // {group} consecutive rows of Width elements in registers, each step written for every row before the next
    // step; the max stays in a vector (BroadcastMax), the sum is one vector's lanes added in double (SumWidened).
    // The sum of one vector's lanes in double, for a row kept in registers: float lanes widened (SumWidened), double lanes added.
    private string LanesSum(VectorLoopWriter c, string vector) => this.Element == ElementType.Float
        ? $"{c.M}.SumWidened({vector})"
        : $"{c.V}.Sum({vector})";

    private void WriteRegisterRowGroup(IndentedWriter writer, VectorLoopWriter c, int group)
    {
        int width = this.model.Width;
        int full = width / c.Lanes;
        int tail = width % c.Lanes;
        int vectors = full + (tail != 0 ? 1 : 0);
        const string Unsafe = VectorLoopWriter.Unsafe;
        string[] rowNames = ["a", "b", "c", "d"];
        List<List<string>> names = Enumerable.Range(0, group).Select(r => VectorLoopWriter.Names(rowNames[r], vectors).ToList()).ToList();
        writer.Line($"// {group} rows at once ({string.Join(", ", Enumerable.Range(0, group).Select(r => $"{rowNames[r]}: row {r}"))}), as {c.Path.Name}Row computes each;");
        writer.Line("// the steps of the rows interleave; the max stays in a vector, the sum is added in double from one vector per row.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}RowGroup(ref {this.T} x, ref {this.T} y)"))
        {
            if (this.HasTemperature)
            {
                writer.Line($"{c.Vec} inverseTemperature = {c.Splat("InverseTemperature")};");
            }

            for (int r = 0; r < group; r++)
            {
                for (int v = 0; v < full; v++)
                {
                    writer.Line($"{c.Vec} {names[r][v]} = {c.V}.LoadUnsafe(ref x, (nuint){r * width + v * c.Lanes});");
                }

                if (tail != 0)
                {
                    writer.Line($"{c.Vec} {names[r][full]} = {c.M}.LoadTail(ref {Unsafe}.Add(ref x, {r * width + full * c.Lanes}), {tail}, {this.T}.NegativeInfinity);");
                }
            }

            for (int r = 0; r < group; r++)
            {
                writer.Line($"{c.Vec} max{rowNames[r].ToUpperInvariant()} = {c.M}.BroadcastMax({VectorLoopWriter.Tree(names[r], (a, b) => $"{c.M}.Max({a}, {b})")});");
            }

            for (int v = 0; v < vectors; v++)
            {
                for (int r = 0; r < group; r++)
                {
                    writer.Line($"{names[r][v]} = {c.M}.ExpNonPositive({this.Scaled($"{names[r][v]} - max{rowNames[r].ToUpperInvariant()}")});");
                }
            }

            for (int r = 0; r < group; r++)
            {
                string row = rowNames[r].ToUpperInvariant();
                string tree = VectorLoopWriter.Tree(names[r], static (a, b) => $"({a} + {b})");
                writer.Line($"double sum{row} = {this.LanesSum(c, tree)};");
            }

            for (int r = 0; r < group; r++)
            {
                string row = rowNames[r].ToUpperInvariant();
                writer.Line($"{c.Vec} scale{row} = {c.Splat($"({this.T})(1.0 / sum{row})")};");
            }

            for (int r = 0; r < group; r++)
            {
                string row = rowNames[r].ToUpperInvariant();
                for (int v = 0; v < full; v++)
                {
                    writer.Line($"{c.V}.StoreUnsafe({names[r][v]} * scale{row}, ref y, (nuint){r * width + v * c.Lanes});");
                }

                if (tail != 0)
                {
                    writer.Line($"{c.M}.StoreTail(ref {Unsafe}.Add(ref y, {r * width + full * c.Lanes}), {tail}, {names[r][full]} * scale{row});");
                }
            }
        }
    }

    private void WriteAlgorithmRow(IndentedWriter writer, VectorLoopWriter c, SoftmaxAlgorithmKind algorithm)
    {
        switch (algorithm)
        {
            case SoftmaxAlgorithmKind.ThreePassReload:
                writer.Line("// ThreePassReload: max; exp(x − max) stored and summed; scaled by 1/sum (3 reads, 2 writes, 1 exp per element).");
                break;
            case SoftmaxAlgorithmKind.ThreePassRecompute:
                writer.Line("// ThreePassRecompute: max; Σ exp(x − max); exp(x − max)/sum written (3 reads, 1 write, 2 exps per element).");
                break;
            case SoftmaxAlgorithmKind.TwoPass:
                writer.Line("// TwoPass (Dukhan & Ablavatski): Σ e^x kept as (mantissa, exponent) pairs, so no max pass; then e^x scaled");
                writer.Line("// and written (2 reads, 1 write, 2 exps per element).");
                break;
            case SoftmaxAlgorithmKind.Online:
                writer.Line("// Online (Milakov & Gimelshein): a running max and a sum rescaled when it grows; then exp(x − max)/sum");
                writer.Line("// written (2 reads, 1 write).");
                break;
        }

        // With a fixed width the algorithm inlines into its only caller, so the width stays a constant.
        // Otherwise it stays a method of its own: inlined into the loop over rows, its many vector
        // temporaries would compete with the row loop's for registers (measured 1.4x slower).
        writer.Line(this.model.Width != 0
            ? "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining | global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"
            : "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining | global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
        using (writer.Block($"private static void {c.Path.Name}Row{algorithm}({this.RowParameters(withLength: true)})"))
        {
            if (this.HasTemperature && algorithm != SoftmaxAlgorithmKind.TwoPass)
            {
                writer.Line($"{c.Vec} inverseTemperature = {c.Splat("InverseTemperature")};");
            }

            this.WriteLogitLocals(writer, c);
            writer.Line("nint i;");
            switch (algorithm)
            {
                case SoftmaxAlgorithmKind.TwoPass:
                    this.WriteTwoPass(writer, c);
                    break;
                case SoftmaxAlgorithmKind.Online:
                    this.WriteOnline(writer, c);
                    break;
                default:
                    this.WriteThreePass(writer, c, reload: algorithm == SoftmaxAlgorithmKind.ThreePassReload);
                    break;
            }
        }
    }

    // Many rows of a three-pass algorithm (or Auto on rows that stay in cache) on a vector path whose rows
    // do not fit in registers: the rows can be pipelined. Null where they cannot.
    private SoftmaxAlgorithmKind? PipelinedAlgorithm(PathInfo path)
    {
        // The pipelined rows find the next row's maximum of x; with the logits transformed (or masked rows to
        // look at) each row takes its own max pass instead.
        if (!path.IsVector || this.model.Signature.Shape != KernelShape.ManyRows || this.Attention.TransformsLogits || this.Attention.MaskedRowsAreZero || this.IsBackward)
        {
            return null;
        }

        int width = this.model.Width;
        if (path.KeepsRowInRegisters(width, this.Element))
        {
            return null;
        }

        SoftmaxAlgorithmKind algorithm = this.model.Algorithm;
        if (algorithm == SoftmaxAlgorithmKind.Auto)
        {
            algorithm = width > this.StreamingThreshold ? SoftmaxAlgorithmKind.TwoPass : SoftmaxAlgorithmKind.ThreePassReload;
        }

        return algorithm is SoftmaxAlgorithmKind.ThreePassReload or SoftmaxAlgorithmKind.ThreePassRecompute ? algorithm : null;
    }

    private void WritePipelinedRows(IndentedWriter writer, VectorLoopWriter c, SoftmaxAlgorithmKind algorithm)
    {
        string inlining = this.model.Width != 0
            ? "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining | global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]"
            : "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining | global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";
        writer.Line("// The first row's maximum (later rows get theirs from the previous row's last pass).");
        writer.Line(inlining);
        using (writer.Block($"private static {this.T} {c.Path.Name}RowMaximum(ref {this.T} x, nint n)"))
        {
            writer.Line("nint i;");
            writer.Line($"return {this.WriteMaxPass(writer, c, "x")};");
        }

        // Passes 2 and 3 of a row whose maximum is known: the pipelined form's last pass also returns the maximum of the
        // row at 'next'; the last row's has no next row.
        void WriteKnownMaximumRow(string comment, string signature, bool fuseNextMaximum)
        {
            writer.Line();
            writer.Line(comment);
            writer.Line(inlining);
            using (writer.Block(signature))
            {
                if (this.HasTemperature)
                {
                    writer.Line($"{c.Vec} inverseTemperature = {c.Splat("InverseTemperature")};");
                }

                writer.Line("nint i;");
                writer.Line($"{c.Vec} rowMax = {c.Splat("maximum")};");
                this.WriteSumAndOutputPasses(writer, c, reload: algorithm == SoftmaxAlgorithmKind.ThreePassReload, fuseNextMaximum);
            }
        }

        WriteKnownMaximumRow(
            $"// {algorithm} for one row whose maximum is known; its last pass returns the maximum of the row at 'next'.",
            $"private static {this.T} {c.Path.Name}Row{algorithm}Pipelined(ref {this.T} x, ref {this.T} y, nint n, {this.T} maximum, ref {this.T} next)",
            fuseNextMaximum: true);
        WriteKnownMaximumRow(
            $"// {algorithm} for the last row, whose maximum is known.",
            $"private static void {c.Path.Name}Row{algorithm}Last(ref {this.T} x, ref {this.T} y, nint n, {this.T} maximum)",
            fuseNextMaximum: false);
        this.WriteRowsInFlightMethods(writer, c, inlining);

        if (this.model.Algorithm == SoftmaxAlgorithmKind.Auto && this.model.Width == 0)
        {
            // Auto's long rows: TwoPass, and the three-pass method it falls back to.
            writer.Line();
            this.WriteAlgorithmRow(writer, c, SoftmaxAlgorithmKind.TwoPass);
            writer.Line();
            this.WriteAlgorithmRow(writer, c, SoftmaxAlgorithmKind.ThreePassReload);
        }
    }

    private void WriteThreePass(IndentedWriter writer, VectorLoopWriter c, bool reload)
    {
        writer.Line();
        writer.Line($"// Pass 1: the row maximum, with {c.Unroll} independent accumulator(s) to hide the latency of max.");
        string maximum = this.WriteMaxPass(writer, c, "x");
        if (this.NeedsRowMaximum)
        {
            this.WriteRowMaximum(writer, maximum, "n");
            maximum = "maximum";
        }

        writer.Line($"{c.Vec} rowMax = {c.Splat(maximum)};");
        this.WriteSumAndOutputPasses(writer, c, reload, fuseNextMaximum: false);
    }

    // Declares one max accumulator per unrolled vector, walks the row of 'source', and returns the
    // expression of the row maximum.
    private string WriteMaxPass(IndentedWriter writer, VectorLoopWriter c, string source)
    {
        c.WriteMaxDeclarations(writer);
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"max{a.Accumulator} = {c.M}.Max(max{a.Accumulator}, {(source == "x" ? this.Logit(c, a) : a.Load(source))});");
            }
        });
        return c.MaxOfAccumulators();
    }

    // Passes 2 and 3 of the three-pass algorithms, given rowMax. With fuseNextMaximum the output pass
    // also walks the next row ('next') and the method returns that row's maximum.
    private void WriteSumAndOutputPasses(IndentedWriter writer, VectorLoopWriter c, bool reload, bool fuseNextMaximum)
    {
        // Reload stores what pass 3 reads back from the output, so pass 3 writes lines already in cache (it
        // does not fetch them while it streams): softmax the exps, log-softmax the shifted logits (x − max)/T.
        bool storeExp = reload && !this.IsLog;
        bool storeShifted = reload && this.IsLog;
        writer.Line();
        writer.Line(storeExp
            ? "// Pass 2: e = exp(x − max), stored to the output and summed."
            : storeShifted
                ? "// Pass 2: d = (x − max)/T, stored to the output, and Σ exp(d)."
                : "// Pass 2: Σ exp(x − max), nothing stored.");
        c.WriteSumDeclarations(writer);
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) => this.WriteExpStage(w, c, group, reload), w => c.WriteSumFlush(w));
        writer.Line($"double sum = {c.M}.SumWidened(wideLow, wideHigh);");
        this.WriteSinkTerm(writer);

        writer.Line();
        writer.Line(this.IsLog
            ? storeShifted ? "// Pass 3: y = d − log(sum), d reloaded from the output." : "// Pass 3: y = (x − max)/T − log(sum)."
            : storeExp ? "// Pass 3: scale the stored exps by 1/sum (a multiply: cheaper than a divide, within an ulp)."
            : "// Pass 3: y = exp(x − max) · (1/sum), the exp computed again instead of stored and reloaded.");
        this.WriteOutputFactor(writer, c, "sum");

        // Reload's output is ReloadOutput (what pass 2 stored); Recompute's is formed from (x − max)/T, '{0}'.
        string recomputed = this.IsLog ? "({0}) - logSum" : $"{c.M}.ExpNonPositive({{0}}) * scale";
        string outputFill = reload || this.IsLog ? "0" : $"{this.T}.NegativeInfinity";

        if (fuseNextMaximum)
        {
            writer.Line("// The same loop finds the next row's maximum: that row streams in from memory while this one is");
            writer.Line("// written, and the next call starts with its second pass.");
            c.WriteMaxDeclarations(writer);
        }

        c.WritePass(writer, outputFill, (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                if (fuseNextMaximum)
                {
                    w.Line($"max{a.Accumulator} = {c.M}.Max(max{a.Accumulator}, {a.Load("next", $"{this.T}.NegativeInfinity")});");
                }

                w.Line(reload
                    ? this.ReloadOutput(a, "y")
                    : a.Store(string.Format(System.Globalization.CultureInfo.InvariantCulture, recomputed, this.Scaled($"{this.Logit(c, a)} - rowMax")), "y"));
            }
        });

        if (fuseNextMaximum)
        {
            writer.Line($"return {c.MaxOfAccumulators()};");
        }
    }

    // Pass 2's statements for a group of vectors: e = exp((x − max)/T) of 'x', summed; with reload also stored to 'y'
    // (softmax e, log-softmax the shifted logit d). All exps of the group first, then the stores and sums: independent
    // chains side by side.
    private void WriteExpStage(IndentedWriter w, VectorLoopWriter c, IEnumerable<VectorAccess> group, bool reload)
    {
        bool storeShifted = reload && this.IsLog;
        foreach (VectorAccess a in group)
        {
            string shifted = this.Scaled($"{this.Logit(c, a)} - rowMax");
            if (storeShifted)
            {
                w.Line($"{c.Vec} d{a.Accumulator} = {shifted};");
                shifted = $"d{a.Accumulator}";
            }

            w.Line($"{c.Vec} e{a.Accumulator} = {c.M}.ExpNonPositive({shifted});");
        }

        foreach (VectorAccess a in group)
        {
            if (reload)
            {
                w.Line(a.Store(storeShifted ? $"d{a.Accumulator}" : $"e{a.Accumulator}", "y"));
            }

            w.Line($"sum{a.Accumulator} += e{a.Accumulator};");
        }
    }

    private void WriteOnline(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line();
        OnlineNormalizerWriter.WritePass(writer, c, d => this.Scaled(d), load: this.Attention.TransformsLogits ? a => this.Logit(c, a) : null);
        this.WriteOnlineSinkAndCheck(writer, c, "n");

        writer.Line();
        if (this.IsLog)
        {
            writer.Line("// Pass 2: y = (x − max)/T − log(sum).");
            this.WriteLogOutputPass(writer, c);
        }
        else
        {
            writer.Line("// Pass 2: y = exp(x − max) · (1/sum).");
            this.WriteExpOutputPass(writer, c);
        }
    }

    private void WriteTwoPass(IndentedWriter writer, VectorLoopWriter c)
    {
        string suffix = this.ConstantSuffix;
        string empty = $"global::KernelGen.Runtime.MathConstants.ExtendedEmpty{suffix}";
        string valid = $"global::KernelGen.Runtime.MathConstants.ExtendedValid{suffix}";
        writer.Line();
        using (writer.Block($"if (!{c.M}.HasFusedMultiplyAdd)"))
        {
            writer.Line("// Without FMA, x − n·ln2 is not exact for large |x|: use the three-pass method instead.");
            writer.Line($"{c.Path.Name}RowThreePassReload({this.RowArguments("n")});");
            writer.Line("return;");
        }

        writer.Line();
        writer.Line("// Pass 1: Σ e^x as per-lane (mantissa, exponent) pairs: e^x = m·2^k with m in [0.7, 1.42], so no");
        writer.Line("// finite x overflows and no max pass is needed.");
        for (int u = 0; u < c.Unroll; u++)
        {
            writer.Line($"{c.Vec} mantissa{u} = {c.Vec}.Zero, exponent{u} = {c.Splat(empty)};");
        }

        writer.Line($"{c.WideVec} wideLow = {c.WideVec}.Zero, wideHigh = {c.WideVec}.Zero;");
        writer.Line($"{c.Vec} wideExponent = {c.Splat(empty)};");
        this.WriteTwoPassSink(writer, c);
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                int u = a.Accumulator;
                this.WriteExpExtended(w, c, this.Logit(c, a), u.ToString(CultureInfo.InvariantCulture));
                w.Line($"{c.M}.AccumulateExtended(ref mantissa{u}, ref exponent{u}, p{u}, k{u});");
            }
        }, w =>
        {
            w.Line("// Merge the accumulators and move them into double lanes, so that long rows do not drift.");
            for (int u = 1; u < c.Unroll; u++)
            {
                w.Line($"{c.M}.AccumulateExtended(ref mantissa0, ref exponent0, mantissa{u}, exponent{u});");
            }

            w.Line($"{c.M}.FlushExtended(ref wideLow, ref wideHigh, ref wideExponent, mantissa0, exponent0);");
            for (int u = 0; u < c.Unroll; u++)
            {
                w.Line($"mantissa{u} = {c.Vec}.Zero;");
                w.Line($"exponent{u} = {c.Splat(empty)};");
            }
        });
        writer.Line($"{this.T} largest = {c.M}.ReduceExtended(wideLow, wideHigh, wideExponent, out double mantissa);");
        using (writer.Block($"if (!(largest >= -{valid} && largest <= {valid}))"))
        {
            writer.Line("// A row maximum beyond the exact range (|x| > 2e6 in float), or NaN or ±inf: use the three-pass method,");
            writer.Line("// which gives the same results (NaN where PyTorch gives NaN).");
            writer.Line($"{c.Path.Name}RowThreePassReload({this.RowArguments("n")});");
            writer.Line("return;");
        }

        writer.Line();
        if (this.IsLog)
        {
            writer.Line("// Pass 2: y = x/T − LSE, LSE = largest·ln2 + log(mantissa). LSE is split into a float near the row");
            writer.Line("// maximum and a small correction, so that x/T − LSE keeps its accuracy when |x| is large.");
            writer.Line("double logSumHigh = largest * global::KernelGen.Runtime.MathConstants.Ln2HiDouble;   // exact: ln2_hi has 32 significant bits");
            writer.Line("double logSumLow = (largest * global::KernelGen.Runtime.MathConstants.Ln2LoDouble) + global::System.Math.Log(mantissa);");
            writer.Line($"{this.T} shift = ({this.T})(logSumHigh + logSumLow);");
            writer.Line($"{c.Vec} rowShift = {c.Splat("shift")};");
            writer.Line($"{c.Vec} rowCorrection = {c.Splat($"({this.T})((logSumHigh - shift) + logSumLow)")};");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    int u = a.Accumulator;
                    if (this.HasTemperature)
                    {
                        w.Line($"{c.Vec} scaled{u} = {c.M}.MultiplyExtended({a.Load("x")}, InverseTemperature, InverseTemperatureLow, out {c.Vec} low{u});");
                        w.Line(a.Store($"((scaled{u} - rowShift) + low{u}) - rowCorrection", "y"));
                    }
                    else
                    {
                        w.Line(a.Store($"({this.Logit(c, a)} - rowShift) - rowCorrection", "y"));
                    }
                }
            });
        }
        else
        {
            writer.Line("// Pass 2: y = m·(1/M)·2^(k − K), recomputing each pair; K is the row's largest exponent.");
            writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})(1.0 / mantissa)")};");
            writer.Line($"{c.Vec} rowExponent = {c.Splat("largest")};");
            c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    int u = a.Accumulator;
                    this.WriteExpExtended(w, c, this.Logit(c, a), u.ToString(CultureInfo.InvariantCulture));
                    w.Line(a.Store($"{c.M}.ScaleByPowerOfTwo(p{u} * scale, k{u} - rowExponent)", "y"));
                }
            });
        }
    }

    // p·2^k = e^(x/T); with a temperature, x/T is carried as a high and a low part so that 1/T costs no accuracy.
    private void WriteExpExtended(IndentedWriter w, VectorLoopWriter c, string load, string u)
    {
        if (this.HasTemperature)
        {
            w.Line($"{c.Vec} scaled{u} = {c.M}.MultiplyExtended({load}, InverseTemperature, InverseTemperatureLow, out {c.Vec} low{u});");
            w.Line($"{c.Vec} p{u} = {c.M}.ExpExtended(scaled{u}, low{u}, out {c.Vec} k{u});");
        }
        else
        {
            w.Line($"{c.Vec} p{u} = {c.M}.ExpExtended({load}, out {c.Vec} k{u});");
        }
    }

    private void WriteExpOutputPass(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line($"{c.Vec} scale = {c.Splat($"({this.T})(1.0 / sum)")};");
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line(a.Store($"{c.M}.ExpNonPositive({this.Scaled($"{this.Logit(c, a)} - rowMax")}) * scale", "y"));
            }
        });
    }

    private void WriteLogOutputPass(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line($"{c.Vec} logSum = {c.Splat($"({this.T})global::System.Math.Log(sum)")};");
        c.WritePass(writer, "0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line(a.Store($"({this.Scaled($"{this.Logit(c, a)} - rowMax")}) - logSum", "y"));
            }
        });
    }

    // The part of 1/t that the double 'inverse' misses: (1 − t·inverse)/t, with t·inverse formed exactly (Dekker's product).
    private static double InverseLowPart(double t, double inverse)
    {
        static (double High, double Low) Split(double a)
        {
            double c = 134217729.0 * a;
            double high = c - (c - a);
            return (high, a - high);
        }

        double product = t * inverse;
        (double th, double tl) = Split(t);
        (double ih, double il) = Split(inverse);
        double error = (((th * ih) - product) + (th * il) + (tl * ih)) + (tl * il);
        return ((1.0 - product) - error) / t;
    }
}
