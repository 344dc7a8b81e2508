using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// Writes [GumbelSoftmax] on every path. Pass 1 is the same scalar code on every path (the noise is formed in double by
/// <c>KernelGen.Runtime.GumbelNoise</c>, so every path and the reference see the same bits): it writes the perturbed
/// logits z_i = (x_i + g_i)/τ, rounded once to T, into the output and keeps their maximum. The soft sample then
/// normalizes z in place as the softmax variants do (an exp-and-sum pass, then a scaling pass, with the vector words
/// and the block sums of <see cref="VectorLoopWriter"/>); the hard sample only clears the row and writes its one.
/// </summary>
internal sealed class GumbelSoftmaxEmitter : IKernelRowWriter, IKernelValidationWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Noise = "global::KernelGen.Runtime.GumbelNoise";
    private readonly GumbelSoftmaxModel model;

    private GumbelSoftmaxEmitter(GumbelSoftmaxModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => this.model.Hard
        ? $"GumbelSoftmax (hard): y = one-hot(argmax(x + g)), g = −log(−log U), {this.NoiseText}"
        : $"GumbelSoftmax: y = softmax((x + g)/τ), g = −log(−log U), τ = {CSharpLiteral.Of(this.model.Temperature)}, {this.NoiseText}";

    private string NoiseText => this.model.Seeded
        ? $"U from GumbelNoise.{(this.IsFloat ? "Uniform24" : "Uniform52")}(seed, index)"
        : "U from the caller's span";

    private ElementType Element => this.model.Signature.Element;

    private bool IsFloat => this.Element == ElementType.Float;

    private string T => KernelFileWriter.ElementName(this.Element);

    private bool FixedWidth => this.model.Width != 0;

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(GumbelSoftmaxModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new GumbelSoftmaxEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        if (!this.model.Hard)
        {
            writer.Line("/// <summary>τ in softmax((x + g)/τ).</summary>");
            writer.Line($"private const double Temperature = {CSharpLiteral.Of(this.model.Temperature)};");
        }
    }

    public void WriteValidation(IndentedWriter writer, KernelSignature signature, string pathsClass)
    {
        KernelFileWriter.WriteDefaultValidation(writer, signature, pathsClass);
        if (signature.NameOf(ParameterRole.Uniform) is { } uniform)
        {
            writer.Line($"global::KernelGen.Runtime.KernelArguments.ValidateNoise<{this.T}>({uniform}, {signature.InputName}, {signature.OutputName}, nameof({uniform}));");
        }
    }

    // ---- The rows loops: each row gets its pointers, and a seeded row the index of its first element in the whole span ----

    private string RowParameters => this.model.Seeded
        ? $"ref {this.T} x, ref {this.T} y, ulong seed, long first"
        : $"ref {this.T} x, ref {this.T} u, ref {this.T} y";

    private string RowMethodParameters => this.RowParameters + (this.FixedWidth ? string.Empty : ", nint n");

    private string RowArguments(string offset) => this.model.Seeded
        ? $"ref {Unsafe}.Add(ref x, {offset}), ref {Unsafe}.Add(ref y, {offset}), seed, {offset}"
        : $"ref {Unsafe}.Add(ref x, {offset}), ref {Unsafe}.Add(ref u, {offset}), ref {Unsafe}.Add(ref y, {offset})";

    private string RowCallArguments => this.model.Seeded ? "ref x, ref y, seed, first, n" : "ref x, ref u, ref y, n";

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path)
    {
        KernelSignature s = this.model.Signature;
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Rows({KernelFileWriter.LocalParameters(s)})"))
        {
            writer.Line($"ref {this.T} x = ref {MemoryMarshal}.GetReference(input);");
            if (!this.model.Seeded)
            {
                writer.Line($"ref {this.T} u = ref {MemoryMarshal}.GetReference(uniform);");
            }

            writer.Line($"ref {this.T} y = ref {MemoryMarshal}.GetReference(output);");
            if (s.Shape == KernelShape.ManyRows)
            {
                writer.Line("int rows = input.Length / rowLength;");
                using (writer.Block("for (int row = 0; row < rows; row++)"))
                {
                    writer.Line("nint offset = (nint)row * rowLength;");
                    writer.Line($"{path.Name}Row({this.RowArguments("offset")}{(this.FixedWidth ? string.Empty : ", rowLength")});");
                }
            }
            else
            {
                using (writer.Block("if (input.Length != 0)"))
                {
                    writer.Line($"{path.Name}Row({this.RowArguments("0")}{(this.FixedWidth ? string.Empty : ", input.Length")});");
                }
            }
        }

        return true;
    }

    public bool WriteReferenceRowsLoop(IndentedWriter writer)
    {
        KernelSignature s = this.model.Signature;
        string spans = this.model.Seeded ? "{0}output{1}, seed, {2}" : "{0}uniform{1}, output{1}";
        using (writer.Block($"private static void ReferenceRows({KernelFileWriter.LocalParameters(s)})"))
        {
            if (s.Shape == KernelShape.ManyRows)
            {
                using (writer.Block("for (int start = 0; start < input.Length; start += rowLength)"))
                {
                    writer.Line($"ReferenceRow(input.Slice(start, rowLength), {string.Format(System.Globalization.CultureInfo.InvariantCulture, spans, string.Empty, ".Slice(start, rowLength)", "start")});");
                }
            }
            else
            {
                writer.Line($"ReferenceRow(input, {string.Format(System.Globalization.CultureInfo.InvariantCulture, spans, string.Empty, string.Empty, "0")});");
            }
        }

        return true;
    }

    // ---- One row ----

    // g_i in double: from the caller's U_i, or from the seed and the element's index in the whole span.
    private string NoiseOf(string index, string uniform) => this.model.Seeded
        ? $"{Noise}.{(this.IsFloat ? "Sample24" : "Sample52")}(seed, first + {index})"
        : $"{Noise}.FromUniform({uniform})";

    private string Perturbed(string x, string g) =>
        this.model.Temperature == 1.0 ? $"{x} + {g}" : $"({x} + {g}) / Temperature";

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (path == PathInfo.Scalar)
        {
            // The helpers that every path's row calls, written once (beside the scalar row).
            this.WriteSharedHelpers(writer);
            writer.Line();
        }

        if (this.model.Hard)
        {
            writer.Line($"// {path.Name}: the hard sample is the same scalar walk on every path (the noise dominates; there is no sum).");
            writer.Line(KernelFileWriter.HotMethodAttribute);
            using (writer.Block($"private static void {path.Name}Row({this.RowMethodParameters})"))
            {
                if (this.FixedWidth)
                {
                    writer.Line("const nint n = Width;");
                }

                writer.Line($"HardRow({this.RowCallArguments});");
            }

            return;
        }

        if (!path.IsVector)
        {
            this.WriteScalarRow(writer);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        writer.Line($"// {this.Summary}.");
        writer.Line($"// Pass 1 (Perturb, scalar): z = (x + g)/τ into y and its maximum; pass 2: y = exp(z − max) and S = Σ y (block sums of {c.Block} elements, then double lanes); pass 3: y ·= 1/S.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Row({this.RowMethodParameters})"))
        {
            if (this.FixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"double max = Perturb({this.RowCallArguments});");
            this.WriteNotFiniteExit(writer);
            writer.Line($"{c.Vec} rowMax = {c.Splat(this.IsFloat ? "(float)max" : "max")};");
            writer.Line("nint i;");
            c.WriteSumDeclarations(writer);
            c.WritePass(
                writer,
                $"{c.T}.NegativeInfinity",
                (w, group) =>
                {
                    foreach (VectorAccess a in group)
                    {
                        w.Line($"{c.Vec} e{a.Accumulator} = {c.M}.ExpNonPositive({a.Load("y")} - rowMax);");
                    }

                    foreach (VectorAccess a in group)
                    {
                        w.Line(a.Store($"e{a.Accumulator}", "y"));
                        w.Line($"sum{a.Accumulator} += e{a.Accumulator};");
                    }
                },
                w => c.WriteSumFlush(w));
            writer.Line($"double s = {c.M}.SumWidened(wideLow, wideHigh);");
            writer.Line($"{c.Vec} inverse = {c.Splat($"({c.T})(1.0 / s)")};");
            c.WritePass(writer, $"({c.T})0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store($"{a.Load("y")} * inverse", "y"));
                }
            });
        }
    }

    // A row whose maximum is not finite (a NaN, a +∞, or −∞ everywhere) is NaN, as softmax defines it there.
    private void WriteNotFiniteExit(IndentedWriter writer)
    {
        using (writer.Block("if (!double.IsFinite(max))"))
        {
            writer.Line("// A NaN or +∞ among the z, or a row of −∞ only: NaN everywhere, as softmax (PyTorch) gives there.");
            writer.Line($"{MemoryMarshal}.CreateSpan(ref y, (int)n).Fill({this.T}.NaN);");
            writer.Line("return;");
        }

        writer.Line();
    }

    private void WriteSharedHelpers(IndentedWriter writer)
    {
        string parameters = this.RowParameters + ", nint n";
        string uniform = $"{Unsafe}.Add(ref u, i)";
        if (this.model.Hard)
        {
            writer.Line("// one-hot(argmax(x + g)), x + g in double: a strictly greater value replaces the best, so ties (and a row of −∞)");
            writer.Line("// keep the lowest index; the first NaN wins and stays (as torch.argmax). The noise is read before y is written.");
            writer.Line(KernelFileWriter.HotMethodAttribute);
            using (writer.Block($"private static void HardRow({parameters})"))
            {
                writer.Line("nint best = 0;");
                writer.Line("double bestValue = double.NegativeInfinity;");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double v = {Unsafe}.Add(ref x, i) + {this.NoiseOf("i", uniform)};");
                    using (writer.Block("if (v > bestValue || (double.IsNaN(v) && !double.IsNaN(bestValue)))"))
                    {
                        writer.Line("best = i;");
                        writer.Line("bestValue = v;");
                    }
                }

                writer.Line($"{MemoryMarshal}.CreateSpan(ref y, (int)n).Clear();");
                writer.Line($"{Unsafe}.Add(ref y, best) = 1;");
            }

            return;
        }

        writer.Line("// Pass 1 of every path: z_i = (x_i + g_i)/τ formed in double and rounded once to T, written to y; returns max z");
        writer.Line("// (NaN if a z is NaN: Math.Max propagates it). Scalar on every path, so the noise is the same bits everywhere.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double Perturb({parameters})"))
        {
            writer.Line("double max = double.NegativeInfinity;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} z = ({this.T})({this.Perturbed($"{Unsafe}.Add(ref x, i)", this.NoiseOf("i", uniform))});");
                writer.Line($"{Unsafe}.Add(ref y, i) = z;");
                writer.Line($"max = {Math}.Max(max, z);");
            }

            writer.Line("return max;");
        }
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        string at = $"{Unsafe}.Add(ref y, i)";
        writer.Line($"// Scalar: {this.Summary}; exp in double, rounded to T; the sum compensated in double.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({this.RowMethodParameters})"))
        {
            if (this.FixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line($"double max = Perturb({this.RowCallArguments});");
            this.WriteNotFiniteExit(writer);
            writer.Line("var sum = new global::KernelGen.Runtime.CompensatedSum();");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} e = ({this.T}){Math}.Exp({at} - max);");
                writer.Line($"{at} = e;");
                writer.Line("sum.Add(e);");
            }

            writer.Line($"{this.T} inverse = ({this.T})(1.0 / sum.Total(out _));");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{at} *= inverse;");
            }
        }
    }

    // ---- The reference: the noise and the formula in double, rounded once ----

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = this.model.Seeded
            ? $"global::System.ReadOnlySpan<{this.T}> x, global::System.Span<{this.T}> y, ulong seed, long first"
            : $"global::System.ReadOnlySpan<{this.T}> x, global::System.ReadOnlySpan<{this.T}> u, global::System.Span<{this.T}> y";
        writer.Line($"// {this.Summary}; in double{(this.IsFloat ? ", rounded once to float" : string.Empty)}.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            writer.Line("int n = x.Length;");
            writer.Line("var g = new double[n];");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line($"g[i] = {this.NoiseOf("i", "u[i]")};");
            }

            if (this.model.Hard)
            {
                writer.Line("// argmax(x + g): the lowest index among ties; the first NaN if there is one.");
                writer.Line("int best = -1;");
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("double v = x[i] + g[i];");
                    writer.Line("bool nan = double.IsNaN(v);");
                    using (writer.Block("if (best < 0 ? nan : (nan && !double.IsNaN(x[best] + g[best])))"))
                    {
                        writer.Line("best = i;");
                    }
                }

                using (writer.Block("if (best < 0)"))
                {
                    writer.Line("best = 0;");
                    using (writer.Block("for (int i = 1; i < n; i++)"))
                    {
                        using (writer.Block("if (x[i] + g[i] > x[best] + g[best])"))
                        {
                            writer.Line("best = i;");
                        }
                    }
                }

                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line("y[i] = i == best ? 1 : 0;");
                }

                return;
            }

            writer.Line($"// z_i = (x_i + g_i)/τ, rounded to {this.T} (the kernel's definition of the perturbed logits); then softmax(z) in double.");
            writer.Line("var z = new double[n];");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line($"z[i] = ({this.T})(((double)x[i] + g[i]) / Temperature);");
            }

            writer.Line("double max = double.NegativeInfinity;");
            writer.Line("bool nan = false;");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line("nan |= double.IsNaN(z[i]);");
                writer.Line("max = z[i] > max ? z[i] : max;");
            }

            using (writer.Block("if (nan || double.IsInfinity(max))"))
            {
                writer.Line($"y.Fill({this.T}.NaN);");
                writer.Line("return;");
            }

            writer.Line("var sum = new global::KernelGen.Runtime.CompensatedSum();");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line($"sum.Add({Math}.Exp(z[i] - max));");
            }

            writer.Line("double s = sum.Total(out _);");
            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line($"y[i] = ({this.T})({Math}.Exp(z[i] - max) / s);");
            }
        }
    }
}
