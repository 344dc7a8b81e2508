using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static KernelGen.Runtime.MathConstants;

namespace KernelGen.Runtime;

/// <summary>
/// The 256-bit words (AVX2 + FMA) that generated kernels speak: exp, tanh, extended-exponent exp,
/// 2ⁿ scaling, horizontal reductions, widened accumulation and tail loads. Every method inlines
/// into the kernel that calls it.
/// </summary>
public static class VectorMath256
{
    /// <summary>Whether this machine runs these words (AVX2 and FMA).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Whether <see cref="MultiplyAdd(Vector256{float}, Vector256{float}, Vector256{float})"/> is fused (one rounding).</summary>
    public static bool HasFusedMultiplyAdd => Fma.IsSupported;

    // ---- ISA primitives: the only part that differs between the widths ----

    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Fma.MultiplyAdd(a, b, c);

    /// <summary>The lane-wise maximum with the x86 rule: if either lane is NaN, the result is <paramref name="b"/>'s lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Avx.Max(a, b);

    /// <inheritdoc cref="Max(Vector256{float}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Avx.Max(a, b);

    /// <summary>The lane-wise minimum with the x86 rule: if either lane is NaN, the result is <paramref name="b"/>'s lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Avx.Min(a, b);

    /// <inheritdoc cref="Min(Vector256{float}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Avx.Min(a, b);

    /// <summary>The largest lane (NaN lanes may be skipped: callers let NaN travel through sums instead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalMax(Vector256<float> v) => VectorMath128.HorizontalMax(VectorMath128.Max(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="HorizontalMax(Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HorizontalMax(Vector256<double> v) => VectorMath128.HorizontalMax(VectorMath128.Max(v.GetLower(), v.GetUpper()));

    /// <summary>
    /// Every lane holds the largest lane of <paramref name="v"/>, without leaving the vector registers (the value
    /// <see cref="HorizontalMax(Vector256{float})"/> returns). For rows kept in registers: no round trip through a scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> BroadcastMax(Vector256<float> v)
    {
        v = Max(v, Avx.Permute2x128(v, v, 0x01));         // the 128-bit halves swapped
        v = Max(v, Avx.Permute(v, 0b01_00_11_10));        // pairs within each half swapped
        return Max(v, Avx.Permute(v, 0b10_11_00_01));     // neighbours swapped
    }

    /// <inheritdoc cref="BroadcastMax(Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> BroadcastMax(Vector256<double> v)
    {
        v = Max(v, Avx.Permute2x128(v, v, 0x01));
        return Max(v, Avx.Permute(v, 0b0101));
    }

    /// <summary>2^d for integer-valued d ≤ 0 lanes, times v; 2^d below the normal range is flushed to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ScaleByPowerOfTwo(Vector256<float> v, Vector256<float> d)
    {
        // d + (1.5·2²³ + 127) leaves d + 127 in the low mantissa bits; shifting them into the
        // exponent field builds 2^d without a float-to-int conversion. d = −127 encodes +0.
        Vector256<float> clamped = Max(d, Vector256.Create(-127f));
        Vector256<float> scale = Vector256.ShiftLeft((clamped + Vector256.Create(ExpMagicBiasFloat)).AsInt32(), 23).AsSingle();
        return v * scale;
    }

    /// <inheritdoc cref="ScaleByPowerOfTwo(Vector256{float}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ScaleByPowerOfTwo(Vector256<double> v, Vector256<double> d)
    {
        Vector256<double> clamped = Max(d, Vector256.Create(-1023.0));
        Vector256<double> scale = Vector256.ShiftLeft((clamped + Vector256.Create(ExpMagicBiasDouble)).AsInt64(), 52).AsDouble();
        return v * scale;
    }

    // ---- Recipes written once per width over the primitives above ----

