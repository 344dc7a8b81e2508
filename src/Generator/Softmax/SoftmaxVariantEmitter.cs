using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Softmax;

/// <summary>
/// Writes the softmax variants that are a map g followed by a division by the row sum — [StableMax] (and its log form),
/// [SoftplusNormalize], [TaylorSoftmax], [SphericalSoftmax] — and [SigmoidNormalize] (the map alone), forward and backward,
/// on every path. One emitter for all of them: the walk of a row is the same (pass 1: g and its sum, pass 2: scale), only
/// the expressions of g and g' differ, and those come from one switch per form (vector, scalar, reference).
/// </summary>
internal sealed class SoftmaxVariantEmitter : IKernelRowWriter
{
    private const string Unsafe = VectorLoopWriter.Unsafe;
    private const string Math = "global::System.Math";
    private const string ScalarMath = "global::KernelGen.Runtime.ScalarMath";
    private readonly SoftmaxVariantModel model;

    private SoftmaxVariantEmitter(SoftmaxVariantModel model) => this.model = model;

    public int Width => this.model.Width;

    public string Summary => (this.IsBackward ? "the gradient dx of " : string.Empty) + this.Name + ": " + this.Formula;

    private string Name => this.model.Kind == SoftmaxVariantKind.StableMax && this.model.Log ? "log-StableMax" : this.model.Kind.ToString();

    private SoftmaxVariantKind Kind => this.model.Kind;

    private bool IsBackward => this.model.Signature.IsBackward;

    private bool IsLog => this.model.Log;

    private ElementType Element => this.model.Signature.Element;

    private bool IsFloat => this.Element == ElementType.Float;

    private string T => KernelFileWriter.ElementName(this.Element);

    private bool HasScale => this.Kind == SoftmaxVariantKind.SoftplusNormalize && (this.model.Scale != 1.0 || this.model.TrainingLength != 0);

    private bool HasFixedBias => !double.IsNaN(this.model.Bias);

    /// <summary>What the kernel computes, for the docs and the comments.</summary>
    private string Formula => this.Kind switch
    {
        SoftmaxVariantKind.StableMax when this.IsLog => "y_i = log s(x_i) − log Σ s(x_j), s(x) = x + 1 (x ≥ 0), 1/(1 − x) (x < 0)",
        SoftmaxVariantKind.StableMax => "y_i = s(x_i)/Σ s(x_j), s(x) = x + 1 (x ≥ 0), 1/(1 − x) (x < 0)",
        SoftmaxVariantKind.SoftplusNormalize => "y_i = softplus(c·x_i)/Σ softplus(c·x_j), " + this.ScaleText,
        SoftmaxVariantKind.SigmoidNormalize => "y_i = σ(x_i + b), " + (this.HasFixedBias ? "b = " + CSharpLiteral.Of(this.model.Bias) : "b = −log n"),
        SoftmaxVariantKind.TaylorSoftmax => $"y_i = t(x_i)/Σ t(x_j), t(x) = {TaylorText(this.model.Order)}",
        _ => "y_i = (x_i² + ε)/Σ (x_j² + ε), ε = " + CSharpLiteral.Of(this.model.Epsilon),
    };

    private string ScaleText => this.model.TrainingLength != 0
        ? $"c = {CSharpLiteral.Of(this.model.Scale)}·log n/log {this.model.TrainingLength}"
        : "c = " + CSharpLiteral.Of(this.model.Scale);

    private static string TaylorText(int order) => order switch
    {
        2 => "1 + x + x²/2",
        4 => "1 + x + x²/2 + x³/6 + x⁴/24",
        _ => "1 + x + x²/2 + … + x⁶/720",
    };

    /// <summary>Writes the whole file of one kernel.</summary>
    public static string Emit(SoftmaxVariantModel model) =>
        KernelFileWriter.Write(model.Hierarchy, model.Signature, model.Targets, new SoftmaxVariantEmitter(model));

