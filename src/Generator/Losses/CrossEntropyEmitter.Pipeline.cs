using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Emit;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Losses;

/// <summary>
/// The gradient of the cross-entropy without sample weights, soft cap or extra outputs (label smoothing, the z-loss and class
/// weights included) in three passes with one exp per element: the row maximum m (and Σz, or Σw·z, for label smoothing);
/// e = exp(z − m) stored and summed; the stored e scaled by probability/Σ, less ε·scale/K (·w_k) with label smoothing. A row runs
/// them one after the other (<c>{Path}Row</c>, the gradient row holding e; a streamed row does not store e but computes it
/// again in pass 3). Out of cache, many rows run them as a pipeline (<c>{Path}Pipeline</c>): one loop with three rows in
/// flight — the maximum of row r + 2, read from memory; the exps of row r + 1, into a scratch row that stays in L2; row r's
/// gradient, written from its scratch row with streaming stores — so that reading memory, computing exps and writing
/// memory overlap instead of taking turns. Every form writes the same statements for every vector of a reduction, in the
/// same loops, and the same element-wise values: a row's gradient and loss are the same bits in every form (StreamingTests).
/// </summary>
internal sealed partial class CrossEntropyEmitter
{
    // The options whose gradient is factor·e_k − uniform·w_k − [k = y]·shift (label smoothing, the z-loss and class weights
    // included; not sample weights, a soft cap, extra outputs, or class weights with the z-loss's own mean): the three-pass
    // row and the pipeline apply.
    private bool ThreePassGradient =>
        this.model.Kind == TargetLossKind.CrossEntropy && !this.IsMargin && this.HasGradient
        && !this.HasSoftcap && !this.HasSampleWeights && !this.TwoDenominators
        && !this.HasLse && !this.HasPredictions && !this.HasEntropy;

    // The factor of p_k needs the row's LSE (z-loss) or its target's weight: then the pipeline computes it in a block.
    private bool FactorNeedsRowScalars => this.HasZLoss || this.HasClassWeights;

    private static string NegativeInfinityFill(VectorLoopWriter c) => $"{c.T}.NegativeInfinity";

    // Pass 1 (stage 1): the maximum of 'source' (lanes past the row hold −∞) and, with label smoothing, Σz (Σw·z with class
    // weights; they hold 0).
    private void WriteMaxStage(IndentedWriter w, VectorLoopWriter c, VectorAccess a, string source)
    {
        w.Line($"max{a.Accumulator} = {c.M}.Max(max{a.Accumulator}, {a.Load(source)});");
        if (this.HasSmoothing)
        {
            w.Line(this.HasClassWeights
                ? $"logitSum{a.Accumulator} += {a.Load("w", "0")} * {a.Load(source, "0")};"
                : $"logitSum{a.Accumulator} += {a.Load(source, "0")};");
        }
    }

    // With label smoothing: the Σz accumulators of pass 1 and their double lanes.
    private void WriteLogitSumDeclarations(IndentedWriter writer, VectorLoopWriter c)
    {
        if (this.HasSmoothing)
        {
            c.WriteSumDeclarations(writer, "logitSum", true, "logit");
        }
    }

    // The block flush of pass 1: Σz into double lanes (nothing without smoothing).
    private Action<IndentedWriter>? LogitSumFlush(VectorLoopWriter c) => this.HasSmoothing ? w => c.WriteSumFlush(w, "logitSum", "logit") : null;

    // Pass 2 (stage 2): e = exp(z − m) of 'source' summed and stored to 'destination' (if any); lanes past the row add exp(−∞) = 0.
    private static void WriteExpStage(IndentedWriter w, VectorLoopWriter c, VectorAccess a, string source, string? destination)
    {
        w.Line($"{c.Vec} e{a.Accumulator} = {c.M}.ExpNonPositive({a.Load(source)} - rowMax);");
        if (destination is not null)
        {
            w.Line(a.Store($"e{a.Accumulator}", destination));
        }

        w.Line($"sum{a.Accumulator} += e{a.Accumulator};");
    }

    // Pass 3 (stage 3): the stored e scaled into the gradient; 'streamed': full vectors with streaming stores; 'weights': the
    // class weights' row as the access indexes it (the pipeline's stage 3 walks rows shifted by the gradient's head).
    private void WriteScaleStage(IndentedWriter w, VectorLoopWriter c, VectorAccess a, string source, string destination, bool streamed, string weights = "w")
    {
        string value = $"({a.Load(source, "0")} * factor){this.MinusUniform(a, weights)}";
        w.Line(streamed ? a.StoreStreaming(value, destination) : a.Store(value, destination));
    }

