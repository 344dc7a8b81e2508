using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using static KernelGen.Runtime.MathConstants;

namespace KernelGen.Runtime;

/// <summary>
/// The 128-bit words that generated kernels speak: exp, tanh, extended-exponent exp, 2ⁿ scaling,
/// horizontal reductions, widened accumulation and tail loads. They use SSE (and FMA where the
/// machine has it) on x86 and AdvSimd on Arm64; both the portable <c>Vector128</c> path and the
/// <c>Neon</c> path are written in these words. Every method inlines into the kernel that calls it.
/// </summary>
public static class VectorMath128
{
    /// <summary>Whether this machine accelerates 128-bit vectors.</summary>
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    /// <summary>Whether <see cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> is fused (one rounding): with FMA on x86, always on Arm64.</summary>
    public static bool HasFusedMultiplyAdd => Fma.IsSupported || AdvSimd.IsSupported;

    // ---- ISA primitives: the only part that differs between the widths ----

    /// <summary>a·b + c, fused where the machine can (see <see cref="HasFusedMultiplyAdd"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (Fma.IsSupported)
        {
            return Fma.MultiplyAdd(a, b, c);
        }

        if (AdvSimd.IsSupported)
        {
            return AdvSimd.FusedMultiplyAdd(c, a, b);
        }