    /// <summary>
    /// e^x for x ≤ 0 (XNNPACK's rr2-p5 recipe, ≤ 2 ulp); +0 below ln(FLT_MIN); NaN stays NaN.
    /// Positive arguments are outside its contract (callers subtract the maximum first).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        // n = round(x·log2 e) by the magic-bias trick; its low bits, shifted into the exponent, give s = 2ⁿ.
        Vector256<float> n = MultiplyAdd(x, Vector256.Create(Log2EFloat), Vector256.Create(ExpMagicBiasFloat));
        Vector256<float> s = Vector256.ShiftLeft(n.AsInt32(), 23).AsSingle();
        n -= Vector256.Create(ExpMagicBiasFloat);

        // Cody–Waite: t = x − n·ln2 with ln2 split in two, so t is exact to a few ulp of t.
        Vector256<float> t = MultiplyAdd(n, Vector256.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector256.Create(-Ln2LoFloat), t);

        // e^t ≈ 1 + t·p(t) on [−ln2/2, ln2/2], then e^x = s + (t·s)·p.
        Vector256<float> p = MultiplyAdd(Vector256.Create(ExpC5Float), t, Vector256.Create(ExpC4Float));
        p = MultiplyAdd(p, t, Vector256.Create(ExpC3Float));
        p = MultiplyAdd(p, t, Vector256.Create(ExpC2Float));
        p = MultiplyAdd(p, t, Vector256.Create(ExpC1Float));
        t *= s;
        Vector256<float> f = MultiplyAdd(t, p, s);

