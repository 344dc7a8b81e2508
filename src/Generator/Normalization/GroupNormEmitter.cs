using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Normalization;

/// <summary>
/// Writes a [GroupNorm] kernel inside the shell of <see cref="KernelFileWriter"/>. A row is one NCHW sample; each
/// of its G groups (C/G·H·W consecutive elements) gets LayerNorm's statistics, with LayerNorm's numerics (the mean
/// about the group's first element, carried as meanHigh + meanLow; the variance about meanHigh, in blocks flushed
/// into double lanes; see <see cref="NormalizationEmitter"/>); then each channel c of the group is one pass of
/// y = (x − a)·scale_c + shift_c, a fused multiply-add with scale_c = γ_c/σ_g and shift_c = β_c − γ_c·(μ_g − a)/σ_g
/// computed in double (a = meanHigh, so x − a is exact near the mean).
/// </summary>
internal sealed class GroupNormEmitter : IKernelRowWriter, IKernelValidationWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string Arguments = "global::KernelGen.Runtime.KernelArguments";
    private readonly GroupNormModel model;

    private GroupNormEmitter(GroupNormModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => $"group normalization over {this.model.Groups} group(s) of {this.model.Channels / this.model.Groups} channel(s): y = " + this.FormulaText;

    private bool Affine => this.model.Signature.Has(ParameterRole.Weight);

    private string FormulaText => this.Affine ? "γ_c·(x − μ_g)/sqrt(σ²_g + ε) + β_c" : "(x − μ_g)/sqrt(σ²_g + ε)";

    private ElementType Element => this.model.Signature.Element;

    private bool IsDouble => this.Element == ElementType.Double;

    private string T => KernelFileWriter.ElementName(this.Element);

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(GroupNormModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new GroupNormEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length C·H·W (0: any multiple of Channels).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        writer.Line("/// <summary>ε, added to each group's variance before the square root.</summary>");
        writer.Line($"private const double Epsilon = {CSharpLiteral.Of(this.model.Epsilon)};");
        writer.Line("/// <summary>G, the number of groups.</summary>");
        writer.Line($"private const int Groups = {this.model.Groups};");
        writer.Line("/// <summary>C, the number of channels (planes) of a row.</summary>");
        writer.Line($"private const int Channels = {this.model.Channels};");
        writer.Line("/// <summary>C/G, the channels of one group.</summary>");
        writer.Line($"private const int ChannelsPerGroup = {this.model.Channels / this.model.Groups};");
    }

    public void WriteValidation(IndentedWriter writer, KernelSignature s, string pathsClass)
    {
        writer.Line(s.Shape == KernelShape.ManyRows
            ? $"{Arguments}.ValidateRows<{this.T}>({s.InputName}, {s.OutputName}, {s.RowLengthName}, {pathsClass}.Width, nameof({s.InputName}), nameof({s.OutputName}), nameof({s.RowLengthName}));"
            : $"{Arguments}.ValidateRow<{this.T}>({s.InputName}, {s.OutputName}, {pathsClass}.Width, nameof({s.InputName}), nameof({s.OutputName}));");
        writer.Line(s.Shape == KernelShape.ManyRows
            ? $"{Arguments}.ValidateChannelPlanes({s.RowLengthName}, {pathsClass}.Channels, nameof({s.RowLengthName}));"
            : $"{Arguments}.ValidateChannelPlanes({s.InputName}.Length, {pathsClass}.Channels, nameof({s.InputName}));");
        foreach (KernelParameter p in s.Parameters.Where(static p => p.IsBroadcast))
        {
            writer.Line($"{Arguments}.ValidateChannels<{this.T}>({p.Name}, {pathsClass}.Channels, {s.OutputName}, nameof({p.Name}));");
        }
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path) => false;

    public bool WriteReferenceRowsLoop(IndentedWriter writer) => false;

    private string RowParameters(bool withLength) =>
        "ref " + this.T + " x" + (this.Affine ? $", ref {this.T} w, ref {this.T} b" : string.Empty) + $", ref {this.T} y" + (withLength ? ", nint n" : string.Empty);

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        bool fixedWidth = this.model.Width != 0;
        string name = path.Name;
        writer.Line($"// Each group: its mean and 1/σ (two passes, as LayerNorm), then one pass per channel: y = (x − a)·scale_c + shift_c.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {name}Row({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint plane = n / Channels;");
            writer.Line("nint groupLength = plane * ChannelsPerGroup;");
            using (writer.Block("for (int g = 0; g < Groups; g++)"))
            {
                writer.Line("nint start = g * groupLength;");
                writer.Line($"{name}Moments(ref {Unsafe}.Add(ref x, start), groupLength, out {this.T} center, out double centerError, out double inverseDeviation);");
                using (writer.Block("for (int k = 0; k < ChannelsPerGroup; k++)"))
                {
                    writer.Line("int c = (g * ChannelsPerGroup) + k;");
                    writer.Line(this.Affine ? $"double scale = {Unsafe}.Add(ref w, c) * inverseDeviation;" : "double scale = inverseDeviation;");
                    writer.Line(this.Affine ? $"double shift = {Unsafe}.Add(ref b, c) - (centerError * scale);" : "double shift = -(centerError * scale);");
                    writer.Line("nint offset = start + (k * plane);");
                    writer.Line($"{name}Apply(ref {Unsafe}.Add(ref x, offset), ref {Unsafe}.Add(ref y, offset), plane, center, ({this.T})scale, ({this.T})shift);");
                }
            }
        }

        writer.Line();
        if (path.IsVector)
        {
            this.WriteVectorHelpers(writer, path);
        }
        else
        {
            this.WriteScalarHelpers(writer);
        }
    }

    private void WriteVectorHelpers(IndentedWriter writer, PathInfo path)
    {
        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        writer.Line($"// A group's statistics as LayerNorm's vector rows: Σ(x − k) and Σ(x − k)² in one pass about k, the mean of its first vector;");
        writer.Line($"// Σ(x − a)² again about a = meanHigh only when k is far from the mean.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Moments(ref {this.T} x, nint n, out {this.T} center, out double centerError, out double inverseDeviationOut)"))
        {
            writer.Line("nint i;");
            MomentsWriter.WriteShiftedMomentsPass(writer, c, this.IsDouble, new[] { "x" }, a => a.Load("x"));
            MomentsWriter.WriteShiftedVariance(writer, c, this.IsDouble, "centerVector");
            writer.Line($"center = ({this.T})meanHigh;");
            writer.Line("centerError = meanLow;");
            writer.Line("inverseDeviationOut = inverseDeviation;");
        }

        writer.Line();
        writer.Line($"// One channel's plane: y = (x − a)·scale + shift, one fused multiply-add per element. Unroll {c.Unroll}.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Apply(ref {this.T} x, ref {this.T} y, nint n, {this.T} center, {this.T} scale, {this.T} shift)"))
        {
            writer.Line($"{c.Vec} a = {c.Splat("center")}, s = {c.Splat("scale")}, t = {c.Splat("shift")};");
            writer.Line("nint i;");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store($"{c.M}.MultiplyAdd({a.Load("x")} - a, s, t)", "y"));
                }
            });
        }
    }

    private void WriteScalarHelpers(IndentedWriter writer)
    {
        string x = $"{Unsafe}.Add(ref x, i)";
        writer.Line(this.IsDouble
            ? "// Scalar: a group's statistics with the same passes, one element at a time, with compensated (Neumaier) sums."
            : "// Scalar: a group's statistics with the same passes, one element at a time, accumulating in double.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarMoments(ref {this.T} x, nint n, out {this.T} center, out double centerError, out double inverseDeviationOut)"))
        {
            writer.Line($"{this.T} first = x;");
            NormalizationEmitter.WriteScalarSum(writer, this.IsDouble, "sums", $"((double){x} - first)", square: false);
            if (this.IsDouble)
            {
                writer.Line("double offsetSum = sums.Total(out double offsetSumLow);");
                MomentsWriter.WriteMean(writer, true, null, "n");
            }
            else
            {
                writer.Line("double mean = first + (sums / n);");
                writer.Line("float meanHigh = (float)mean;");
                writer.Line("double meanLow = mean - meanHigh;");
            }

            NormalizationEmitter.WriteScalarSum(writer, this.IsDouble, "squares", $"((double){x} - meanHigh)", square: true);
            NormalizationEmitter.WriteInverseDeviationFrom(writer, this.IsDouble ? "squares.Total(out _)" : "squares", "n");
            writer.Line($"center = ({this.T})meanHigh;");
            writer.Line("centerError = meanLow;");
            writer.Line("inverseDeviationOut = inverseDeviation;");
        }

        writer.Line();
        string fma = this.IsDouble ? $"{Math}.FusedMultiplyAdd" : "global::System.MathF.FusedMultiplyAdd";
        writer.Line("// One channel's plane: y = (x − a)·scale + shift, fused where the machine has FMA (as the vector paths).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarApply(ref {this.T} x, ref {this.T} y, nint n, {this.T} center, {this.T} scale, {this.T} shift)"))
        {
            using (writer.Block($"if ({PathInfo.Runtime}.VectorMath128.HasFusedMultiplyAdd)"))
            {
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref y, i) = {fma}({x} - center, scale, shift);");
                }
            }

            using (writer.Block("else"))
            {
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{Unsafe}.Add(ref y, i) = (({x} - center) * scale) + shift;");
                }
            }
        }
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        bool isFloat = !this.IsDouble;
        string parameters = $"global::System.ReadOnlySpan<{this.T}> x" + (this.Affine ? $", global::System.ReadOnlySpan<{this.T}> w, global::System.ReadOnlySpan<{this.T}> b" : string.Empty) + $", global::System.Span<{this.T}> y";
        string value = this.Affine ? "(w[c] * v) + b[c]" : "v";
        writer.Line($"// Per group g, LayerNorm's Reference: μ_g as a double-double, σ²_g about it (compensated double sums); y = {this.FormulaText}, in double{(isFloat ? ", rounded once to float" : string.Empty)}.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            using (writer.Block("if (x.Length == 0)"))
            {
                writer.Line("return;");
            }

            writer.Line("int plane = x.Length / Channels;");
            writer.Line("int groupLength = plane * ChannelsPerGroup;");
            using (writer.Block("for (int g = 0; g < Groups; g++)"))
            {
                writer.Line($"global::System.ReadOnlySpan<{this.T}> group = x.Slice(g * groupLength, groupLength);");
                writer.Line("// μ = k + Σ(x − k)/n with k = the group's first element, as a double-double (as LayerNorm's Reference).");
                writer.Line("double first = group[0];");
                writer.Line("global::KernelGen.Runtime.CompensatedSum sum = default;");
                using (writer.Block("foreach (double value in group)"))
                {
                    writer.Line("sum.Add(value - first);");
                }

                writer.Line("double offsetSum = sum.Total(out double offsetSumLow);");
                MomentsWriter.WriteDoubleDoubleMean(writer, "groupLength");
                writer.Line("global::KernelGen.Runtime.CompensatedSum squares = default;");
                using (writer.Block("foreach (double value in group)"))
                {
                    writer.Line("double deviation = (value - meanHigh) - meanLow;");
                    writer.Line("squares.Add(deviation * deviation);");
                }

                writer.Line($"double inverseDeviation = 1.0 / {Math}.Sqrt((squares.Total(out _) / groupLength) + Epsilon);");
                using (writer.Block("for (int i = g * groupLength; i < (g + 1) * groupLength; i++)"))
                {
                    writer.Line("int c = i / plane;");
                    writer.Line("double v = ((x[i] - meanHigh) - meanLow) * inverseDeviation;");
                    writer.Line(isFloat ? $"y[i] = (float)({value});" : $"y[i] = {value};");
                }
            }
        }
    }
}