        return (a * b) + c;
    }

    /// <inheritdoc cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c)
    {
        if (Fma.IsSupported)
        {
            return Fma.MultiplyAdd(a, b, c);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.FusedMultiplyAdd(c, a, b);
        }

        return (a * b) + c;
    }

    /// <summary>The lane-wise maximum; on x86 a NaN lane yields <paramref name="b"/>'s lane, on Arm64 NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Max(a, b) : AdvSimd.IsSupported ? AdvSimd.Max(a, b) : Vector128.Max(a, b);

    /// <inheritdoc cref="Max(Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Max(Vector128<double> a, Vector128<double> b) =>
        Sse2.IsSupported ? Sse2.Max(a, b) : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.Max(a, b) : Vector128.Max(a, b);

    /// <summary>The lane-wise minimum; on x86 a NaN lane yields <paramref name="b"/>'s lane, on Arm64 NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Min(a, b) : AdvSimd.IsSupported ? AdvSimd.Min(a, b) : Vector128.Min(a, b);

    /// <inheritdoc cref="Min(Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Min(Vector128<double> a, Vector128<double> b) =>
        Sse2.IsSupported ? Sse2.Min(a, b) : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.Min(a, b) : Vector128.Min(a, b);

    /// <summary>The largest lane (NaN lanes may be skipped: callers let NaN travel through sums instead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalMax(Vector128<float> v)
    {
        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.MaxAcross(v).ToScalar();
        }

        Vector128<float> m = Max(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        m = Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    /// <inheritdoc cref="HorizontalMax(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HorizontalMax(Vector128<double> v)
    {
        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.MaxPairwiseScalar(v).ToScalar();
        }

        return Max(v, Vector128.Shuffle(v, Vector128.Create(1L, 0L))).ToScalar();
    }

    /// <summary>
    /// Every lane holds the largest lane of <paramref name="v"/> (the value <see cref="HorizontalMax(Vector128{float})"/>
    /// returns). For rows kept in registers: no round trip through a scalar on x86.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> BroadcastMax(Vector128<float> v)
    {
        if (AdvSimd.Arm64.IsSupported)
        {
            return Vector128.Create(AdvSimd.Arm64.MaxAcross(v).ToScalar());
        }

        v = Max(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        return Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
    }

    /// <inheritdoc cref="BroadcastMax(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> BroadcastMax(Vector128<double> v) => Max(v, Vector128.Shuffle(v, Vector128.Create(1L, 0L)));

    /// <summary>2^d for integer-valued d ≤ 0 lanes, times v; 2^d below the normal range is flushed to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ScaleByPowerOfTwo(Vector128<float> v, Vector128<float> d)
    {
        // d + (1.5·2²³ + 127) leaves d + 127 in the low mantissa bits; shifting them into the
        // exponent field builds 2^d without a float-to-int conversion. d = −127 encodes +0.
        Vector128<float> clamped = Max(d, Vector128.Create(-127f));
        Vector128<float> scale = Vector128.ShiftLeft((clamped + Vector128.Create(ExpMagicBiasFloat)).AsInt32(), 23).AsSingle();
        return v * scale;
    }

    /// <inheritdoc cref="ScaleByPowerOfTwo(Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ScaleByPowerOfTwo(Vector128<double> v, Vector128<double> d)
    {
        Vector128<double> clamped = Max(d, Vector128.Create(-1023.0));
        Vector128<double> scale = Vector128.ShiftLeft((clamped + Vector128.Create(ExpMagicBiasDouble)).AsInt64(), 52).AsDouble();
        return v * scale;
    }

    // ---- Recipes written once per width over the primitives above ----

    /// <summary>
    /// e^x for x ≤ 0 (XNNPACK's rr2-p5 recipe, ≤ 2 ulp); +0 below ln(FLT_MIN); NaN stays NaN.
    /// Positive arguments are outside its contract (callers subtract the maximum first).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExpNonPositive(Vector128<float> x)
    {
        // n = round(x·log2 e) by the magic-bias trick; its low bits, shifted into the exponent, give s = 2ⁿ.
        Vector128<float> n = MultiplyAdd(x, Vector128.Create(Log2EFloat), Vector128.Create(ExpMagicBiasFloat));
        Vector128<float> s = Vector128.ShiftLeft(n.AsInt32(), 23).AsSingle();
        n -= Vector128.Create(ExpMagicBiasFloat);

        // Cody–Waite: t = x − n·ln2 with ln2 split in two, so t is exact to a few ulp of t.
        Vector128<float> t = MultiplyAdd(n, Vector128.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector128.Create(-Ln2LoFloat), t);

        // e^t ≈ 1 + t·p(t) on [−ln2/2, ln2/2], then e^x = s + (t·s)·p.
        Vector128<float> p = MultiplyAdd(Vector128.Create(ExpC5Float), t, Vector128.Create(ExpC4Float));
        p = MultiplyAdd(p, t, Vector128.Create(ExpC3Float));
        p = MultiplyAdd(p, t, Vector128.Create(ExpC2Float));
        p = MultiplyAdd(p, t, Vector128.Create(ExpC1Float));
        t *= s;
        Vector128<float> f = MultiplyAdd(t, p, s);

        // Below the cutoff 2ⁿ is not representable by the shift: flush to +0 (also for −inf). NaN compares false and stays.
        return Vector128.AndNot(f, Vector128.LessThan(x, Vector128.Create(ExpCutoffFloat)));
    }

    /// <inheritdoc cref="ExpNonPositive(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ExpNonPositive(Vector128<double> x)
    {
        Vector128<double> n = MultiplyAdd(x, Vector128.Create(Log2EDouble), Vector128.Create(ExpMagicBiasDouble));
        Vector128<double> s = Vector128.ShiftLeft(n.AsInt64(), 52).AsDouble();
        n -= Vector128.Create(ExpMagicBiasDouble);
        Vector128<double> t = MultiplyAdd(n, Vector128.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector128.Create(-Ln2LoDouble), t);
        Vector128<double> p = DoubleExpPolynomial(t);
        t *= s;
        Vector128<double> f = MultiplyAdd(t, p, s);
        return Vector128.AndNot(f, Vector128.LessThan(x, Vector128.Create(ExpCutoffDouble)));
    }

    /// <summary>
    /// e^x as a pair: returns m ∈ [0.7, 1.42] and sets <paramref name="exponent"/> = n, with e^x = m·2ⁿ.
    /// Any finite x is accepted (inputs are clamped to ±<see cref="MathConstants.ExtendedClampFloat"/>). The two-pass softmax's word.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExpExtended(Vector128<float> x, out Vector128<float> exponent)
    {
        // Clamp keeps NaN: the x86 min/max return their second operand when a lane is NaN.
        x = Max(Vector128.Create(-ExtendedClampFloat), Min(Vector128.Create(ExtendedClampFloat), x));
        Vector128<float> n = MultiplyAdd(x, Vector128.Create(Log2EFloat), Vector128.Create(RoundMagicBiasFloat)) - Vector128.Create(RoundMagicBiasFloat);
        Vector128<float> t = MultiplyAdd(n, Vector128.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector128.Create(-Ln2LoFloat), t);
        exponent = n;
        return FloatExpPolynomial(t);
    }

    /// <summary>
    /// e^(x + low) as a pair (see <see cref="ExpExtended(Vector128{float}, out Vector128{float})"/>), where
    /// <paramref name="low"/> is the small rounding error of a product computed by <see cref="MultiplyExtended(Vector128{float}, float, float, out Vector128{float})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExpExtended(Vector128<float> x, Vector128<float> low, out Vector128<float> exponent)
    {
        x = Max(Vector128.Create(-ExtendedClampFloat), Min(Vector128.Create(ExtendedClampFloat), x));
        Vector128<float> n = MultiplyAdd(x, Vector128.Create(Log2EFloat), Vector128.Create(RoundMagicBiasFloat)) - Vector128.Create(RoundMagicBiasFloat);
        Vector128<float> t = MultiplyAdd(n, Vector128.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector128.Create(-Ln2LoFloat), t) + low;
        exponent = n;
        return FloatExpPolynomial(t);
    }

    /// <inheritdoc cref="ExpExtended(Vector128{float}, out Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ExpExtended(Vector128<double> x, out Vector128<double> exponent)
    {
        x = Max(Vector128.Create(-ExtendedClampDouble), Min(Vector128.Create(ExtendedClampDouble), x));
        Vector128<double> n = MultiplyAdd(x, Vector128.Create(Log2EDouble), Vector128.Create(RoundMagicBiasDouble)) - Vector128.Create(RoundMagicBiasDouble);
        Vector128<double> t = MultiplyAdd(n, Vector128.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector128.Create(-Ln2LoDouble), t);
        exponent = n;
        return MultiplyAdd(t, DoubleExpPolynomial(t), Vector128<double>.One);
    }

    /// <inheritdoc cref="ExpExtended(Vector128{float}, Vector128{float}, out Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> ExpExtended(Vector128<double> x, Vector128<double> low, out Vector128<double> exponent)
    {
        x = Max(Vector128.Create(-ExtendedClampDouble), Min(Vector128.Create(ExtendedClampDouble), x));
        Vector128<double> n = MultiplyAdd(x, Vector128.Create(Log2EDouble), Vector128.Create(RoundMagicBiasDouble)) - Vector128.Create(RoundMagicBiasDouble);
        Vector128<double> t = MultiplyAdd(n, Vector128.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector128.Create(-Ln2LoDouble), t) + low;
        exponent = n;
        return MultiplyAdd(t, DoubleExpPolynomial(t), Vector128<double>.One);
    }

    /// <summary>
    /// x·(high + low) as high and low parts: returns the rounded product and sets <paramref name="low"/>
    /// to its error plus x·low, so a temperature 1/T that is not a float costs no accuracy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyExtended(Vector128<float> x, float high, float lowPart, out Vector128<float> low)
    {
        Vector128<float> product = x * Vector128.Create(high);
        low = MultiplyAdd(x, Vector128.Create(high), -product) + x * Vector128.Create(lowPart);

        // For ±inf, NaN and products beyond the exact range the low part would be NaN or meaningless: drop it.
        low = Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(product), Vector128.Create(ExtendedClampFloat)), low, Vector128<float>.Zero);
        return product;
    }

    /// <inheritdoc cref="MultiplyExtended(Vector128{float}, float, float, out Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> MultiplyExtended(Vector128<double> x, double high, double lowPart, out Vector128<double> low)
    {
        Vector128<double> product = x * Vector128.Create(high);
        low = MultiplyAdd(x, Vector128.Create(high), -product) + x * Vector128.Create(lowPart);

        // For ±inf, NaN and products beyond the exact range the low part would be NaN or meaningless: drop it.
        low = Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(product), Vector128.Create(ExtendedClampDouble)), low, Vector128<double>.Zero);
        return product;
    }

    /// <summary>Adds (M_b, N_b) into the extended sum (M_a, N_a): N = max, each mantissa rescaled to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExtended(ref Vector128<float> mantissa, ref Vector128<float> exponent, Vector128<float> addMantissa, Vector128<float> addExponent)
    {
        Vector128<float> newExponent = Max(exponent, addExponent);
        mantissa = ScaleByPowerOfTwo(mantissa, exponent - newExponent) + ScaleByPowerOfTwo(addMantissa, addExponent - newExponent);
        exponent = newExponent;
    }

    /// <inheritdoc cref="AccumulateExtended(ref Vector128{float}, ref Vector128{float}, Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExtended(ref Vector128<double> mantissa, ref Vector128<double> exponent, Vector128<double> addMantissa, Vector128<double> addExponent)
    {
        Vector128<double> newExponent = Max(exponent, addExponent);
        mantissa = ScaleByPowerOfTwo(mantissa, exponent - newExponent) + ScaleByPowerOfTwo(addMantissa, addExponent - newExponent);
        exponent = newExponent;
    }

    /// <summary>
    /// The mean of the first <paramref name="count"/> lanes of <paramref name="value"/> (the others zero; 1 ≤ count ≤ the
    /// lanes): each lane is scaled by 1/count before the lanes are added, so the result overflows only where the lanes do.
    /// LayerNorm takes it over a row's first vector as the shift k of its sums of x − k: any finite k gives the same
    /// statistics up to rounding, and one near the mean keeps the terms as small as the row's spread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MeanOfLanes(Vector128<float> value, nint count) => Vector128.Sum(value * Vector128.Create(1f / count));

    /// <summary>The mean of the first <paramref name="count"/> lanes of <paramref name="value"/> (the others zero), as the float overload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MeanOfLanes(Vector128<double> value, nint count) => Vector128.Sum(value * Vector128.Create(1.0 / count));

    /// <summary>
    /// The sum of the float lanes of <paramref name="value"/> in double: each lane widened (exactly), the two halves
    /// added, then the lanes. For a row kept in registers, whose sum is one vector: the same rounding as
    /// <see cref="AddWidened(ref Vector128{double}, ref Vector128{double}, Vector128{float})"/> into zeroed accumulators
    /// followed by <see cref="SumWidened(Vector128{double}, Vector128{double})"/> up to the order of the double additions,
    /// in fewer instructions (no compensation lanes, so no infinity test to keep ∞ − ∞ out).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector128<float> value)
    {
        (Vector128<double> lower, Vector128<double> upper) = Vector128.Widen(value);
        return Vector128.Sum(lower + upper);
    }

    /// <summary>Adds float lanes into double accumulators (the low and high halves), so long rows do not drift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(ref Vector128<double> low, ref Vector128<double> high, Vector128<float> value)
    {
        (Vector128<double> lower, Vector128<double> upper) = Vector128.Widen(value);
        low += lower;
        high += upper;
    }

    /// <summary>
    /// Adds double lanes into a compensated accumulator: <paramref name="low"/> holds the sums and
    /// <paramref name="high"/> the rounding errors (Knuth's TwoSum), so long double rows do not drift either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(ref Vector128<double> low, ref Vector128<double> high, Vector128<double> value)
    {
        Vector128<double> sum = low + value;
        Vector128<double> virtualValue = sum - low;
        high += (low - (sum - virtualValue)) + (value - virtualValue);
        low = sum;
    }

    /// <summary>Multiplies the double accumulators by float lane factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleWidened(ref Vector128<double> low, ref Vector128<double> high, Vector128<float> factor)
    {
        (Vector128<double> lower, Vector128<double> upper) = Vector128.Widen(factor);
        low *= lower;
        high *= upper;
    }

    /// <summary>Multiplies the compensated double accumulator (sums and errors) by double lane factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleWidened(ref Vector128<double> low, ref Vector128<double> high, Vector128<double> factor)
    {
        low *= factor;
        high *= factor;
    }

    /// <summary>The sum of every lane of the two accumulators (for double kernels: the sums plus their compensations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector128<double> low, Vector128<double> high)
    {
        // An infinite term makes a compensation lane ∞ − ∞ = NaN: then the sums alone are the answer.
        double sum = Vector128.Sum(low);
        return double.IsFinite(sum) ? sum + Vector128.Sum(high) : sum;
    }

    /// <summary>
    /// The sum of every lane of the two accumulators as a double-double: the rounded total, returned, and
    /// <paramref name="error"/>, what it misses. For a row mean that must be exact beyond a double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector128<double> low, Vector128<double> high, out double error)
    {
        CompensatedSum total = default;
        for (int i = 0; i < Vector128<double>.Count; i++)
        {
            total.Add(low.GetElement(i));
            total.Add(high.GetElement(i));
        }

        double result = total.Total(out error);
        if (!double.IsFinite(result))
        {
            error = 0;
            return SumWidened(low, high);
        }

        return result;
    }

    /// <summary>Merges per-lane extended sums (mantissas in the accumulators, exponents in <paramref name="exponent"/>): returns the largest exponent N and sets <paramref name="mantissa"/> so that the sum is mantissa·2^N.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReduceExtended(Vector128<double> low, Vector128<double> high, Vector128<float> exponent, out double mantissa)
    {
        float largest = HorizontalMax(exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector128<float>.One, exponent - Vector128.Create(largest)));
        mantissa = SumWidened(low, high);
        return largest;
    }

    /// <inheritdoc cref="ReduceExtended(Vector128{double}, Vector128{double}, Vector128{float}, out double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ReduceExtended(Vector128<double> low, Vector128<double> high, Vector128<double> exponent, out double mantissa)
    {
        double largest = HorizontalMax(exponent);
        Vector128<double> scale = ScaleByPowerOfTwo(Vector128<double>.One, exponent - Vector128.Create(largest));
        mantissa = Vector128.Sum(low * scale) + Vector128.Sum(high * scale);
        return largest;
    }

    /// <summary>
    /// Moves a block's extended sum (mantissa lanes relative to exponent lanes) into the double accumulators,
    /// which are kept relative to <paramref name="wideExponent"/>; both are rescaled to the larger exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FlushExtended(ref Vector128<double> low, ref Vector128<double> high, ref Vector128<float> wideExponent, Vector128<float> mantissa, Vector128<float> exponent)
    {
        Vector128<float> newExponent = Max(wideExponent, exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector128<float>.One, wideExponent - newExponent));
        AddWidened(ref low, ref high, ScaleByPowerOfTwo(mantissa, exponent - newExponent));
        wideExponent = newExponent;
    }

    /// <inheritdoc cref="FlushExtended(ref Vector128{double}, ref Vector128{double}, ref Vector128{float}, Vector128{float}, Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FlushExtended(ref Vector128<double> low, ref Vector128<double> high, ref Vector128<double> wideExponent, Vector128<double> mantissa, Vector128<double> exponent)
    {
        Vector128<double> newExponent = Max(wideExponent, exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector128<double>.One, wideExponent - newExponent));
        AddWidened(ref low, ref high, ScaleByPowerOfTwo(mantissa, exponent - newExponent));
        wideExponent = newExponent;
    }

    /// <summary>
    /// tanh(x) lane-wise (≤ 4 ulp; docs/accuracy.md has the measured figure). |x| &lt; 0.625: Cephes' odd
    /// polynomial x + x³·P(x²), so tiny x gives x (no cancellation) and ±0 keeps its sign. Above: with u = e^{−2|x|} ≤ 0.29
    /// from <see cref="ExpNonPositive(Vector128{float})"/>, (1 − u)/(1 + u), which never forms ∞/∞: large |x| and ±∞ give u = 0, ±1
    /// exactly. The sign of x is put back on |tanh|; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> sign = x & Vector128.Create(-0f);
        Vector128<float> a = x ^ sign;
        Vector128<float> s = a * a;
        Vector128<float> p = MultiplyAdd(Vector128.Create(TanhC4Float), s, Vector128.Create(TanhC3Float));
        p = MultiplyAdd(p, s, Vector128.Create(TanhC2Float));
        p = MultiplyAdd(p, s, Vector128.Create(TanhC1Float));
        p = MultiplyAdd(p, s, Vector128.Create(TanhC0Float));
        Vector128<float> small = MultiplyAdd(p * s, a, a);

        Vector128<float> u = ExpNonPositive(a * Vector128.Create(-2f));
        Vector128<float> large = Vector128<float>.One - ((u + u) / (Vector128<float>.One + u));

        // A NaN lane compares false and takes the large branch, where it stays NaN.
        return Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(TanhSmallLimitFloat)), small, large) | sign;
    }

    /// <summary>
    /// tanh(x) lane-wise, as <see cref="Tanh(Vector128{float})"/> does it, with Cephes' rational x + x·s·P(s)/Q(s), s = x², below 0.625
    /// (relative error ≈ 2⁻⁵⁴ there) and the double <see cref="ExpNonPositive(Vector128{double})"/> above.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Tanh(Vector128<double> x)
    {
        Vector128<double> sign = x & Vector128.Create(-0.0);
        Vector128<double> a = x ^ sign;
        Vector128<double> s = a * a;
        Vector128<double> p = MultiplyAdd(MultiplyAdd(Vector128.Create(TanhP0Double), s, Vector128.Create(TanhP1Double)), s, Vector128.Create(TanhP2Double));
        Vector128<double> q = MultiplyAdd(MultiplyAdd(s + Vector128.Create(TanhQ0Double), s, Vector128.Create(TanhQ1Double)), s, Vector128.Create(TanhQ2Double));
        Vector128<double> small = MultiplyAdd(s * (p / q), a, a);

        Vector128<double> u = ExpNonPositive(a * Vector128.Create(-2.0));
        Vector128<double> large = Vector128<double>.One - ((u + u) / (Vector128<double>.One + u));
        return Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(TanhSmallLimitDouble)), small, large) | sign;
    }

    /// <summary>
    /// log(1 + t) lane-wise for t ≥ 0 (≤ 2 ulp; docs/accuracy.md has the measured figure), fdlibm's log1p recipe:
    /// u = 1 + t rounded, u = m·2^k with m ∈ [√½, √2), log m = f − f²/2 + s·(f²/2 + R(s²)) with f = m − 1,
    /// s = f/(2 + f) and R the series 2s²/3 + 2s⁴/5 + …, plus the rounding of 1 + t put back as c = (t − (u − 1))/u.
    /// Tiny t give t itself; +∞ gives +∞; NaN stays NaN. Negative t are outside its contract (the callers pass |x| or e^{−|x|}).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log1p(Vector128<float> t)
    {
        Vector128<float> u = Vector128<float>.One + t;

        // Shift the exponent field so that the mantissa lands in [√½, √2): k = ⌊log2(u·√2)⌋, m = u/2^k.
        Vector128<int> bits = u.AsInt32() + Vector128.Create(Log1pExponentShiftFloat);
        Vector128<float> k = Vector128.ConvertToSingle(Vector128.ShiftRightLogical(bits, 23) - Vector128.Create(127));
        Vector128<float> m = ((bits & Vector128.Create(0x007fffff)) + Vector128.Create(Log1pSqrtHalfBitsFloat)).AsSingle();
        Vector128<float> f = m - Vector128<float>.One;
        Vector128<float> c = (t - (u - Vector128<float>.One)) / u;

        Vector128<float> s = f / (Vector128.Create(2f) + f);
        Vector128<float> z = s * s;
        Vector128<float> r = MultiplyAdd(Vector128.Create(Log1pC4Float), z, Vector128.Create(Log1pC3Float));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pC2Float));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pC1Float));
        r *= z;
        Vector128<float> halfSquare = Vector128.Create(0.5f) * f * f;
        Vector128<float> low = MultiplyAdd(k, Vector128.Create(Ln2LoFloat), c);
        Vector128<float> result = MultiplyAdd(k, Vector128.Create(Ln2HiFloat), f - (halfSquare - MultiplyAdd(s, halfSquare + r, low)));

        // +∞ (where u − 1 = ∞ makes c NaN) and NaN lanes give t itself.
        return Vector128.ConditionalSelect(Vector128.LessThan(t, Vector128.Create(float.PositiveInfinity)), result, t);
    }

    /// <summary>log(1 + t) lane-wise for t ≥ 0, as <see cref="Log1p(Vector128{float})"/> does it, with ten terms of the series (≤ 2 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Log1p(Vector128<double> t)
    {
        Vector128<double> u = Vector128<double>.One + t;
        Vector128<long> bits = u.AsInt64() + Vector128.Create(Log1pExponentShiftDouble);

        // k as a double without a 64-bit integer conversion: put the small integer under the exponent of 2^52.
        Vector128<double> k = (Vector128.ShiftRightLogical(bits, 52) | Vector128.Create(0x4330000000000000L)).AsDouble() - Vector128.Create(4503599627371519.0);
        Vector128<double> m = ((bits & Vector128.Create(0x000fffffffffffffL)) + Vector128.Create(Log1pSqrtHalfBitsDouble)).AsDouble();
        Vector128<double> f = m - Vector128<double>.One;
        Vector128<double> c = (t - (u - Vector128<double>.One)) / u;

        Vector128<double> s = f / (Vector128.Create(2.0) + f);
        Vector128<double> z = s * s;
        Vector128<double> r = MultiplyAdd(Vector128.Create(Log1pSeries10), z, Vector128.Create(Log1pSeries9));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries8));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries7));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries6));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries5));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries4));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries3));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries2));
        r = MultiplyAdd(r, z, Vector128.Create(Log1pSeries1));
        r *= z;
        Vector128<double> halfSquare = Vector128.Create(0.5) * f * f;
        Vector128<double> low = MultiplyAdd(k, Vector128.Create(Ln2LoDouble), c);
        Vector128<double> result = MultiplyAdd(k, Vector128.Create(Ln2HiDouble), f - (halfSquare - MultiplyAdd(s, halfSquare + r, low)));
        return Vector128.ConditionalSelect(Vector128.LessThan(t, Vector128.Create(double.PositiveInfinity)), result, t);
    }

    /// <summary>
    /// The logistic sigmoid σ(x) = 1/(1 + e^{−x}) lane-wise (≤ 4 ulp; docs/accuracy.md). With u = e^{−|x|} ≤ 1 from
    /// <see cref="ExpNonPositive(Vector128{float})"/>: 1/(1 + u) for x ≥ 0 and u/(1 + u) for x &lt; 0, so no exp overflows and
    /// the small side keeps its relative accuracy (flushed to 0 only where e^{x} is below the smallest normal float).
    /// σ(+∞) = 1, σ(−∞) = 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x)
    {
        Vector128<float> u = ExpNonPositive(x | Vector128.Create(-0f));
        Vector128<float> r = Vector128<float>.One / (Vector128<float>.One + u);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), u * r, r);
    }

    /// <inheritdoc cref="Sigmoid(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Sigmoid(Vector128<double> x)
    {
        Vector128<double> u = ExpNonPositive(x | Vector128.Create(-0.0));
        Vector128<double> r = Vector128<double>.One / (Vector128<double>.One + u);
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<double>.Zero), u * r, r);
    }

    /// <summary>
    /// softplus(x) = log(1 + e^x) lane-wise, as max(x, 0) + log1p(e^{−|x|}) (<see cref="Log1p(Vector128{float})"/> of
    /// <see cref="ExpNonPositive(Vector128{float})"/>; ≤ 4 ulp, docs/accuracy.md): no exp overflows, large x give x, very
    /// negative x give e^x with its relative accuracy. softplus(+∞) = +∞, softplus(−∞) = 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Softplus(Vector128<float> x) =>
        Max(x, Vector128<float>.Zero) + Log1p(ExpNonPositive(x | Vector128.Create(-0f)));

    /// <inheritdoc cref="Softplus(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Softplus(Vector128<double> x) =>
        Max(x, Vector128<double>.Zero) + Log1p(ExpNonPositive(x | Vector128.Create(-0.0)));

    /// <summary>A mask for a row's tail: the first <paramref name="count"/> (&lt; one vector) lanes all ones, the others zero (AND a value with it to zero the lanes past the row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> TailMask<T>(nint count)
        where T : unmanaged
    {
        Vector128<T> ones = Vector128<T>.AllBitsSet;
        return LoadTail(ref Unsafe.As<Vector128<T>, T>(ref ones), count, default(T));
    }

    /// <summary>Loads the last <paramref name="count"/> (&lt; one vector) elements; the other lanes hold <paramref name="fill"/>. Reads nothing past the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LoadTail<T>(ref T source, nint count, T fill)
        where T : unmanaged
    {
        Vector128<T> value = Vector128.Create(fill);
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<Vector128<T>, byte>(ref value), ref Unsafe.As<T, byte>(ref source), (uint)(count * Unsafe.SizeOf<T>()));
        return value;
    }

    /// <summary>Stores the first <paramref name="count"/> (&lt; one vector) lanes; writes nothing past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail<T>(ref T destination, nint count, Vector128<T> value)
        where T : unmanaged
    {
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref destination), ref Unsafe.As<Vector128<T>, byte>(ref value), (uint)(count * Unsafe.SizeOf<T>()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> FloatExpPolynomial(Vector128<float> t)
    {
        Vector128<float> p = MultiplyAdd(Vector128.Create(ExpC5Float), t, Vector128.Create(ExpC4Float));
        p = MultiplyAdd(p, t, Vector128.Create(ExpC3Float));
        p = MultiplyAdd(p, t, Vector128.Create(ExpC2Float));
        p = MultiplyAdd(p, t, Vector128.Create(ExpC1Float));
        return MultiplyAdd(p, t, Vector128<float>.One);
    }

    // (e^t − 1)/t as the Taylor polynomial 1 + t/2! + … + t¹²/13!.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> DoubleExpPolynomial(Vector128<double> t)
    {
        Vector128<double> p = MultiplyAdd(Vector128.Create(InverseFactorial13), t, Vector128.Create(InverseFactorial12));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial11));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial10));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial9));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial8));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial7));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial6));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial5));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial4));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial3));
        p = MultiplyAdd(p, t, Vector128.Create(InverseFactorial2));
        return MultiplyAdd(p, t, Vector128<double>.One);
    }
}