    public void WriteConstants(IndentedWriter writer)
    {
        writer.Line("/// <summary>The fixed row length (0: any length).</summary>");
        writer.Line($"private const int Width = {this.model.Width};");
        switch (this.Kind)
        {
            case SoftmaxVariantKind.SoftplusNormalize:
                writer.Line("/// <summary>c in softplus(c·x) (times log n/log TrainingLength when that is not 0).</summary>");
                writer.Line($"private const double Scale = {CSharpLiteral.Of(this.model.Scale)};");
                writer.Line("/// <summary>The training length L of the length-dependent scale, or 0.</summary>");
                writer.Line($"private const int TrainingLength = {this.model.TrainingLength};");
                break;
            case SoftmaxVariantKind.SigmoidNormalize when this.HasFixedBias:
                writer.Line("/// <summary>b in σ(x + b).</summary>");
                writer.Line($"private const double Bias = {CSharpLiteral.Of(this.model.Bias)};");
                break;
            case SoftmaxVariantKind.SphericalSoftmax:
                writer.Line("/// <summary>ε in x² + ε.</summary>");
                writer.Line($"private const double Epsilon = {CSharpLiteral.Of(this.model.Epsilon)};");
                break;
        }
    }

    public bool WriteRowsLoop(IndentedWriter writer, PathInfo path) => false;

    public bool WriteReferenceRowsLoop(IndentedWriter writer) => false;

    private IEnumerable<KernelParameter> RowSpans => this.model.Signature.Parameters.Where(static p => p.Role != ParameterRole.RowLength);

    private string RowParameters(bool withLength) =>
        string.Join(", ", this.RowSpans.Select(p => $"ref {this.T} {p.RowName}")) + (withLength ? ", nint n" : string.Empty);

    private string Literal(double value) => this.IsFloat ? CSharpLiteral.Of((float)value) : CSharpLiteral.Of(value);

    // The per-row values of the map, in T: c, b or ε (c and b may depend on the row length n).
    private IEnumerable<(string Name, string Value)> RowConstants()
    {
        switch (this.Kind)
        {
            case SoftmaxVariantKind.SoftplusNormalize when this.HasScale:
                yield return ("c", this.model.TrainingLength != 0
                    ? $"({this.T})(Scale * {Math}.Log((double)n) / {Math}.Log((double)TrainingLength))"
                    : $"({this.T})Scale");
                break;
            case SoftmaxVariantKind.SigmoidNormalize:
                yield return ("b", this.HasFixedBias ? $"({this.T})Bias" : $"({this.T})(-{Math}.Log((double)n))");
                break;
            case SoftmaxVariantKind.SphericalSoftmax:
                yield return ("epsilon", $"({this.T})Epsilon");
                break;
        }
    }

    // ---- The map g and its derivative g', as vector expressions over the local vector x ----

    private string VectorTaylor(VectorLoopWriter c, string x, int order)
    {
        // Horner over 1/k!, highest first.
        string p = $"{c.Splat(this.Literal(1.0 / Factorial(order)))}";
        for (int k = order - 1; k >= 0; k--)
        {
            p = $"{c.M}.MultiplyAdd({p}, {x}, {c.Splat(this.Literal(1.0 / Factorial(k)))})";
        }

        return p;
    }

    private static double Factorial(int k) => k <= 1 ? 1.0 : k * Factorial(k - 1);

