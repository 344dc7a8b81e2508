using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// The backward kernels (<c>Backward = true</c>): the vector-Jacobian products of softmax and log-softmax from
/// the forward's output y (as PyTorch's <c>_softmax_backward_data(grad_output, output)</c>), so nothing is
/// recomputed: softmax dx = f·y ⊙ (dy − ⟨dy, y⟩), log-softmax dx = f·(dy − exp(y)·Σ dy), f = Scale/Temperature.
/// Two passes over the row: the dot product (or the sum), then dx. A fixed Width makes n a constant.
/// </summary>
internal sealed partial class SoftmaxEmitter
{
    private bool IsBackward => this.model.Backward;

    // f = s/T: the forward multiplied x by it, so the gradient carries it (1: none).
    private double BackwardFactor => this.Attention.Scale / this.model.Temperature;

    private string BackwardSummary => (this.IsLog
            ? "backward of the log-softmax: dx = dy − exp(y)·Σ dy"
            : "backward of the softmax: dx = y ⊙ (dy − ⟨dy, y⟩)")
        + (this.BackwardFactor != 1.0 ? ", times s/T" : string.Empty) + ", y the forward's output, " + KernelFileWriter.ElementName(this.Element);

    private void WriteBackwardConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        if (this.BackwardFactor != 1.0)
        {
            writer.Line("/// <summary>s/T: the forward's factor of x (Scale over Temperature), which every gradient carries.</summary>");
            writer.Line($"private const double Factor = {CSharpLiteral.Of(this.BackwardFactor)};");
        }
    }

    private void WriteBackwardRow(IndentedWriter writer, PathInfo path)
    {
        bool fixedWidth = this.model.Width != 0;
        string parameters = $"ref {this.T} x, ref {this.T} dy, ref {this.T} dx" + (fixedWidth ? string.Empty : ", nint n");
        if (!path.IsVector)
        {
            this.WriteBackwardScalarRow(writer, parameters);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        writer.Line(this.IsLog
            ? $"// Two passes over the row (x is the forward's output y = log p): Σ dy; then dx = dy − exp(y)·Σ dy. Unroll {c.Unroll}."
            : $"// Two passes over the row (x is the forward's output y = p): ⟨dy, y⟩; then dx = y ⊙ (dy − ⟨dy, y⟩). Unroll {c.Unroll}.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {c.Path.Name}Row({parameters})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            writer.Line();
            writer.Line(this.IsLog ? "// Pass 1: Σ dy." : "// Pass 1: ⟨dy, y⟩.");
            c.WriteSumDeclarations(writer);
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line(this.IsLog
                        ? $"sum{a.Accumulator} += {a.Load("dy")};"
                        : $"sum{a.Accumulator} = {c.M}.MultiplyAdd({a.Load("dy")}, {a.Load("x")}, sum{a.Accumulator});");
                }
            }, w => c.WriteSumFlush(w));
            writer.Line($"{c.Vec} total = {c.Splat($"({this.T}){c.M}.SumWidened(wideLow, wideHigh)")};");
            string factor = string.Empty;
            if (this.BackwardFactor != 1.0)
            {
                writer.Line($"{c.Vec} factor = {c.Splat($"({this.T})Factor")};");
                factor = " * factor";
            }

            writer.Line();
            writer.Line(this.IsLog
                ? "// Pass 2: dx = dy − exp(y)·Σ dy (y ≤ 0: a log-probability; the min keeps a rounding above 0 in the exp's range)."
                : "// Pass 2: dx = y ⊙ (dy − ⟨dy, y⟩), dy read before dx is written (dx may be dy's memory).");
            c.WritePass(writer, "0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store(this.IsLog
                        ? $"({a.Load("dy")} - ({c.M}.ExpNonPositive({c.M}.Min({a.Load("x")}, {c.Vec}.Zero)) * total)){factor}"
                        : $"({a.Load("x")} * ({a.Load("dy")} - total)){factor}", "dx"));
                }
            });
        }
    }

    private void WriteBackwardScalarRow(IndentedWriter writer, string parameters)
    {
        string exp = this.Element == ElementType.Float ? "global::System.MathF.Exp" : "global::System.Math.Exp";
        string factor = this.BackwardFactor != 1.0 ? $" * ({this.T})Factor" : string.Empty;
        writer.Line(this.IsLog
            ? "// Scalar: Σ dy in double; then dx = dy − exp(y)·Σ dy."
            : "// Scalar: ⟨dy, y⟩ in double; then dx = y ⊙ (dy − ⟨dy, y⟩).");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({parameters})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            bool compensated = this.Element == ElementType.Double;
            writer.Line(compensated ? "double sum = 0, compensation = 0;" : "double sum = 0;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                string term = this.IsLog ? $"{Unsafe}.Add(ref dy, i)" : $"(double){Unsafe}.Add(ref dy, i) * {Unsafe}.Add(ref x, i)";
                if (compensated)
                {
                    // Double terms in a double sum: compensate (Neumaier) so that long rows do not drift.
                    writer.Line($"double term = {term};");
                    writer.Line("double next = sum + term;");
                    writer.Line("compensation += global::System.Math.Abs(sum) >= global::System.Math.Abs(term) ? (sum - next) + term : (term - next) + sum;");
                    writer.Line("sum = next;");
                }
                else
                {
                    writer.Line($"sum += {term};");
                }
            }

            if (compensated)
            {
                writer.Line("sum += compensation;");
            }

            writer.Line();
            writer.Line($"{this.T} total = ({this.T})sum;");
            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line(this.IsLog
                    ? $"{Unsafe}.Add(ref dx, i) = ({Unsafe}.Add(ref dy, i) - ({exp}(global::System.Math.Min({Unsafe}.Add(ref x, i), 0)) * total)){factor};"
                    : $"{Unsafe}.Add(ref dx, i) = ({Unsafe}.Add(ref x, i) * ({Unsafe}.Add(ref dy, i) - total)){factor};");
            }
        }
    }

    private void WriteBackwardReferenceRow(IndentedWriter writer)
    {
        string factor = this.BackwardFactor != 1.0 ? "Factor * " : string.Empty;
        writer.Line(this.IsLog
            ? "// dx_i = f·(dy_i − exp(y_i)·Σ_j dy_j), y the log-softmax output, f = s/T; in double with a compensated (Neumaier) sum."
            : "// dx_i = f·y_i·(dy_i − Σ_j dy_j·y_j), y the softmax output, f = s/T; in double with a compensated (Neumaier) sum.");
        using (writer.Block($"private static void ReferenceRow(global::System.ReadOnlySpan<{this.T}> y, global::System.ReadOnlySpan<{this.T}> dy, global::System.Span<{this.T}> dx)"))
        {
            writer.Line("double sum = 0, compensation = 0;");
            using (writer.Block("for (int j = 0; j < y.Length; j++)"))
            {
                writer.Line(this.IsLog ? "double term = dy[j];" : "double term = (double)dy[j] * y[j];");
                writer.Line("double next = sum + term;");
                writer.Line("compensation += global::System.Math.Abs(sum) >= global::System.Math.Abs(term) ? (sum - next) + term : (term - next) + sum;");
                writer.Line("sum = next;");
            }

            writer.Line();
            writer.Line("sum += compensation;");
            using (writer.Block("for (int i = 0; i < y.Length; i++)"))
            {
                writer.Line(this.IsLog
                    ? $"dx[i] = ({this.T})({factor}(dy[i] - (global::System.Math.Exp(y[i]) * sum)));"
                    : $"dx[i] = ({this.T})({factor}y[i] * (dy[i] - sum));");
            }
        }
    }
}