    // From the row's maximum ('maximum') and Σ e ('sum'): log Σ, LSE and 'probability', the factor of p_k in the gradient.
    private void WriteRowScalars(IndentedWriter writer)
    {
        writer.Line($"double logSum = {Math}.Log(sum);");
        writer.Line(this.LseDeclaration);
        writer.Line($"double probability = {this.ProbabilityFactor("n")};");
    }

    // The row's loss, from LSE, the target's logit ('logit') and, with label smoothing, Σz ('logitTotal').
    private string ThreePassLoss => $"double loss = {this.LossFormula("logit", "logitTotal", "n")};";

    // With label smoothing, the gradient's − ε·scale/K of every class, a vector named 'name'; nothing otherwise.
    private void WriteUniform(IndentedWriter writer, VectorLoopWriter c, string name = "uniform")
    {
        if (this.HasSmoothing)
        {
            writer.Line($"{c.Vec} {name} = {c.Splat($"({this.T})(scale * LabelSmoothing / n)")};");
        }
    }

    // The − ε·scale/K term of a vector's gradient (· w_k with class weights).
    private string MinusUniform(VectorAccess a, string weights = "w") =>
        !this.HasSmoothing ? string.Empty : this.HasClassWeights ? $" - (uniform * {a.Load(weights, "0")})" : " - uniform";

    // With class weights, the target's weight w_y, for the loss and the factor.
    private void WriteTargetWeight(IndentedWriter writer, string target)
    {
        if (this.HasClassWeights)
        {
            writer.Line($"double weight = {Unsafe}.Add(ref w, (nint){target});");
        }
    }