    // Writes "Vec g = g(x);" (and with a derivative name, "Vec d = g'(x);") for the vector local x.
    private void WriteVectorMap(IndentedWriter w, VectorLoopWriter c, string x, string g, string? d = null)
    {
        string one = $"{c.Vec}.One";

        // Helper locals share g's suffix (g0 → q0, u0, r0).
        string q = "q" + g.Substring(1), uName = "u" + g.Substring(1), r = "r" + g.Substring(1);
        switch (this.Kind)
        {
            case SoftmaxVariantKind.StableMax:
                w.Line($"{c.Vec} {q} = {one} / ({one} - {x});");
                w.Line($"{c.Vec} {g} = {c.V}.ConditionalSelect({c.V}.GreaterThanOrEqual({x}, {c.Vec}.Zero), {x} + {one}, {q});");
                if (d is not null)
                {
                    w.Line($"{c.Vec} {d} = {c.V}.ConditionalSelect({c.V}.GreaterThanOrEqual({x}, {c.Vec}.Zero), {one}, {q} * {q});");
                }

                break;
            case SoftmaxVariantKind.SoftplusNormalize:
                string u = this.HasScale ? $"{x} * scale" : x;
                if (d is not null && this.HasScale)
                {
                    w.Line($"{c.Vec} {uName} = {u};");
                    u = uName;
                }

                w.Line($"{c.Vec} {g} = {c.M}.Softplus({u});");
                if (d is not null)
                {
                    w.Line($"{c.Vec} {d} = {c.M}.Sigmoid({u}){(this.HasScale ? " * scale" : string.Empty)};");
                }

                break;
            case SoftmaxVariantKind.SigmoidNormalize:
                if (d is null)
                {
                    w.Line($"{c.Vec} {g} = {c.M}.Sigmoid({x} + bias);");
                }
                else
                {
                    // σ'(z) = σ(z)·σ(−z) = u/(1 + u)² with u = e^{−|z|}: no 1 − σ, which cancels where σ is near 1.
                    w.Line($"{c.Vec} {uName} = {c.M}.ExpNonPositive(({x} + bias) | {c.Splat($"-({this.T})0")});");
                    w.Line($"{c.Vec} {r} = {one} / ({one} + {uName});");
                    w.Line($"{c.Vec} {d} = {uName} * {r} * {r};");
                }

                break;
            case SoftmaxVariantKind.TaylorSoftmax:
                w.Line($"{c.Vec} {g} = {this.VectorTaylor(c, x, this.model.Order)};");
                if (d is not null)
                {
                    w.Line($"{c.Vec} {d} = {this.VectorTaylor(c, x, this.model.Order - 1)};");
                }

                break;
            default:
                w.Line($"{c.Vec} {g} = {c.M}.MultiplyAdd({x}, {x}, epsilon);");
                if (d is not null)
                {
                    w.Line($"{c.Vec} {d} = {x} + {x};");
                }

                break;
        }
    }

    public void WriteRow(IndentedWriter writer, PathInfo path)
    {
        if (!path.IsVector)
        {
            this.WriteScalarRow(writer);
            return;
        }

        var c = new VectorLoopWriter(path, this.Element, this.model.Unroll);
        bool fixedWidth = this.model.Width != 0;
        writer.Line($"// {this.Summary}.");
        writer.Line(this.PlanComment(c));
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void {path.Name}Row({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            foreach ((string name, string value) in this.RowConstants())
            {
                string vectorName = name switch { "c" => "scale", "b" => "bias", _ => name };
                writer.Line($"{c.Vec} {vectorName} = {c.Splat(value)};");
            }

            writer.Line("nint i;");
            if (!this.model.Normalizes)
            {
                this.WriteSigmoidPass(writer, c);
            }
            else if (this.IsBackward)
            {
                this.WriteBackwardPasses(writer, c);
            }
            else
            {
                this.WriteForwardPasses(writer, c);
            }
        }
    }

    private string PlanComment(VectorLoopWriter c) =>
        !this.model.Normalizes
            ? $"// One pass, each output from its own input (no row sum). Unroll {c.Unroll}; all loads of a group come before its stores (in place is allowed)."
            : this.IsBackward
            ? $"// Pass 1: the sums S = Σ g(x) and {(this.IsLog ? "Σ dy" : "Σ dy·g(x)")}; pass 2: dx. Sums in {c.T} lanes for blocks of {c.Block}, then in double lanes."
            : this.IsLog
            ? $"// Pass 1: S = Σ s(x); pass 2: y = ±log1p(|x|) − log S. Sums in {c.T} lanes for blocks of {c.Block}, then in double lanes."
            : $"// Pass 1: y = g(x) and S = Σ g(x); pass 2: y ·= 1/S. Sums in {c.T} lanes for blocks of {c.Block}, then in double lanes.";

    // Each vector of the group: the sum takes g masked to the row in the tail (the lanes past it were loaded as 0, and g(0) ≠ 0).
    private static string Masked(VectorAccess a, VectorLoopWriter c, string value) =>
        a.IsTail ? $"({value} & {c.M}.TailMask<{c.T}>({a.Count}))" : value;

    private void WriteForwardPasses(IndentedWriter writer, VectorLoopWriter c)
    {
        c.WriteSumDeclarations(writer);
        c.WritePass(
            writer,
            $"({c.T})0",
            (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} x{a.Accumulator} = {a.Load("x")};");
                }

                foreach (VectorAccess a in group)
                {
                    this.WriteVectorMap(w, c, $"x{a.Accumulator}", $"g{a.Accumulator}");
                    if (!this.IsLog)
                    {
                        w.Line(a.Store($"g{a.Accumulator}", "y"));
                    }

                    w.Line($"sum{a.Accumulator} += {Masked(a, c, $"g{a.Accumulator}")};");
                }
            },
            w => c.WriteSumFlush(w));

