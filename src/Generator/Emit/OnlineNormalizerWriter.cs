using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Helpers;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes the one-read pass of the online normalizer (Milakov &amp; Gimelshein, "Online normalizer
/// calculation for softmax"): per lane a running maximum and a sum of exponentials relative to it,
/// rescaled when the maximum grows. Softmax's Online algorithm and the cross-entropy forward share it.
/// </summary>
internal static class OnlineNormalizerWriter
{
    /// <summary>
    /// Writes the pass over <c>x[0, n)</c> (locals <c>i</c> and <c>n</c> declared by the caller). It leaves
    /// <c>rowMax</c> (the row's maximum in every lane) and <c>double sum</c> = Σ exp(scaled(x − rowMax)).
    /// <paramref name="scaled"/> maps a difference to the exponent (a temperature multiplies there);
    /// <paramref name="alsoPerGroup"/> and <paramref name="alsoFlush"/>, if given, add work on the same loads
    /// and at the same block flushes (e.g. Σx for label smoothing); they find the loaded vectors in <c>x0</c>, <c>x1</c>...
    /// <paramref name="load"/>, if given, is the expression of a vector's values (default: the logits as loaded, the
    /// tail's lanes past the row −∞); it must leave −∞ in those lanes. <paramref name="prefetch"/>: ask for the row
    /// ahead of the loads (the pass reads it from memory for the first time; see <c>CacheHints</c>). <paramref name="source"/>:
    /// the row read (default <c>x</c>).
    /// </summary>
    public static void WritePass(
        IndentedWriter writer,
        VectorLoopWriter c,
        Func<string, string> scaled,
        Action<IndentedWriter, IReadOnlyList<VectorAccess>>? alsoPerGroup = null,
        Action<IndentedWriter>? alsoFlush = null,
        Func<VectorAccess, string>? load = null,
        bool prefetch = false,
        string source = "x")
    {
        writer.Line("// Pass 1: per lane, a running maximum and a sum relative to it. It starts at the most negative finite");
        writer.Line("// value, not −inf, so that exp(old − new) is never exp(−inf − (−inf)) = NaN.");
        writer.Line($"{c.Vec} runningMax = {c.Splat($"{c.T}.MinValue")};");
        writer.Line($"{c.Vec} runningSum = {c.Vec}.Zero;");
        writer.Line($"{c.Vec} wideMax = runningMax;");
        writer.Line($"{c.WideVec} wideLow = {c.WideVec}.Zero, wideHigh = {c.WideVec}.Zero;");
        c.WritePass(writer, $"{c.T}.NegativeInfinity", (w, group) =>
        {
            List<string> loaded = new();
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} x{a.Accumulator} = {(load is null ? a.Load(source) : load(a))};");
                loaded.Add("x" + a.Accumulator);
            }

            w.Line($"{c.Vec} newMax = {c.M}.Max(runningMax, {VectorLoopWriter.Tree(loaded, (a, b) => $"{c.M}.Max({a}, {b})")});");
            string exps = VectorLoopWriter.Tree(loaded.Select(x => $"{c.M}.ExpNonPositive({scaled($"{x} - newMax")})").ToList(), static (a, b) => $"({a} + {b})");
            w.Line($"runningSum = {c.M}.MultiplyAdd(runningSum, {c.M}.ExpNonPositive({scaled("runningMax - newMax")}), {exps});");
            w.Line("runningMax = newMax;");
            alsoPerGroup?.Invoke(w, group);
        }, w =>
        {
            w.Line("// Move the block's sums into double lanes (relative to the same maxima) so that long rows do not drift.");
            w.Line($"{c.M}.ScaleWidened(ref wideLow, ref wideHigh, {c.M}.ExpNonPositive({scaled("wideMax - runningMax")}));");
            w.Line($"{c.M}.AddWidened(ref wideLow, ref wideHigh, runningSum);");
            w.Line($"runningSum = {c.Vec}.Zero;");
            w.Line("wideMax = runningMax;");
            alsoFlush?.Invoke(w);
        }, prefetch ? source : null);
        writer.Line($"{c.Vec} rowMax = {c.Splat($"{c.M}.HorizontalMax(wideMax)")};");
        writer.Line($"{c.M}.ScaleWidened(ref wideLow, ref wideHigh, {c.M}.ExpNonPositive({scaled("wideMax - rowMax")}));");
        writer.Line($"double sum = {c.M}.SumWidened(wideLow, wideHigh);");
    }
}