    // The row: {Path}Row, three passes. A streamed gradient (a row too long for the pipeline, or a one-row kernel) is not
    // stored in pass 2: pass 3 computes e again and writes e·factor with streaming stores — the same values, so the same bits.
    private void WriteThreePassRow(IndentedWriter writer, VectorLoopWriter c)
    {
        writer.Line($"// Three passes, one exp per element (Unroll {c.Unroll}): the maximum m; e = exp(z − m) written to the gradient and summed;");
        writer.Line($"// the gradient scaled by scale/Σ. Out of cache, many rows run these passes in {c.Path.Name}Pipeline, three rows at once;");
        writer.Line("// a streamed row too long for it computes e again in pass 3 instead of storing it in pass 2. The same bits every way.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        using (writer.Block($"private static double {c.Path.Name}Row({this.RowParameters(vector: true)})"))
        {
            if (this.model.Width != 0)
            {
                writer.Line("const nint n = Width;");
            }

            writer.Line("nint i;");
            writer.Line("// Pass 1: the row maximum (the row is read from memory for the first time: asked for ahead).");
            c.WriteMaxDeclarations(writer);
            this.WriteLogitSumDeclarations(writer, c);
            c.WritePass(writer, NegativeInfinityFill(c), (w, group) => group.ToList().ForEach(a => this.WriteMaxStage(w, c, a, "x")), this.LogitSumFlush(c), prefetch: "x");
            writer.Line($"{this.T} maximumOfRow = {c.MaxOfAccumulators()};");
            if (this.HasSmoothing)
            {
                writer.Line($"double logitTotal = {c.M}.SumWidened(logitLow, logitHigh);");
            }

            writer.Line($"{c.Vec} rowMax = {c.Splat("maximumOfRow")};");
            writer.Line($"double logit = {Unsafe}.Add(ref x, (nint)target);   // read before pass 2, which may write over the logits");
            this.WriteTargetWeight(writer, "target");
            writer.Line();
            writer.Line("// Pass 2: e = exp(z − m), summed, and written to the gradient unless it streams.");
            c.WriteSumDeclarations(writer);
            using (writer.Block("if (stream)"))
            {
                c.WritePass(writer, NegativeInfinityFill(c), (w, group) => group.ToList().ForEach(a => WriteExpStage(w, c, a, "x", destination: null)), w => c.WriteSumFlush(w));
            }

            using (writer.Block("else"))
            {
                c.WritePass(writer, NegativeInfinityFill(c), (w, group) => group.ToList().ForEach(a => WriteExpStage(w, c, a, "x", "g")), w => c.WriteSumFlush(w));
            }

            writer.Line($"double sum = {c.M}.SumWidened(wideLow, wideHigh);");
            writer.Line("double maximum = maximumOfRow;");
            this.WriteRowScalars(writer);
            writer.Line(this.ThreePassLoss);
            writer.Line();
            writer.Line($"// Pass 3: g_k = e_k·(probability/Σ){(this.HasSmoothing ? " − ε·scale/K" : string.Empty)} (e computed again when the gradient streams); the target's own gradient in double after it.");
            writer.Line($"{c.Vec} factor = {c.Splat($"({this.T})(probability / sum)")};");
            this.WriteUniform(writer, c);
            using (writer.Block("if (stream)"))
            {
                c.WritePass(writer, NegativeInfinityFill(c), (w, group) => group.ToList().ForEach(a => w.Line(a.Store($"({c.M}.ExpNonPositive({a.Load("x")} - rowMax) * factor){this.MinusUniform(a)}", "g"))), stream: "g");
            }

            using (writer.Block("else"))
            {
                c.WritePass(writer, "0", (w, group) => group.ToList().ForEach(a => this.WriteScaleStage(w, c, a, "g", "g", streamed: false)));
            }

            this.WriteTargetGradient(writer, "n");
            writer.Line("return loss;");
        }
    }

    // The pipeline of rows (out of cache): {Path}Pipeline, which the rows loop calls when the gradient streams and a row
    // fits ScratchRows.PipelineRowBytes.
    private void WritePipeline(IndentedWriter writer, VectorLoopWriter c)
    {
        bool none = this.model.Reduction == ReductionKind.None;
        string losses = none ? $"global::System.Span<{this.T}> losses" : "ref global::KernelGen.Runtime.CompensatedSum total";
        writer.Line();
        writer.Line($"// Out of cache: the passes of {c.Path.Name}Row with three rows in flight in one loop. Iteration r finds the");
        writer.Line("// maximum of row r + 2 (read from memory, asked for ahead), writes e = exp(z − m) of row r + 1 to a scratch row (which");
        writer.Line("// stays in L2) and sums it, and writes row r's gradient from its scratch row with streaming stores: reading memory,");
        writer.Line("// computing exps and writing memory overlap. Every row's arithmetic is the three-pass row's: the same bits.");
        writer.Line(KernelFileWriter.HotMethodAttribute);
        string weights = !this.HasClassWeights ? string.Empty : $", ref {this.T} w" + (this.HasWeightTotal ? ", double weightTotal" : string.Empty);
        using (writer.Block($"private static void {c.Path.Name}Pipeline(ref {this.T} x, ref {this.T} gradient, global::System.ReadOnlySpan<int> targets, nint n{weights}, double scale, {losses})"))
        {
            writer.Line("int rows = targets.Length;");
            writer.Line("// Four scratch rows: the exps of rows r and r + 1 (alternately); a spare row that takes the work of a stage without a");
            writer.Line("// row (the first and last two iterations); and zeros, which an ignored row's stages read instead of its logits and its");
            writer.Line("// stage 3 scales by 0 into its gradient, so that the row is written in the pipeline like the others, its logits unread.");
            writer.Line($"ref {this.T} scratch = ref global::KernelGen.Runtime.ScratchRows.Get<{this.T}>(checked(4 * (int)n));");
            writer.Line($"ref {this.T} spare = ref {Unsafe}.Add(ref scratch, 2 * n);");
            // Row 3 of the scratch, the zeros: written out where used rather than held in a local, which cost the loop a register.
            string zeros = $"{Unsafe}.Add(ref scratch, 3 * n)";
            writer.Line($"{MemoryMarshal}.CreateSpan(ref {zeros}, (int)n).Clear();   // row 3, the zeros (addressed where used: a local for it cost the loop a register)");
            writer.Line($"{this.T} maximumNext = {this.T}.PositiveInfinity;   // the maximum of row r + 1 (+∞ before there is one: its stage computes exp(−∞) = 0)");
            writer.Line($"{this.T} maximumOfRow = 0;                   // the maximum of row r");
            writer.Line("double sum = 1;                            // Σ e of row r");
            if (this.HasSmoothing)
            {
                writer.Line("double logitTotalNext = 0, logitTotalOfRow = 0;   // Σz of rows r + 1 and r");
            }

            this.WriteUniform(writer, c, "uniformOfRows");
            writer.Line("nint i;");
            using (writer.Block("for (int row = -2; row < rows; row++)"))
            {
                writer.Line("int ahead = row + 2, next = row + 1;");
                writer.Line("bool writes = row >= 0 && targets[row] != IgnoreIndex;");
                writer.Line("// Only a row that exists and counts has its logits read; the first two stages of any other (before the first row, past");
                writer.Line("// the last, or ignored: padding) walk the zeros, whose results nothing uses, so that padding costs a batch no memory reads.");
                writer.Line($"ref {this.T} xm = ref ahead < rows && targets[ahead] != IgnoreIndex ? ref {Unsafe}.Add(ref x, (nint)ahead * n) : ref {zeros};");
                writer.Line($"ref {this.T} xe = ref next >= 0 && next < rows && targets[next] != IgnoreIndex ? ref {Unsafe}.Add(ref x, (nint)next * n) : ref {zeros};");
                writer.Line($"ref {this.T} se = ref next >= 0 && next < rows ? ref {Unsafe}.Add(ref scratch, (nint)(next & 1) * n) : ref spare;");
                writer.Line("// Row r's stored exps and gradient row: an ignored row reads zeros (its gradient is 0 × 0 = +0 whatever its logits); before row 0, the spare row.");
                writer.Line($"ref {this.T} sw = ref writes ? ref {Unsafe}.Add(ref scratch, (nint)(row & 1) * n) : ref (row >= 0 ? ref {zeros} : ref spare);");
                writer.Line($"ref {this.T} gw = ref row >= 0 ? ref {Unsafe}.Add(ref gradient, (nint)row * n) : ref spare;");
                if (this.HasSmoothing)
                {
                    writer.Line($"{c.Vec} uniform = writes ? uniformOfRows : {c.Vec}.Zero;");
                    if (this.HasClassWeights)
                    {
                        writer.Line($"ref {this.T} ww = ref writes ? ref w : ref {zeros};   // the class weights of the − ε·scale/K·w_k term (0 for an ignored row)");
                    }
                }
                writer.Line($"{c.Vec} rowMax = {c.Splat("maximumNext")};");
                if (!this.FactorNeedsRowScalars)
                {
                    writer.Line($"{c.Vec} factor = {c.Splat($"writes ? ({this.T})({this.ProbabilityFactor("n")} / sum) : 0")};   // row r's (0 for an ignored row or none)");
                }
                else
                {
                    string needs = this.HasZLoss && this.HasClassWeights ? "LSE and its target's weight" : this.HasZLoss ? "LSE" : "target's weight";
                    writer.Line($"// Row r's factor, which needs its {needs} (0 for an ignored row or while there is no row r).");
                    writer.Line("// Its scalars are computed again after the loop rather than kept: live across it, they would take registers from it.");
                    writer.Line($"{c.Vec} factor;");
                    using (writer.Block())
                    {
                        writer.Line("double maximum = maximumOfRow;");
                        this.WriteTargetWeight(writer, "(writes ? targets[row] : 0)");
                        this.WriteRowScalars(writer);
                        writer.Line($"factor = {c.Splat($"writes ? ({this.T})(probability / sum) : 0")};");
                    }
                }

                c.WriteMaxDeclarations(writer);
                this.WriteLogitSumDeclarations(writer, c);
                c.WriteSumDeclarations(writer);
                writer.Line("// Stage 3 writes row r's gradient from its scratch row.");
                c.WriteStreamedStagePass(
                    writer,
                    NegativeInfinityFill(c),
                    "gw",
                    this.HasSmoothing && this.HasClassWeights ? new[] { "sw", "gw", "ww" } : new[] { "sw", "gw" },
                    (w, group, scaleStage) =>
                    {
                        foreach (VectorAccess a in group)
                        {
                            this.WriteMaxStage(w, c, a, "xm");
                        }

                        foreach (VectorAccess a in group)
                        {
                            WriteExpStage(w, c, a, "xe", "se");
                        }

                        scaleStage(w, group);
                    },
                    (w, a, row) => this.WriteScaleStage(w, c, a, row("sw"), row("gw"), streamed: true, this.HasSmoothing && this.HasClassWeights ? row("ww") : "w"),
                    w =>
                    {
                        this.LogitSumFlush(c)?.Invoke(w);
                        c.WriteSumFlush(w);
                    },
                    prefetch: "xm");
                writer.Line("global::KernelGen.Runtime.CacheHints.StreamingFence();");
                using (writer.Block("if (row >= 0)"))
                {
                    using (writer.Block("if (writes)"))
                    {
                        writer.Line("int target = targets[row];");
                        writer.Line("double maximum = maximumOfRow;");
                        this.WriteTargetWeight(writer, "target");
                        this.WriteRowScalars(writer);
                        writer.Line($"double logit = {Unsafe}.Add(ref x, ((nint)row * n) + target);");
                        if (this.HasSmoothing)
                        {
                            writer.Line("double logitTotal = logitTotalOfRow;");
                        }

                        writer.Line(this.ThreePassLoss);
                        writer.Line(none ? $"losses[row] = ({this.T})loss;" : "total.Add(loss);");
                        writer.Line($"ref {this.T} g = ref gw;   // the row's gradient");
                        this.WriteTargetGradient(writer, "n");
                    }

                    if (none)
                    {
                        using (writer.Block("else"))
                        {
                            writer.Line("losses[row] = 0;   // an ignored row: no loss (its stage 3 wrote its zero gradient)");
                        }
                    }
                }

                writer.Line("maximumOfRow = maximumNext;");
                writer.Line($"sum = {c.M}.SumWidened(wideLow, wideHigh);");
                writer.Line($"maximumNext = {c.MaxOfAccumulators()};");
                if (this.HasSmoothing)
                {
                    writer.Line("logitTotalOfRow = logitTotalNext;");
                    writer.Line($"logitTotalNext = {c.M}.SumWidened(logitLow, logitHigh);");
                }
            }
        }
    }
}
