using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Helpers;

namespace KernelGen.Generator.Emit;

/// <summary>
/// A row's (or group's) mean and variance, for every family that needs them. The one-pass form
/// (<see cref="WriteShiftedMomentsPass"/> + <see cref="WriteShiftedVariance"/>: LayerNorm's vector rows, forward and
/// backward, and GroupNorm's vector paths) sums x − k and (x − k)² about k, the mean of the row's first vector, and keeps
/// σ² = Σ(x − k)²/n − (μ − k)² when (μ − k)² ≤ σ²; otherwise, and in the two-pass form (the spherical Z-loss), pass 2 sums
/// (x − meanHigh)² (<see cref="WriteCenteredSquaresPass"/>) and σ² = (Σ(x − a)² − n(μ − a)²)/n with a = meanHigh. The mean
/// μ is carried as meanHigh + meanLow (meanHigh the nearest element-type value to μ, meanLow the rest, in double); the
/// two-pass form's pass 1 (<see cref="WriteOffsetSumPass"/>) sums x − k about k = x[0].
/// </summary>
internal static class MomentsWriter
{
    private const string Math = "global::System.Math";

    /// <summary>
    /// Pass 1 of a vector path: <c>first</c> = x[0], then Σ(x − first) in the path's accumulators, flushed into the
    /// double lanes wideLow and wideHigh (lanes past the row hold first and add 0). The caller has declared <c>nint i</c>.
    /// </summary>
    public static void WriteOffsetSumPass(IndentedWriter writer, VectorLoopWriter c, string t, string? prefetch = null)
    {
        writer.Line($"{t} first = x;");
        writer.Line($"{c.Vec} origin = {c.Splat("first")};");
        c.WriteSumDeclarations(writer);
        c.WritePass(writer, "first", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"sum{a.Accumulator} += {a.Load("x")} - origin;");
            }
        }, w => c.WriteSumFlush(w), prefetch: prefetch);
    }

    /// <summary>
    /// The mean μ = first + Σ(x − first)/n as meanHigh (of the element type) + meanLow (double): the part the element type
    /// cannot hold is carried separately, so x − μ is formed to better than its precision. <paramref name="sumCall"/> is
    /// the vector sum call without its ')' (null when a double path has offsetSum and offsetSumLow already); <paramref name="offset"/>,
    /// if given, names μ − first as a float path's own double (the double paths have it as offset + offsetLow).
    /// </summary>
    public static void WriteMean(IndentedWriter writer, bool isDouble, string? sumCall, string n, string? offset = null)
    {
        if (isDouble)
        {
            if (sumCall is not null)
            {
                writer.Line($"double offsetSum = {sumCall}, out double offsetSumLow);");
            }

            WriteDoubleDoubleMean(writer, n);
        }
        else
        {
            if (offset is null)
            {
                writer.Line($"double mean = first + {sumCall}) / {n};");
            }
            else
            {
                writer.Line($"double {offset} = {sumCall}) / {n};");
                writer.Line($"double mean = first + {offset};");
            }

            writer.Line("float meanHigh = (float)mean;");
            writer.Line("double meanLow = mean - meanHigh;");
        }
    }

    /// <summary>
    /// Given first (k) and offsetSum + offsetSumLow = Σ(x − k) as a double-double: μ = k + Σ/n as meanHigh + meanLow, both
    /// double. The double paths and every Reference (which computes in double whatever T is) share it.
    /// </summary>
    public static void WriteDoubleDoubleMean(IndentedWriter writer, string n)
    {
        writer.Line($"double offset = offsetSum / {n};");
        writer.Line("// The division's rounding error, exactly (a fused multiply-add), plus the sum's own.");
        writer.Line($"double offsetLow = ({Math}.FusedMultiplyAdd(-offset, {n}, offsetSum) + offsetSumLow) / {n};");
        writer.Line("// μ = k + offset + offsetLow: round k + offset to meanHigh and keep its exact error (TwoSum) in meanLow.");
        writer.Line("double meanHigh = first + offset;");
        writer.Line("double rounding = meanHigh - first;");
        writer.Line("double meanLow = ((first - (meanHigh - rounding)) + (offset - rounding)) + offsetLow;");
    }

    /// <summary>
    /// Pass 2 of a vector path: Σ(x − meanHigh)² into the square accumulators, flushed into wideLow and wideHigh (lanes
    /// past the row hold meanHigh and add 0), with meanHigh splatted as <paramref name="center"/>; <paramref name="load"/>, if
    /// given, writes the expression of the row's vector (LayerNorm's fused residual form adds x + r; the default loads x);
    /// <paramref name="declareCenter"/> false when the caller declared <paramref name="center"/> already (LayerNorm, whose
    /// pass 2 runs only when its one-pass variance is not accurate enough).
    /// </summary>
    public static void WriteCenteredSquaresPass(IndentedWriter writer, VectorLoopWriter c, string center, Func<VectorAccess, string>? load = null, bool declareCenter = true)
    {
        if (declareCenter)
        {
            writer.Line($"{c.Vec} {center} = {c.Splat("meanHigh")};");
        }

        c.WriteSumDeclarations(writer, "square", declareWide: false);
        c.WritePass(writer, "meanHigh", (w, group) =>
        {
            foreach (VectorAccess a in group)
            {
                w.Line($"{c.Vec} e{a.Accumulator} = {(load is null ? a.Load("x") : load(a))} - {center};");
            }

            foreach (VectorAccess a in group)
            {
                w.Line($"square{a.Accumulator} = {c.M}.MultiplyAdd(e{a.Accumulator}, e{a.Accumulator}, square{a.Accumulator});");
            }
        }, w => c.WriteSumFlush(w, "square"));
    }

    /// <summary>
    /// The one-pass form of a vector row (LayerNorm's forward, its backward): <c>first</c> = k, the mean of the row's first
    /// vector of v = the sum of <paramref name="rows"/> (x, or x + r for the fused residual; its first n elements, the other
    /// lanes 0, when the row is shorter), then Σ(v − k) and Σ(v − k)² side by side (v's vectors as <paramref name="load"/> writes them),
    /// flushed into wideLow/wideHigh and shiftedSquareLow/shiftedSquareHigh, then the mean as meanHigh + meanLow and
    /// meanOffset = μ − k. <paramref name="storeTo"/>, if given, names a row the loaded vectors are also stored to (the fused
    /// residual's h). Follow it with <see cref="WriteShiftedVariance"/>.
    /// </summary>
    public static void WriteShiftedMomentsPass(IndentedWriter writer, VectorLoopWriter c, bool isDouble, IReadOnlyList<string> rows, Func<VectorAccess, string> load, string? storeTo = null)
    {
        string firstVector = string.Join(" + ", rows.Select(row => $"{c.V}.LoadUnsafe(ref {row})"));
        string firstTail = string.Join(" + ", rows.Select(row => $"{c.M}.LoadTail(ref {row}, n, ({c.T})0)"));
        writer.Line($"{c.T} first = n >= {c.Lanes} ? {c.M}.MeanOfLanes({firstVector}, {c.Lanes}) : {c.M}.MeanOfLanes({firstTail}, n);");
        writer.Line($"{c.Vec} origin = {c.Splat("first")};");
        c.WriteSumDeclarations(writer);
        c.WriteSumDeclarations(writer, "shiftedSquare", wide: "shiftedSquare", comment: false);
        c.WritePass(writer, "first", (w, group) =>
        {
            if (storeTo is not null)
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} v{a.Accumulator} = {load(a)};");
                }

                foreach (VectorAccess a in group)
                {
                    w.Line(a.Store($"v{a.Accumulator}", storeTo));
                }

                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} d{a.Accumulator} = v{a.Accumulator} - origin;");
                }
            }
            else
            {
                foreach (VectorAccess a in group)
                {
                    w.Line($"{c.Vec} d{a.Accumulator} = {load(a)} - origin;");
                }
            }

            foreach (VectorAccess a in group)
            {
                w.Line($"sum{a.Accumulator} += d{a.Accumulator};");
                w.Line($"shiftedSquare{a.Accumulator} = {c.M}.MultiplyAdd(d{a.Accumulator}, d{a.Accumulator}, shiftedSquare{a.Accumulator});");
            }
        }, w =>
        {
            c.WriteSumFlush(w);
            c.WriteSumFlush(w, "shiftedSquare", "shiftedSquare");
        });
        WriteMean(writer, isDouble, $"{c.M}.SumWidened(wideLow, wideHigh", "n", offset: "meanOffset");
        if (isDouble)
        {
            writer.Line("double meanOffset = offset + offsetLow;");
        }
    }

    /// <summary>
    /// After <see cref="WriteShiftedMomentsPass"/>: <c>double variance</c> = Σ(v − k)²/n − (μ − k)², kept when
    /// (μ − k)² ≤ σ² (its rounding error grows with (μ − k)²/σ²: at most about twice that of a sum about μ), else taken
    /// again by pass 2 about a = meanHigh (<see cref="WriteCenteredSquaresPass"/>, <paramref name="load"/> as there);
    /// declares <paramref name="center"/> = meanHigh in every lane, and <c>inverseDeviation</c> = 1/sqrt(σ² + Epsilon) (the
    /// kernel's constant).
    /// </summary>
    public static void WriteShiftedVariance(IndentedWriter writer, VectorLoopWriter c, bool isDouble, string center, Func<VectorAccess, string>? load = null)
    {
        writer.Line();
        writer.Line("// σ² = Σ(x − k)²/n − (μ − k)². Its rounding error grows with (μ − k)²/σ², so it is kept when (μ − k)² ≤ σ²;");
        writer.Line("// otherwise (k far from μ: an outlier in the first vector) pass 2 sums the squares again, about the mean.");
        writer.Line(isDouble
            ? $"double variance = ({c.M}.SumWidened(shiftedSquareLow, shiftedSquareHigh, out double shiftedSquareError) + shiftedSquareError) / n - meanOffset * meanOffset;"
            : $"double variance = {c.M}.SumWidened(shiftedSquareLow, shiftedSquareHigh) / n - meanOffset * meanOffset;");
        writer.Line($"{c.Vec} {center} = {c.Splat("meanHigh")};");
        using (writer.Block("if (!(meanOffset * meanOffset <= variance))"))
        {
            writer.Line("// Pass 2: Σ(x − a)² about a = meanHigh, the nearest value to μ: x − a is exact when x is near μ.");
            writer.Line("// Lanes past the row hold a (they add 0). σ² = (Σ(x − a)² − n(μ − a)²)/n with μ − a = meanLow.");
            WriteCenteredSquaresPass(writer, c, center, load, declareCenter: false);
            writer.Line($"variance = {Math}.Max({c.M}.SumWidened(wideLow, wideHigh) - n * meanLow * meanLow, 0.0) / n;");
        }

        writer.Line($"double inverseDeviation = 1.0 / {Math}.Sqrt(variance + Epsilon);");
    }

    /// <summary>σ² = (Σ(x − a)² − n(μ − a)²)/n from the centered sum of squares, a = meanHigh and μ − a = meanLow, in double.</summary>
    public static void WriteVariance(IndentedWriter writer, string centeredSum, string n)
    {
        writer.Line("// σ² = (Σ(x − a)² − n(μ − a)²)/n with a = meanHigh and μ − a = meanLow.");
        writer.Line($"double variance = {Math}.Max({centeredSum} - {n} * meanLow * meanLow, 0.0) / {n};");
    }
}
