using System.Collections.Generic;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// Writes [Sparsemax] and [Entmax15] on every path, inside the shell of <see cref="KernelFileWriter"/>. A row is
/// four passes: (1) the maximum m (and whether the row holds a NaN); (2) the number of candidates, the elements
/// with x − m ≥ −L (L = 1 for sparsemax, 2 for 1.5-entmax: τ is never lower, so no other element can be in the
/// support); (3) the candidates, shifted by m in double, into a buffer (on the stack up to
/// <c>SparseThreshold.StackCandidates</c>, else rented), from which the runtime finds τ exactly; (4) the output.
/// Passes 1, 2 and 4 are vector loops; pass 3 tests a vector at a time and copies only the lanes that pass.
/// </summary>
internal sealed class SparseMapEmitter : IKernelRowWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Threshold = "global::KernelGen.Runtime.SparseThreshold";
    private const string BitOperations = "global::System.Numerics.BitOperations";
    private readonly SparseMapModel model;

    private SparseMapEmitter(SparseMapModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => this.model.Backward
        ? (this.IsEntmax
            ? "the backward of 1.5-entmax, from its output y: dx = g ⊙ dy − (⟨g, dy⟩ / Σ g)·g with g = sqrt(y)"
            : "the backward of sparsemax, from its output y: dx = s ⊙ (dy − mean of dy over the support s = (y ≠ 0))")
        : this.IsEntmax
        ? "1.5-entmax of each row: y = max(x/2 − τ, 0)² with τ such that Σ y = 1"
        : "sparsemax of each row: y = max(x − τ, 0) with τ such that Σ y = 1, the Euclidean projection onto the simplex";

    private bool IsEntmax => this.model.Kind == SparseMapKind.Entmax15;

    private ElementType Element => this.model.Signature.Element;

    private string T => KernelFileWriter.ElementName(this.Element);

    // The lowest x − m a support element can have: τ ≥ m − 1 (sparsemax), τ ≥ m/2 − 1 (1.5-entmax, in units of x/2).
    private string Lowest => this.IsEntmax ? "-2" : "-1";

    // A candidate as the runtime takes it: z = x − m (sparsemax) or u = (x − m)/2 (1.5-entmax), in double.
    private string Candidate(string element) => this.IsEntmax ? $"(((double){element} - maximum) * 0.5)" : $"((double){element} - maximum)";

    private string ThresholdMethod => this.IsEntmax ? "Entmax15" : "Sparsemax";

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(SparseMapModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new SparseMapEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path) => false;

    public bool WriteReferenceRowsLoop(IndentedWriter writer) => false;

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (this.model.Backward)
        {
            this.WriteBackwardRow(writer, path);
            return;
        }

        bool fixedWidth = this.model.Width != 0;
        string map = this.IsEntmax ? "1.5-entmax" : "Sparsemax";
        writer.Line($"// {map} of one row in four passes: (1) the maximum m, and whether a NaN is there; (2) the number of");
        writer.Line($"// candidates, x − m ≥ {this.Lowest} (τ is never lower, so no other element is in the support); (3) the candidates,");
        writer.Line($"// {(this.IsEntmax ? "(x − m)/2" : "x − m")} in double, into a buffer (on the stack up to SparseThreshold.StackCandidates of them), and τ − m{(this.IsEntmax ? "/2" : string.Empty)} from them,");
        writer.Line($"// exactly; (4) y = {this.OutputText}. Passes 1-3 only read x: the output may be the input (in place).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Row(ref {this.T} x, ref {this.T} y{(fixedWidth ? string.Empty : ", nint n")})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            if (path.IsVector)
            {
                this.WriteVectorRow(writer, new VectorLoopWriter(path, this.Element, this.model.Unroll));
            }
            else
            {
                this.WriteScalarRow(writer);
            }
        }
    }

    private string OutputText => this.IsEntmax ? "max((x − m)/2 − τ', 0)²" : "max((x − m) − τ', 0)";

    private void WriteVectorRow(IndentedWriter writer, VectorLoopWriter c)
    {
        IReadOnlyList<string> maxima = VectorLoopWriter.Names("max", c.Unroll);
        foreach (string name in maxima)
        {
            writer.Line($"{c.Vec} {name} = {c.Splat($"{this.T}.NegativeInfinity")};");
        }

        writer.Line($"{c.Vec} unordered = {c.Vec}.Zero; // a lane turns all-ones where it meets a NaN");
        writer.Line("nint i;");
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} v{a.Accumulator} = {a.Load("x")};");
                w.Line($"max{a.Accumulator} = {c.M}.Max(max{a.Accumulator}, v{a.Accumulator});");
                w.Line($"unordered |= ~{c.V}.Equals(v{a.Accumulator}, v{a.Accumulator});");
            }
        });
        writer.Line($"{this.T} maximum = {c.M}.HorizontalMax({VectorLoopWriter.Tree(maxima, (a, b) => $"{c.M}.Max({a}, {b})")});");
        using (writer.Block($"if ({c.V}.ExtractMostSignificantBits(unordered) != 0 || !{this.T}.IsFinite(maximum))"))
        {
            this.WriteNaNRow(writer);
        }

        writer.Line();
        writer.Line($"{c.Vec} rowMax = {c.Splat("maximum")};");
        writer.Line($"{c.Vec} lowest = {c.Splat($"({this.T}){this.Lowest}")};");
        writer.Line("nint count = 0;");
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"count += {BitOperations}.PopCount({c.V}.ExtractMostSignificantBits({c.V}.GreaterThanOrEqual({a.Load("x")} - rowMax, lowest)));");
            }
        });

        this.WriteCandidateBuffer(writer);
        c.WritePass(writer, $"{this.T}.NegativeInfinity", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"ulong bits{a.Accumulator} = {c.V}.ExtractMostSignificantBits({c.V}.GreaterThanOrEqual({a.Load("x")} - rowMax, lowest));");
                using (w.Block($"while (bits{a.Accumulator} != 0)"))
                {
                    w.Line($"nint at = {a.Index} + {BitOperations}.TrailingZeroCount(bits{a.Accumulator});");
                    w.Line($"{Unsafe}.Add(ref z, k++) = {this.Candidate($"{Unsafe}.Add(ref x, at)")};");
                    w.Line($"bits{a.Accumulator} &= bits{a.Accumulator} - 1;");
                }
            }
        });
        this.WriteThreshold(writer);

        writer.Line($"{c.Vec} threshold = {c.Splat($"({this.T})tau")};");
        if (this.IsEntmax)
        {
            writer.Line($"{c.Vec} half = {c.Splat($"({this.T})0.5")};");
        }

        c.WritePass(writer, $"({this.T})0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                string shifted = this.IsEntmax ? $"(({a.Load("x")} - rowMax) * half)" : $"({a.Load("x")} - rowMax)";
                if (this.IsEntmax)
                {
                    w.Line($"{c.Vec} d{a.Accumulator} = {c.M}.Max({shifted} - threshold, {c.Vec}.Zero);");
                    w.Line(a.Store($"d{a.Accumulator} * d{a.Accumulator}", "y"));
                }
                else
                {
                    w.Line(a.Store($"{c.M}.Max({shifted} - threshold, {c.Vec}.Zero)", "y"));
                }
            }
        });
    }

    private void WriteScalarRow(IndentedWriter writer)
    {
        string at = $"{Unsafe}.Add(ref x, i)";
        writer.Line($"{this.T} maximum = {this.T}.NegativeInfinity;");
        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            writer.Line($"maximum = global::System.Math.Max(maximum, {at}); // NaN if any element is NaN");
        }

        using (writer.Block($"if (!{this.T}.IsFinite(maximum))"))
        {
            this.WriteNaNRow(writer);
        }

        writer.Line();
        writer.Line("nint count = 0;");
        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            using (writer.Block($"if ({at} - maximum >= {this.Lowest})"))
            {
                writer.Line("count++;");
            }
        }

        this.WriteCandidateBuffer(writer);
        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            using (writer.Block($"if ({at} - maximum >= {this.Lowest})"))
            {
                writer.Line($"{Unsafe}.Add(ref z, k++) = {this.Candidate(at)};");
            }
        }

        this.WriteThreshold(writer);
        writer.Line($"{this.T} threshold = ({this.T})tau;");
        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            if (this.IsEntmax)
            {
                writer.Line($"{this.T} d = global::System.Math.Max((({at} - maximum) * ({this.T})0.5) - threshold, ({this.T})0);");
                writer.Line($"{Unsafe}.Add(ref y, i) = d * d;");
            }
            else
            {
                writer.Line($"{Unsafe}.Add(ref y, i) = global::System.Math.Max(({at} - maximum) - threshold, ({this.T})0);");
            }
        }
    }

    private void WriteNaNRow(IndentedWriter writer)
    {
        writer.Line("// A NaN or +∞ in the row, or only −∞: no point of the simplex is defined, the row is NaN (as softmax's).");
        writer.Line($"{MemoryMarshal}.CreateSpan(ref y, (int)n).Fill({this.T}.NaN);");
        writer.Line("return;");
    }

    private void WriteCandidateBuffer(IndentedWriter writer)
    {
        writer.Line();
        writer.Line("// count ≥ 1: the maximum itself is a candidate.");
        writer.Line("double[]? rented = null;");
        writer.Line($"global::System.Span<double> candidates = count <= {Threshold}.StackCandidates");
        writer.Line("    ? stackalloc double[(int)count]");
        writer.Line("    : (rented = global::System.Buffers.ArrayPool<double>.Shared.Rent((int)count));");
        writer.Line($"ref double z = ref {MemoryMarshal}.GetReference(candidates);");
        writer.Line("nint k = 0;");
    }

    private void WriteThreshold(IndentedWriter writer)
    {
        writer.Line($"double tau = {Threshold}.{this.ThresholdMethod}(candidates.Slice(0, (int)count));");
        using (writer.Block("if (rented is not null)"))
        {
            writer.Line("global::System.Buffers.ArrayPool<double>.Shared.Return(rented);");
        }

        writer.Line();
    }

    public void WriteReferenceRow(IndentedWriter writer)
    {
        if (this.model.Backward)
        {
            this.WriteBackwardReferenceRow(writer);
            return;
        }

        bool isFloat = this.Element == ElementType.Float;
        string rounded = isFloat ? " (rounded once to float)" : string.Empty;
        if (this.IsEntmax)
        {
            writer.Line("// 1.5-entmax by the paper's Algorithm 2 (Peters, Niculae & Martins 2019), in double: u = (x − max)/2 (the map");
            writer.Line("// is shift-invariant; this keeps rows near 1e30 exact), sorted descending; for each k, mean_k, the sum of squared");
            writer.Line("// deviations ss_k (Welford's running form of k·(meansq_k − mean_k²)), δ_k = (1 − ss_k)/k, τ_k = mean_k − sqrt(δ_k);");
            writer.Line($"// the support is the largest k with τ_k ≤ u_(k); y = max(u − τ, 0)²{rounded}.");
        }
        else
        {
            writer.Line("// Sparsemax by its definition (Martins & Astudillo 2016, Algorithm 1), in double: z = x − max (the map is");
            writer.Line("// shift-invariant; this keeps rows near 1e30 exact), sorted descending; the support is the largest k with");
            writer.Line($"// z_(k) > τ_k = (Σ_{{j≤k}} z_(j) − 1)/k, summed compensated; y = max(z − τ, 0){rounded}.");
        }

        using (writer.Block($"private static void ReferenceRow(global::System.ReadOnlySpan<{this.T}> x, global::System.Span<{this.T}> y)"))
        {
            writer.Line("double maximum = double.NegativeInfinity;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line("maximum = global::System.Math.Max(maximum, x[i]);");
            }

            using (writer.Block("if (!double.IsFinite(maximum))"))
            {
                writer.Line("// A NaN or +∞ in the row, or only −∞ (or no element): NaN, as softmax.");
                writer.Line($"y.Fill({this.T}.NaN);");
                writer.Line("return;");
            }

            writer.Line();
            writer.Line("double[] z = new double[x.Length];");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                writer.Line(this.IsEntmax ? "z[i] = (x[i] - maximum) * 0.5;" : "z[i] = x[i] - maximum;");
            }

            writer.Line("double[] sorted = global::System.Array.FindAll(z, double.IsFinite); // −∞ is never in the support");
            writer.Line("global::System.Array.Sort(sorted);");
            writer.Line("global::System.Array.Reverse(sorted);");
            writer.Line("double tau = 0;");
            if (this.IsEntmax)
            {
                writer.Line("double mean = 0, deviations = 0;");
                using (writer.Block("for (int k = 1; k <= sorted.Length; k++)"))
                {
                    writer.Line("double u = sorted[k - 1], previous = mean;");
                    writer.Line("mean += (u - mean) / k;");
                    writer.Line("deviations += (u - previous) * (u - mean);");
                    writer.Line("double tauK = mean - global::System.Math.Sqrt(global::System.Math.Max((1 - deviations) / k, 0));");
                    using (writer.Block("if (tauK <= u)"))
                    {
                        writer.Line("tau = tauK;");
                    }
                }
            }
            else
            {
                writer.Line("var sum = default(global::KernelGen.Runtime.CompensatedSum);");
                using (writer.Block("for (int k = 1; k <= sorted.Length; k++)"))
                {
                    writer.Line("sum.Add(sorted[k - 1]);");
                    writer.Line("double high = sum.Total(out double low);");
                    writer.Line("double tauK = ((high - 1) + low) / k;");
                    using (writer.Block("if (sorted[k - 1] > tauK)"))
                    {
                        writer.Line("tau = tauK;");
                    }
                }
            }

            writer.Line();
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                if (this.IsEntmax)
                {
                    writer.Line("double d = global::System.Math.Max(z[i] - tau, 0);");
                    writer.Line(isFloat ? "y[i] = (float)(d * d);" : "y[i] = d * d;");
                }
                else
                {
                    writer.Line(isFloat ? "y[i] = (float)global::System.Math.Max(z[i] - tau, 0);" : "y[i] = global::System.Math.Max(z[i] - tau, 0);");
                }
            }
        }
    }

    // The backward's two passes: (1) the row's reductions, (2) dx. Here x is the forward's output y.
    private void WriteBackwardRow(IndentedWriter writer, PathInfo path)
    {
        bool fixedWidth = this.model.Width != 0;
        writer.Line(this.IsEntmax
            ? "// Backward of 1.5-entmax from its output y (x here): g = sqrt(y); pass 1 sums ⟨g, dy⟩ and Σ g, pass 2 writes"
            : "// Backward of sparsemax from its output y (x here): the support is y ≠ 0; pass 1 counts it and sums dy over it,");
        writer.Line(this.IsEntmax
            ? "// dx = g ⊙ (dy − q), q = ⟨g, dy⟩ / Σ g. Each element of dy is read before dx is written there (dx may be dy)."
            : "// pass 2 writes dx = (dy − mean) on the support and 0 off it. Each element of dy is read before dx is written there.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Row(ref {this.T} x, ref {this.T} dy, ref {this.T} dx{(fixedWidth ? string.Empty : ", nint n")})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            if (path.IsVector)
            {
                this.WriteVectorBackwardRow(writer, new VectorLoopWriter(path, this.Element, this.model.Unroll));
            }
            else
            {
                this.WriteScalarBackwardRow(writer);
            }
        }
    }

    private void WriteVectorBackwardRow(IndentedWriter writer, VectorLoopWriter c)
    {
        c.WriteSumDeclarations(writer);
        if (this.IsEntmax)
        {
            c.WriteSumDeclarations(writer, "norm", true, "normWide", comment: false);
        }
        else
        {
            writer.Line("nint count = 0;");
        }

        writer.Line("nint i;");
        c.WritePass(writer, $"({this.T})0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                int u = a.Accumulator;
                if (this.IsEntmax)
                {
                    w.Line($"{c.Vec} g{u} = {c.V}.Sqrt({a.Load("x")});");
                    w.Line($"sum{u} = {c.M}.MultiplyAdd(g{u}, {a.Load("dy")}, sum{u});");
                    w.Line($"norm{u} += g{u};");
                }
                else
                {
                    w.Line($"{c.Vec} s{u} = ~{c.V}.Equals({a.Load("x")}, {c.Vec}.Zero);");
                    w.Line($"count += {BitOperations}.PopCount({c.V}.ExtractMostSignificantBits(s{u}));");
                    w.Line($"sum{u} += {a.Load("dy")} & s{u};");
                }
            }
        }, w =>
        {
            c.WriteSumFlush(w);
            if (this.IsEntmax)
            {
                c.WriteSumFlush(w, "norm", "normWide");
            }
        });

        string shift = this.IsEntmax
            ? $"{c.M}.SumWidened(wideLow, wideHigh) / {c.M}.SumWidened(normWideLow, normWideHigh)"
            : $"count == 0 ? 0 : {c.M}.SumWidened(wideLow, wideHigh) / count";
        writer.Line($"{c.Vec} shift = {c.Splat($"({this.T})({shift})")};");
        c.WritePass(writer, $"({this.T})0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line(this.IsEntmax
                    ? a.Store($"{c.V}.Sqrt({a.Load("x")}) * ({a.Load("dy")} - shift)", "dx")
                    : a.Store($"({a.Load("dy")} - shift) & ~{c.V}.Equals({a.Load("x")}, {c.Vec}.Zero)", "dx"));
            }
        });
    }

    private void WriteScalarBackwardRow(IndentedWriter writer)
    {
        string y = $"{Unsafe}.Add(ref x, i)", dy = $"{Unsafe}.Add(ref dy, i)", dx = $"{Unsafe}.Add(ref dx, i)";
        string sqrt = this.Element == ElementType.Float ? "global::System.MathF.Sqrt" : "global::System.Math.Sqrt";
        writer.Line(this.IsEntmax ? "double sum = 0, norm = 0;" : "double sum = 0;");
        if (!this.IsEntmax)
        {
            writer.Line("nint count = 0;");
        }

        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            if (this.IsEntmax)
            {
                writer.Line($"{this.T} g = {sqrt}({y});");
                writer.Line($"sum += g * {dy};");
                writer.Line("norm += g;");
            }
            else
            {
                using (writer.Block($"if ({y} != 0)"))
                {
                    writer.Line($"sum += {dy};");
                    writer.Line("count++;");
                }
            }
        }

        writer.Line(this.IsEntmax ? $"{this.T} shift = ({this.T})(sum / norm);" : $"{this.T} shift = ({this.T})(count == 0 ? 0 : sum / count);");
        using (writer.Block("for (nint i = 0; i < n; i++)"))
        {
            writer.Line(this.IsEntmax
                ? $"{dx} = {sqrt}({y}) * ({dy} - shift);"
                : $"{dx} = {y} != 0 ? {dy} - shift : ({this.T})0;");
        }
    }

    private void WriteBackwardReferenceRow(IndentedWriter writer)
    {
        bool isFloat = this.Element == ElementType.Float;
        writer.Line(this.IsEntmax
            ? "// dx = g ⊙ dy − (⟨g, dy⟩ / Σ g)·g with g = sqrt(y) (the entmax package's Entmax15Function.backward), in double."
            : "// dx_i = dy_i − (Σ_{y_j ≠ 0} dy_j)/|{j : y_j ≠ 0}| where y_i ≠ 0, else 0 (the entmax package's SparsemaxFunction.backward), in double.");
        string t = this.T;
        using (writer.Block($"private static void ReferenceRow(global::System.ReadOnlySpan<{t}> x, global::System.ReadOnlySpan<{t}> dy, global::System.Span<{t}> dx)"))
        {
            writer.Line("double sum = 0, norm = 0;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                if (this.IsEntmax)
                {
                    writer.Line("double g = global::System.Math.Sqrt(x[i]);");
                    writer.Line("sum += g * dy[i];");
                    writer.Line("norm += g;");
                }
                else
                {
                    using (writer.Block("if (x[i] != 0)"))
                    {
                        writer.Line("sum += dy[i];");
                        writer.Line("norm += 1;");
                    }
                }
            }

            writer.Line(this.IsEntmax ? "double shift = sum / norm;" : "double shift = norm == 0 ? 0 : sum / norm;");
            using (writer.Block("for (int i = 0; i < x.Length; i++)"))
            {
                string value = this.IsEntmax ? "global::System.Math.Sqrt(x[i]) * (dy[i] - shift)" : "x[i] != 0 ? dy[i] - shift : 0";
                writer.Line(isFloat ? $"dx[i] = (float)({value});" : $"dx[i] = {value};");
            }
        }
    }
}