        // Below the cutoff 2ⁿ is not representable by the shift: flush to +0 (also for −inf). NaN compares false and stays.
        return Vector256.AndNot(f, Vector256.LessThan(x, Vector256.Create(ExpCutoffFloat)));
    }

    /// <inheritdoc cref="ExpNonPositive(Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ExpNonPositive(Vector256<double> x)
    {
        Vector256<double> n = MultiplyAdd(x, Vector256.Create(Log2EDouble), Vector256.Create(ExpMagicBiasDouble));
        Vector256<double> s = Vector256.ShiftLeft(n.AsInt64(), 52).AsDouble();
        n -= Vector256.Create(ExpMagicBiasDouble);
        Vector256<double> t = MultiplyAdd(n, Vector256.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector256.Create(-Ln2LoDouble), t);
        Vector256<double> p = DoubleExpPolynomial(t);
        t *= s;
        Vector256<double> f = MultiplyAdd(t, p, s);
        return Vector256.AndNot(f, Vector256.LessThan(x, Vector256.Create(ExpCutoffDouble)));
    }

    /// <summary>
    /// e^x as a pair: returns m ∈ [0.7, 1.42] and sets <paramref name="exponent"/> = n, with e^x = m·2ⁿ.
    /// Any finite x is accepted (inputs are clamped to ±<see cref="MathConstants.ExtendedClampFloat"/>). The two-pass softmax's word.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpExtended(Vector256<float> x, out Vector256<float> exponent)
    {
        // Clamp keeps NaN: the x86 min/max return their second operand when a lane is NaN.
        x = Max(Vector256.Create(-ExtendedClampFloat), Min(Vector256.Create(ExtendedClampFloat), x));
        Vector256<float> n = MultiplyAdd(x, Vector256.Create(Log2EFloat), Vector256.Create(RoundMagicBiasFloat)) - Vector256.Create(RoundMagicBiasFloat);
        Vector256<float> t = MultiplyAdd(n, Vector256.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector256.Create(-Ln2LoFloat), t);
        exponent = n;
        return FloatExpPolynomial(t);
    }

    /// <summary>
    /// e^(x + low) as a pair (see <see cref="ExpExtended(Vector256{float}, out Vector256{float})"/>), where
    /// <paramref name="low"/> is the small rounding error of a product computed by <see cref="MultiplyExtended(Vector256{float}, float, float, out Vector256{float})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpExtended(Vector256<float> x, Vector256<float> low, out Vector256<float> exponent)
    {
        x = Max(Vector256.Create(-ExtendedClampFloat), Min(Vector256.Create(ExtendedClampFloat), x));
        Vector256<float> n = MultiplyAdd(x, Vector256.Create(Log2EFloat), Vector256.Create(RoundMagicBiasFloat)) - Vector256.Create(RoundMagicBiasFloat);
        Vector256<float> t = MultiplyAdd(n, Vector256.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector256.Create(-Ln2LoFloat), t) + low;
        exponent = n;
        return FloatExpPolynomial(t);
    }

    /// <inheritdoc cref="ExpExtended(Vector256{float}, out Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ExpExtended(Vector256<double> x, out Vector256<double> exponent)
    {
        x = Max(Vector256.Create(-ExtendedClampDouble), Min(Vector256.Create(ExtendedClampDouble), x));
        Vector256<double> n = MultiplyAdd(x, Vector256.Create(Log2EDouble), Vector256.Create(RoundMagicBiasDouble)) - Vector256.Create(RoundMagicBiasDouble);
        Vector256<double> t = MultiplyAdd(n, Vector256.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector256.Create(-Ln2LoDouble), t);
        exponent = n;
        return MultiplyAdd(t, DoubleExpPolynomial(t), Vector256<double>.One);
    }

    /// <inheritdoc cref="ExpExtended(Vector256{float}, Vector256{float}, out Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> ExpExtended(Vector256<double> x, Vector256<double> low, out Vector256<double> exponent)
    {
        x = Max(Vector256.Create(-ExtendedClampDouble), Min(Vector256.Create(ExtendedClampDouble), x));
        Vector256<double> n = MultiplyAdd(x, Vector256.Create(Log2EDouble), Vector256.Create(RoundMagicBiasDouble)) - Vector256.Create(RoundMagicBiasDouble);
        Vector256<double> t = MultiplyAdd(n, Vector256.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector256.Create(-Ln2LoDouble), t) + low;
        exponent = n;
        return MultiplyAdd(t, DoubleExpPolynomial(t), Vector256<double>.One);
    }

    /// <summary>
    /// x·(high + low) as high and low parts: returns the rounded product and sets <paramref name="low"/>
    /// to its error plus x·low, so a temperature 1/T that is not a float costs no accuracy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyExtended(Vector256<float> x, float high, float lowPart, out Vector256<float> low)
    {
        Vector256<float> product = x * Vector256.Create(high);
        low = MultiplyAdd(x, Vector256.Create(high), -product) + x * Vector256.Create(lowPart);

        // For ±inf, NaN and products beyond the exact range the low part would be NaN or meaningless: drop it.
        low = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(product), Vector256.Create(ExtendedClampFloat)), low, Vector256<float>.Zero);
        return product;
    }

    /// <inheritdoc cref="MultiplyExtended(Vector256{float}, float, float, out Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> MultiplyExtended(Vector256<double> x, double high, double lowPart, out Vector256<double> low)
    {
        Vector256<double> product = x * Vector256.Create(high);
        low = MultiplyAdd(x, Vector256.Create(high), -product) + x * Vector256.Create(lowPart);

        // For ±inf, NaN and products beyond the exact range the low part would be NaN or meaningless: drop it.
        low = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(product), Vector256.Create(ExtendedClampDouble)), low, Vector256<double>.Zero);
        return product;
    }

    /// <summary>Adds (M_b, N_b) into the extended sum (M_a, N_a): N = max, each mantissa rescaled to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExtended(ref Vector256<float> mantissa, ref Vector256<float> exponent, Vector256<float> addMantissa, Vector256<float> addExponent)
    {
        Vector256<float> newExponent = Max(exponent, addExponent);
        mantissa = ScaleByPowerOfTwo(mantissa, exponent - newExponent) + ScaleByPowerOfTwo(addMantissa, addExponent - newExponent);
        exponent = newExponent;
    }

    /// <inheritdoc cref="AccumulateExtended(ref Vector256{float}, ref Vector256{float}, Vector256{float}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExtended(ref Vector256<double> mantissa, ref Vector256<double> exponent, Vector256<double> addMantissa, Vector256<double> addExponent)
    {
        Vector256<double> newExponent = Max(exponent, addExponent);
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
    public static float MeanOfLanes(Vector256<float> value, nint count) => Vector256.Sum(value * Vector256.Create(1f / count));

    /// <summary>The mean of the first <paramref name="count"/> lanes of <paramref name="value"/> (the others zero), as the float overload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MeanOfLanes(Vector256<double> value, nint count) => Vector256.Sum(value * Vector256.Create(1.0 / count));

    /// <summary>
    /// The sum of the float lanes of <paramref name="value"/> in double: each lane widened (exactly), the two halves
    /// added, then the lanes. For a row kept in registers, whose sum is one vector: the same rounding as
    /// <see cref="AddWidened(ref Vector256{double}, ref Vector256{double}, Vector256{float})"/> into zeroed accumulators
    /// followed by <see cref="SumWidened(Vector256{double}, Vector256{double})"/> up to the order of the double additions,
    /// in fewer instructions (no compensation lanes, so no infinity test to keep ∞ − ∞ out).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector256<float> value)
    {
        (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(value);
        return Vector256.Sum(lower + upper);
    }

    /// <summary>Adds float lanes into double accumulators (the low and high halves), so long rows do not drift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(ref Vector256<double> low, ref Vector256<double> high, Vector256<float> value)
    {
        (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(value);
        low += lower;
        high += upper;
    }

    /// <summary>
    /// Adds double lanes into a compensated accumulator: <paramref name="low"/> holds the sums and
    /// <paramref name="high"/> the rounding errors (Knuth's TwoSum), so long double rows do not drift either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(ref Vector256<double> low, ref Vector256<double> high, Vector256<double> value)
    {
        Vector256<double> sum = low + value;
        Vector256<double> virtualValue = sum - low;
        high += (low - (sum - virtualValue)) + (value - virtualValue);
        low = sum;
    }

    /// <summary>Multiplies the double accumulators by float lane factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleWidened(ref Vector256<double> low, ref Vector256<double> high, Vector256<float> factor)
    {
        (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(factor);
        low *= lower;
        high *= upper;
    }

    /// <summary>Multiplies the compensated double accumulator (sums and errors) by double lane factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleWidened(ref Vector256<double> low, ref Vector256<double> high, Vector256<double> factor)
    {
        low *= factor;
        high *= factor;
    }

    /// <summary>The sum of every lane of the two accumulators (for double kernels: the sums plus their compensations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector256<double> low, Vector256<double> high)
    {
        // An infinite term makes a compensation lane ∞ − ∞ = NaN: then the sums alone are the answer.
        double sum = Vector256.Sum(low);
        return double.IsFinite(sum) ? sum + Vector256.Sum(high) : sum;
    }

    /// <summary>
    /// The sum of every lane of the two accumulators as a double-double: the rounded total, returned, and
    /// <paramref name="error"/>, what it misses. For a row mean that must be exact beyond a double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector256<double> low, Vector256<double> high, out double error)
    {
        CompensatedSum total = default;
        for (int i = 0; i < Vector256<double>.Count; i++)
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
    public static float ReduceExtended(Vector256<double> low, Vector256<double> high, Vector256<float> exponent, out double mantissa)
    {
        float largest = HorizontalMax(exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector256<float>.One, exponent - Vector256.Create(largest)));
        mantissa = SumWidened(low, high);
        return largest;
    }

    /// <inheritdoc cref="ReduceExtended(Vector256{double}, Vector256{double}, Vector256{float}, out double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ReduceExtended(Vector256<double> low, Vector256<double> high, Vector256<double> exponent, out double mantissa)
    {
        double largest = HorizontalMax(exponent);
        Vector256<double> scale = ScaleByPowerOfTwo(Vector256<double>.One, exponent - Vector256.Create(largest));
        mantissa = Vector256.Sum(low * scale) + Vector256.Sum(high * scale);
        return largest;
    }

    /// <summary>
    /// Moves a block's extended sum (mantissa lanes relative to exponent lanes) into the double accumulators,
    /// which are kept relative to <paramref name="wideExponent"/>; both are rescaled to the larger exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FlushExtended(ref Vector256<double> low, ref Vector256<double> high, ref Vector256<float> wideExponent, Vector256<float> mantissa, Vector256<float> exponent)
    {
        Vector256<float> newExponent = Max(wideExponent, exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector256<float>.One, wideExponent - newExponent));
        AddWidened(ref low, ref high, ScaleByPowerOfTwo(mantissa, exponent - newExponent));
        wideExponent = newExponent;
    }

    /// <inheritdoc cref="FlushExtended(ref Vector256{double}, ref Vector256{double}, ref Vector256{float}, Vector256{float}, Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FlushExtended(ref Vector256<double> low, ref Vector256<double> high, ref Vector256<double> wideExponent, Vector256<double> mantissa, Vector256<double> exponent)
    {
        Vector256<double> newExponent = Max(wideExponent, exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector256<double>.One, wideExponent - newExponent));
        AddWidened(ref low, ref high, ScaleByPowerOfTwo(mantissa, exponent - newExponent));
        wideExponent = newExponent;
    }

    /// <summary>
    /// tanh(x) lane-wise (≤ 4 ulp; docs/accuracy.md has the measured figure). |x| &lt; 0.625: Cephes' odd
    /// polynomial x + x³·P(x²), so tiny x gives x (no cancellation) and ±0 keeps its sign. Above: with u = e^{−2|x|} ≤ 0.29
    /// from <see cref="ExpNonPositive(Vector256{float})"/>, (1 − u)/(1 + u), which never forms ∞/∞: large |x| and ±∞ give u = 0, ±1
    /// exactly. The sign of x is put back on |tanh|; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> sign = x & Vector256.Create(-0f);
        Vector256<float> a = x ^ sign;
        Vector256<float> s = a * a;
        Vector256<float> p = MultiplyAdd(Vector256.Create(TanhC4Float), s, Vector256.Create(TanhC3Float));
        p = MultiplyAdd(p, s, Vector256.Create(TanhC2Float));
        p = MultiplyAdd(p, s, Vector256.Create(TanhC1Float));
        p = MultiplyAdd(p, s, Vector256.Create(TanhC0Float));
        Vector256<float> small = MultiplyAdd(p * s, a, a);

        Vector256<float> u = ExpNonPositive(a * Vector256.Create(-2f));
        Vector256<float> large = Vector256<float>.One - ((u + u) / (Vector256<float>.One + u));

        // A NaN lane compares false and takes the large branch, where it stays NaN.
        return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(TanhSmallLimitFloat)), small, large) | sign;
    }

    /// <summary>
    /// tanh(x) lane-wise, as <see cref="Tanh(Vector256{float})"/> does it, with Cephes' rational x + x·s·P(s)/Q(s), s = x², below 0.625
    /// (relative error ≈ 2⁻⁵⁴ there) and the double <see cref="ExpNonPositive(Vector256{double})"/> above.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Tanh(Vector256<double> x)
    {
        Vector256<double> sign = x & Vector256.Create(-0.0);
        Vector256<double> a = x ^ sign;
        Vector256<double> s = a * a;
        Vector256<double> p = MultiplyAdd(MultiplyAdd(Vector256.Create(TanhP0Double), s, Vector256.Create(TanhP1Double)), s, Vector256.Create(TanhP2Double));
        Vector256<double> q = MultiplyAdd(MultiplyAdd(s + Vector256.Create(TanhQ0Double), s, Vector256.Create(TanhQ1Double)), s, Vector256.Create(TanhQ2Double));
        Vector256<double> small = MultiplyAdd(s * (p / q), a, a);

        Vector256<double> u = ExpNonPositive(a * Vector256.Create(-2.0));
        Vector256<double> large = Vector256<double>.One - ((u + u) / (Vector256<double>.One + u));
        return Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(TanhSmallLimitDouble)), small, large) | sign;
    }

    /// <summary>
    /// log(1 + t) lane-wise for t ≥ 0 (≤ 2 ulp; docs/accuracy.md has the measured figure), fdlibm's log1p recipe:
    /// u = 1 + t rounded, u = m·2^k with m ∈ [√½, √2), log m = f − f²/2 + s·(f²/2 + R(s²)) with f = m − 1,
    /// s = f/(2 + f) and R the series 2s²/3 + 2s⁴/5 + …, plus the rounding of 1 + t put back as c = (t − (u − 1))/u.
    /// Tiny t give t itself; +∞ gives +∞; NaN stays NaN. Negative t are outside its contract (the callers pass |x| or e^{−|x|}).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1p(Vector256<float> t)
    {
        Vector256<float> u = Vector256<float>.One + t;

        // Shift the exponent field so that the mantissa lands in [√½, √2): k = ⌊log2(u·√2)⌋, m = u/2^k.
        Vector256<int> bits = u.AsInt32() + Vector256.Create(Log1pExponentShiftFloat);
        Vector256<float> k = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits, 23) - Vector256.Create(127));
        Vector256<float> m = ((bits & Vector256.Create(0x007fffff)) + Vector256.Create(Log1pSqrtHalfBitsFloat)).AsSingle();
        Vector256<float> f = m - Vector256<float>.One;
        Vector256<float> c = (t - (u - Vector256<float>.One)) / u;

        Vector256<float> s = f / (Vector256.Create(2f) + f);
        Vector256<float> z = s * s;
        Vector256<float> r = MultiplyAdd(Vector256.Create(Log1pC4Float), z, Vector256.Create(Log1pC3Float));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pC2Float));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pC1Float));
        r *= z;
        Vector256<float> halfSquare = Vector256.Create(0.5f) * f * f;
        Vector256<float> low = MultiplyAdd(k, Vector256.Create(Ln2LoFloat), c);
        Vector256<float> result = MultiplyAdd(k, Vector256.Create(Ln2HiFloat), f - (halfSquare - MultiplyAdd(s, halfSquare + r, low)));

        // +∞ (where u − 1 = ∞ makes c NaN) and NaN lanes give t itself.
        return Vector256.ConditionalSelect(Vector256.LessThan(t, Vector256.Create(float.PositiveInfinity)), result, t);
    }

    /// <summary>log(1 + t) lane-wise for t ≥ 0, as <see cref="Log1p(Vector256{float})"/> does it, with ten terms of the series (≤ 2 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1p(Vector256<double> t)
    {
        Vector256<double> u = Vector256<double>.One + t;
        Vector256<long> bits = u.AsInt64() + Vector256.Create(Log1pExponentShiftDouble);

        // k as a double without a 64-bit integer conversion: put the small integer under the exponent of 2^52.
        Vector256<double> k = (Vector256.ShiftRightLogical(bits, 52) | Vector256.Create(0x4330000000000000L)).AsDouble() - Vector256.Create(4503599627371519.0);
        Vector256<double> m = ((bits & Vector256.Create(0x000fffffffffffffL)) + Vector256.Create(Log1pSqrtHalfBitsDouble)).AsDouble();
        Vector256<double> f = m - Vector256<double>.One;
        Vector256<double> c = (t - (u - Vector256<double>.One)) / u;

        Vector256<double> s = f / (Vector256.Create(2.0) + f);
        Vector256<double> z = s * s;
        Vector256<double> r = MultiplyAdd(Vector256.Create(Log1pSeries10), z, Vector256.Create(Log1pSeries9));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries8));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries7));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries6));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries5));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries4));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries3));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries2));
        r = MultiplyAdd(r, z, Vector256.Create(Log1pSeries1));
        r *= z;
        Vector256<double> halfSquare = Vector256.Create(0.5) * f * f;
        Vector256<double> low = MultiplyAdd(k, Vector256.Create(Ln2LoDouble), c);
        Vector256<double> result = MultiplyAdd(k, Vector256.Create(Ln2HiDouble), f - (halfSquare - MultiplyAdd(s, halfSquare + r, low)));
        return Vector256.ConditionalSelect(Vector256.LessThan(t, Vector256.Create(double.PositiveInfinity)), result, t);
    }

    /// <summary>
    /// The logistic sigmoid σ(x) = 1/(1 + e^{−x}) lane-wise (≤ 4 ulp; docs/accuracy.md). With u = e^{−|x|} ≤ 1 from
    /// <see cref="ExpNonPositive(Vector256{float})"/>: 1/(1 + u) for x ≥ 0 and u/(1 + u) for x &lt; 0, so no exp overflows and
    /// the small side keeps its relative accuracy (flushed to 0 only where e^{x} is below the smallest normal float).
    /// σ(+∞) = 1, σ(−∞) = 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        Vector256<float> u = ExpNonPositive(x | Vector256.Create(-0f));
        Vector256<float> r = Vector256<float>.One / (Vector256<float>.One + u);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), u * r, r);
    }

    /// <inheritdoc cref="Sigmoid(Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> x)
    {
        Vector256<double> u = ExpNonPositive(x | Vector256.Create(-0.0));
        Vector256<double> r = Vector256<double>.One / (Vector256<double>.One + u);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), u * r, r);
    }

    /// <summary>
    /// softplus(x) = log(1 + e^x) lane-wise, as max(x, 0) + log1p(e^{−|x|}) (<see cref="Log1p(Vector256{float})"/> of
    /// <see cref="ExpNonPositive(Vector256{float})"/>; ≤ 4 ulp, docs/accuracy.md): no exp overflows, large x give x, very
    /// negative x give e^x with its relative accuracy. softplus(+∞) = +∞, softplus(−∞) = 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> x) =>
        Max(x, Vector256<float>.Zero) + Log1p(ExpNonPositive(x | Vector256.Create(-0f)));

    /// <inheritdoc cref="Softplus(Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Softplus(Vector256<double> x) =>
        Max(x, Vector256<double>.Zero) + Log1p(ExpNonPositive(x | Vector256.Create(-0.0)));

    /// <summary>A mask for a row's tail: the first <paramref name="count"/> (&lt; one vector) lanes all ones, the others zero (AND a value with it to zero the lanes past the row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> TailMask<T>(nint count)
        where T : unmanaged
    {
        Vector256<T> ones = Vector256<T>.AllBitsSet;
        return LoadTail(ref Unsafe.As<Vector256<T>, T>(ref ones), count, default(T));
    }

    /// <summary>Loads the last <paramref name="count"/> (&lt; one vector) elements; the other lanes hold <paramref name="fill"/>. Reads nothing past the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadTail<T>(ref T source, nint count, T fill)
        where T : unmanaged
    {
        Vector256<T> value = Vector256.Create(fill);
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<Vector256<T>, byte>(ref value), ref Unsafe.As<T, byte>(ref source), (uint)(count * Unsafe.SizeOf<T>()));
        return value;
    }

    /// <summary>Stores the first <paramref name="count"/> (&lt; one vector) lanes; writes nothing past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail<T>(ref T destination, nint count, Vector256<T> value)
        where T : unmanaged
    {
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref destination), ref Unsafe.As<Vector256<T>, byte>(ref value), (uint)(count * Unsafe.SizeOf<T>()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FloatExpPolynomial(Vector256<float> t)
    {
        Vector256<float> p = MultiplyAdd(Vector256.Create(ExpC5Float), t, Vector256.Create(ExpC4Float));
        p = MultiplyAdd(p, t, Vector256.Create(ExpC3Float));
        p = MultiplyAdd(p, t, Vector256.Create(ExpC2Float));
        p = MultiplyAdd(p, t, Vector256.Create(ExpC1Float));
        return MultiplyAdd(p, t, Vector256<float>.One);
    }

    // (e^t − 1)/t as the Taylor polynomial 1 + t/2! + … + t¹²/13!.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> DoubleExpPolynomial(Vector256<double> t)
    {
        Vector256<double> p = MultiplyAdd(Vector256.Create(InverseFactorial13), t, Vector256.Create(InverseFactorial12));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial11));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial10));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial9));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial8));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial7));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial6));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial5));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial4));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial3));
        p = MultiplyAdd(p, t, Vector256.Create(InverseFactorial2));
        return MultiplyAdd(p, t, Vector256<double>.One);
    }
}