        writer.Line($"double s = {c.M}.SumWidened(wideLow, wideHigh);");
        if (this.IsLog)
        {
            writer.Line("// log s(x) = log(1 + x) for x ≥ 0 and −log(1 − x) below: the log1p of |x| with the sign of x.");
            writer.Line($"{c.Vec} logSum = {c.Splat($"({c.T}){Math}.Log(s)")};");
            writer.Line($"{c.Vec} signBit = {c.Splat($"-({c.T})0")};");
            c.WritePass(writer, $"({c.T})0", (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} x{a.Accumulator} = {a.Load("x")};");
                }

                foreach (VectorAccess a in group)
                {
                    string x = $"x{a.Accumulator}";
                    w.Line($"{c.Vec} sign{a.Accumulator} = {x} & signBit;");
                    w.Line(a.Store($"({c.M}.Log1p({x} ^ sign{a.Accumulator}) | sign{a.Accumulator}) - logSum", "y"));
                }
            });
        }
        else
        {
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

    private void WriteBackwardPasses(IndentedWriter writer, VectorLoopWriter c)
    {
        c.WriteSumDeclarations(writer);
        c.WriteSumDeclarations(writer, "dot", true, "wideDot", comment: false);
        c.WritePass(
            writer,
            $"({c.T})0",
            (w, group) =>
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} x{a.Accumulator} = {a.Load("x")};");
                }

                foreach (VectorAccess a in group)
                {
                    this.WriteVectorMap(w, c, $"x{a.Accumulator}", $"g{a.Accumulator}");
                    w.Line($"sum{a.Accumulator} += {Masked(a, c, $"g{a.Accumulator}")};");
                    w.Line(this.IsLog
                        ? $"dot{a.Accumulator} += {a.Load("dy")};"
                        : $"dot{a.Accumulator} = {c.M}.MultiplyAdd({a.Load("dy")}, g{a.Accumulator}, dot{a.Accumulator});");
                }
            },
            w =>
            {
                c.WriteSumFlush(w);
                c.WriteSumFlush(w, "dot", "wideDot");
            });

        writer.Line($"double s = {c.M}.SumWidened(wideLow, wideHigh);");
        writer.Line($"double dot = {c.M}.SumWidened(wideDotLow, wideDotHigh);");
        if (this.IsLog)
        {
            writer.Line("// dx_i = dy_i/(1 + |x_i|) − s'(x_i)·Σdy/S (d log s/dx = 1/(1 + |x|)).");
            writer.Line($"{c.Vec} weight = {c.Splat($"({c.T})(-dot / s)")};");
            writer.Line($"{c.Vec} signBit = {c.Splat($"-({c.T})0")};");
        }
        else
        {
            writer.Line("// dx_i = g'(x_i)·(dy_i − ⟨dy, y⟩)/S, with ⟨dy, y⟩ = Σ dy·g/S.");
            writer.Line($"{c.Vec} mean = {c.Splat($"({c.T})(dot / s)")};");
            writer.Line($"{c.Vec} inverse = {c.Splat($"({c.T})(1.0 / s)")};");
        }

        c.WritePass(writer, $"({c.T})0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                string u = a.Accumulator.ToString(System.Globalization.CultureInfo.InvariantCulture);
                w.Line($"{c.Vec} x{u} = {a.Load("x")};");
                w.Line($"{c.Vec} dy{u} = {a.Load("dy")};");
            }

            foreach (VectorAccess a in group)
            {
                string u = a.Accumulator.ToString(System.Globalization.CultureInfo.InvariantCulture);
                this.WriteVectorMap(w, c, $"x{u}", $"g{u}", $"d{u}");
                w.Line(a.Store(
                    this.IsLog
                        ? $"{c.M}.MultiplyAdd(d{u}, weight, dy{u} / ({c.Vec}.One + (x{u} & ~signBit)))"
                        : $"d{u} * ((dy{u} - mean) * inverse)",
                    "dx"));
            }
        });
    }

    private void WriteSigmoidPass(IndentedWriter writer, VectorLoopWriter c)
    {
        c.WritePass(writer, $"({c.T})0", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} x{a.Accumulator} = {a.Load("x")};");
                if (this.IsBackward)
                {
                    w.Line($"{c.Vec} dy{a.Accumulator} = {a.Load("dy")};");
                }
            }

            foreach (VectorAccess a in group)
            {
                string u = a.Accumulator.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (this.IsBackward)
                {
                    this.WriteVectorMap(w, c, $"x{u}", $"g{u}", $"d{u}");
                    w.Line(a.Store($"dy{u} * d{u}", "dx"));
                }
                else
                {
                    this.WriteVectorMap(w, c, $"x{u}", $"g{u}");
                    w.Line(a.Store($"g{u}", "y"));
                }
            }
        });
    }

    // ---- The scalar path: the same passes one element at a time, in T (softplus, σ and log1p through ScalarMath in double) ----

    private string ScalarTaylor(string x, int order)
    {
        string p = this.Literal(1.0 / Factorial(order));
        for (int k = order - 1; k >= 0; k--)
        {
            p = $"(({p}) * {x}) + {this.Literal(1.0 / Factorial(k))}";
        }

        return p;
    }

    private string ScalarMap(string x) => this.Kind switch
    {
        SoftmaxVariantKind.StableMax => $"{x} >= 0 ? {x} + 1 : 1 / (1 - {x})",
        SoftmaxVariantKind.SoftplusNormalize => $"({this.T}){ScalarMath}.Softplus({(this.HasScale ? x + " * c" : x)})",
        SoftmaxVariantKind.SigmoidNormalize => $"({this.T}){ScalarMath}.Sigmoid({x} + b)",
        SoftmaxVariantKind.TaylorSoftmax => this.ScalarTaylor(x, this.model.Order),
        _ => $"({x} * {x}) + epsilon",
    };

    private string ScalarDerivative(string x) => this.Kind switch
    {
        SoftmaxVariantKind.StableMax => $"{x} >= 0 ? 1 : 1 / ((1 - {x}) * (1 - {x}))",
        SoftmaxVariantKind.SoftplusNormalize => this.HasScale ? $"({this.T}){ScalarMath}.Sigmoid({x} * c) * c" : $"({this.T}){ScalarMath}.Sigmoid({x})",
        SoftmaxVariantKind.SigmoidNormalize => $"({this.T})({ScalarMath}.Sigmoid({x} + b) * {ScalarMath}.Sigmoid(-({x} + b)))",
        SoftmaxVariantKind.TaylorSoftmax => this.ScalarTaylor(x, this.model.Order - 1),
        _ => $"{x} + {x}",
    };

    private void WriteScalarRow(IndentedWriter writer)
    {
        bool fixedWidth = this.model.Width != 0;
        string at(string span) => $"{Unsafe}.Add(ref {span}, i)";
        writer.Line($"// Scalar: {this.Summary}, one element at a time; sums compensated in double.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static void ScalarRow({this.RowParameters(!fixedWidth)})"))
        {
            if (fixedWidth)
            {
                writer.Line("const nint n = Width;");
            }

            foreach ((string name, string value) in this.RowConstants())
            {
                writer.Line($"{this.T} {name} = {value};");
            }

            if (!this.model.Normalizes)
            {
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line(this.IsBackward
                        ? $"{at("dx")} = {at("dy")} * {this.ScalarDerivative(at("x"))};"
                        : $"{at("y")} = {this.ScalarMap(at("x"))};");
                }

                return;
            }

            writer.Line("var sum = new global::KernelGen.Runtime.CompensatedSum();");
            if (this.IsBackward)
            {
                writer.Line("var dot = new global::KernelGen.Runtime.CompensatedSum();");
            }

            using (writer.Block("for (nint i = 0; i < n; i++)"))
            {
                writer.Line($"{this.T} g = {this.ScalarMap(at("x"))};");
                if (!this.IsBackward && !this.IsLog)
                {
                    writer.Line($"{at("y")} = g;");
                }

                writer.Line("sum.Add(g);");
                if (this.IsBackward)
                {
                    writer.Line(this.IsLog ? $"dot.Add({at("dy")});" : $"dot.Add((double){at("dy")} * g);");
                }
            }

            writer.Line("double s = sum.Total(out _);");
            if (this.IsBackward)
            {
                writer.Line("double dotTotal = dot.Total(out _);");
                writer.Line(this.IsLog ? $"{this.T} weight = ({this.T})(dotTotal / s);" : $"{this.T} mean = ({this.T})(dotTotal / s);");
                if (!this.IsLog)
                {
                    writer.Line($"{this.T} inverse = ({this.T})(1.0 / s);");
                }

                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{this.T} xi = {at("x")};");
                    writer.Line($"{this.T} d = {this.ScalarDerivative("xi")};");
                    writer.Line(this.IsLog
                        ? $"{at("dx")} = ({at("dy")} / (1 + {Math}.Abs(xi))) - (d * weight);"
                        : $"{at("dx")} = d * (({at("dy")} - mean) * inverse);");
                }
            }
            else if (this.IsLog)
            {
                writer.Line("double logSum = global::System.Math.Log(s);");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"double xi = {at("x")};");
                    writer.Line($"{at("y")} = ({this.T})((xi >= 0 ? {ScalarMath}.Log1p(xi) : -{ScalarMath}.Log1p(-xi)) - logSum);");
                }
            }
            else
            {
                writer.Line($"{this.T} inverse = ({this.T})(1.0 / s);");
                using (writer.Block("for (nint i = 0; i < n; i++)"))
                {
                    writer.Line($"{at("y")} *= inverse;");
                }
            }
        }
    }

    // ---- The reference: the textbook formula in double, compensated sums, rounded once ----

    private string ReferenceMap(string x) => this.Kind switch
    {
        SoftmaxVariantKind.StableMax => $"{x} >= 0 ? {x} + 1 : 1 / (1 - {x})",
        SoftmaxVariantKind.SoftplusNormalize => $"{ScalarMath}.Softplus(c * {x})",
        SoftmaxVariantKind.SigmoidNormalize => $"1 / (1 + {Math}.Exp(-({x} + b)))",
        SoftmaxVariantKind.TaylorSoftmax => "Taylor(" + x + ")",
        _ => $"({x} * {x}) + Epsilon",
    };

    private string ReferenceDerivative(string x) => this.Kind switch
    {
        SoftmaxVariantKind.StableMax => $"{x} >= 0 ? 1 : 1 / ((1 - {x}) * (1 - {x}))",
        SoftmaxVariantKind.SoftplusNormalize => $"c / (1 + {Math}.Exp(-c * {x}))",
        SoftmaxVariantKind.SigmoidNormalize => $"{Math}.Exp(-{Math}.Abs({x} + b)) / ((1 + {Math}.Exp(-{Math}.Abs({x} + b))) * (1 + {Math}.Exp(-{Math}.Abs({x} + b))))",
        SoftmaxVariantKind.TaylorSoftmax => "TaylorDerivative(" + x + ")",
        _ => $"2 * {x}",
    };

    public void WriteReferenceRow(IndentedWriter writer)
    {
        string parameters = string.Join(", ", this.RowSpans.Select(p =>
            (p.IsReadOnly ? $"global::System.ReadOnlySpan<{this.T}> " : $"global::System.Span<{this.T}> ") + p.RowName));
        string output = this.IsBackward ? "dx" : "y";
        string round(string value) => this.IsFloat ? $"(float)({value})" : value;
        writer.Line($"// {this.Summary}; in double{(this.IsFloat ? ", rounded once to float" : string.Empty)}.");
        using (writer.Block($"private static void ReferenceRow({parameters})"))
        {
            writer.Line("int n = x.Length;");
            switch (this.Kind)
            {
                case SoftmaxVariantKind.SoftplusNormalize:
                    writer.Line(this.model.TrainingLength != 0
                        ? $"double c = Scale * {Math}.Log(n) / {Math}.Log(TrainingLength);"
                        : "double c = Scale;");
                    break;
                case SoftmaxVariantKind.SigmoidNormalize:
                    writer.Line(this.HasFixedBias ? "double b = Bias;" : $"double b = -{Math}.Log(n);");
                    break;
            }

            if (!this.model.Normalizes)
            {
                using (writer.Block("for (int i = 0; i < n; i++)"))
                {
                    writer.Line(this.IsBackward
                        ? $"dx[i] = {round($"dy[i] * ({this.ReferenceDerivative("(double)x[i]")})")};"
                        : $"y[i] = {round(this.ReferenceMap("(double)x[i]"))};");
                }

                return;
            }

            writer.Line("var sum = new global::KernelGen.Runtime.CompensatedSum();");
            if (this.IsBackward)
            {
                writer.Line("var dot = new global::KernelGen.Runtime.CompensatedSum();");
            }

            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line($"double g = {this.ReferenceMap("(double)x[i]")};");
                writer.Line("sum.Add(g);");
                if (this.IsBackward)
                {
                    writer.Line(this.IsLog ? "dot.Add(dy[i]);" : "dot.Add(dy[i] * g);");
                }
            }

            writer.Line("double s = sum.Total(out _);");
            if (this.IsBackward)
            {
                writer.Line("double dotTotal = dot.Total(out _);");
            }

            using (writer.Block("for (int i = 0; i < n; i++)"))
            {
                writer.Line("double xi = x[i];");
                string value = this.IsBackward
                    ? (this.IsLog
                        ? $"(dy[i] / (1 + {Math}.Abs(xi))) - (({this.ReferenceDerivative("xi")}) * dotTotal / s)"
                        : $"({this.ReferenceDerivative("xi")}) * (dy[i] - (dotTotal / s)) / s")
                    : (this.IsLog ? $"{Math}.Log({this.ReferenceMap("xi")}) - {Math}.Log(s)" : $"({this.ReferenceMap("xi")}) / s");
                writer.Line($"{output}[i] = {round(value)};");
            }
        }

        if (this.Kind == SoftmaxVariantKind.TaylorSoftmax)
        {
            writer.Line();
            writer.Line($"// Σ_(k ≤ {this.model.Order}) x^k/k!, the Taylor polynomial of exp, by Horner's rule (t(−∞) = +∞, the even polynomial's limit).");
            using (writer.Block("private static double Taylor(double x)"))
            {
                this.WriteReferenceHorner(writer, this.model.Order);
            }

            if (this.IsBackward)
            {
                writer.Line();
                writer.Line($"// The derivative of Taylor: Σ_(k ≤ {this.model.Order - 1}) x^k/k!.");
                using (writer.Block("private static double TaylorDerivative(double x)"))
                {
                    this.WriteReferenceHorner(writer, this.model.Order - 1);
                }
            }
        }
    }

    private void WriteReferenceHorner(IndentedWriter writer, int order)
    {
        writer.Line($"double total = 1.0 / {CSharpLiteral.Of(Factorial(order))};");
        using (writer.Block($"for (int k = {order - 1}; k >= 0; k--)"))
        {
            writer.Line("double factorial = 1;");
            using (writer.Block("for (int j = 2; j <= k; j++)"))
            {
                writer.Line("factorial *= j;");
            }

            writer.Line("total = (total * x) + (1 / factorial);");
        }

        writer.Line("return total;");
    }
}
