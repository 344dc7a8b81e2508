using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static KernelGen.Runtime.MathConstants;

namespace KernelGen.Runtime;

/// <summary>
/// The 512-bit words (AVX-512F) that generated kernels speak: exp, tanh, extended-exponent exp,
/// 2ⁿ scaling (with <c>vscalefps</c>), horizontal reductions, widened accumulation and tail
/// loads. Every method inlines into the kernel that calls it.
/// </summary>
public static class VectorMath512
{
    /// <summary>Whether this machine runs these words (AVX-512F).</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>Whether <see cref="MultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/> is fused (one rounding): always, with AVX-512F.</summary>
    public static bool HasFusedMultiplyAdd => Avx512F.IsSupported;

    // ---- ISA primitives: the only part that differs between the widths ----

    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    /// <summary>a·b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    /// <summary>The lane-wise maximum with the x86 rule: if either lane is NaN, the result is <paramref name="b"/>'s lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Avx512F.Max(a, b);

    /// <inheritdoc cref="Max(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Max(Vector512<double> a, Vector512<double> b) => Avx512F.Max(a, b);

    /// <summary>The lane-wise minimum with the x86 rule: if either lane is NaN, the result is <paramref name="b"/>'s lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Avx512F.Min(a, b);

    /// <inheritdoc cref="Min(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Min(Vector512<double> a, Vector512<double> b) => Avx512F.Min(a, b);

    /// <summary>The largest lane (NaN lanes may be skipped: callers let NaN travel through sums instead).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HorizontalMax(Vector512<float> v) => VectorMath256.HorizontalMax(Avx.Max(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="HorizontalMax(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HorizontalMax(Vector512<double> v) => VectorMath256.HorizontalMax(Avx.Max(v.GetLower(), v.GetUpper()));

    /// <summary>
    /// Every lane holds the largest lane of <paramref name="v"/>, without leaving the vector registers (the value
    /// <see cref="HorizontalMax(Vector512{float})"/> returns). For rows kept in registers: no round trip through a scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> BroadcastMax(Vector512<float> v)
    {
        v = Max(v, Avx512F.Shuffle4x128(v, v, 0b01_00_11_10));   // the 256-bit halves swapped
        v = Max(v, Avx512F.Shuffle4x128(v, v, 0b10_11_00_01));   // neighbouring 128-bit lanes swapped
        v = Max(v, Avx512F.Permute4x32(v, 0b01_00_11_10));       // pairs within each 128-bit lane swapped
        return Max(v, Avx512F.Permute4x32(v, 0b10_11_00_01));    // neighbours swapped
    }

    /// <inheritdoc cref="BroadcastMax(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> BroadcastMax(Vector512<double> v)
    {
        v = Max(v, Avx512F.Shuffle4x128(v, v, 0b01_00_11_10));
        v = Max(v, Avx512F.Shuffle4x128(v, v, 0b10_11_00_01));
        return Max(v, Avx512F.Permute2x64(v, 0b01_01_01_01));
    }

    /// <summary>v·2^d for integer-valued d lanes, by AVX-512's <c>vscalefps</c>: exact, with gradual underflow, for any d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ScaleByPowerOfTwo(Vector512<float> v, Vector512<float> d) => Avx512F.Scale(v, d);

    /// <inheritdoc cref="ScaleByPowerOfTwo(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ScaleByPowerOfTwo(Vector512<double> v, Vector512<double> d) => Avx512F.Scale(v, d);

    // ---- Recipes written once per width over the primitives above ----

    /// <summary>
    /// e^x for x ≤ 0, with gradual underflow to +0; NaN stays NaN. Positive arguments are outside its contract (callers
    /// subtract the maximum first). XNNPACK's rr1-lut16-p3 recipe: n = round(16·x·log2 e)/16, t = x − n·ln 2 (one
    /// constant), e^x = 2^(n − ⌊n⌋)·(1 + t + t²/2 + t³/6)·2^⌊n⌋, the first factor from a table of 16 (<c>vpermps</c>),
    /// the last by <c>vscalefps</c>, which floors n itself. Within 1.1 ulp + |x|/25 ulp (docs/accuracy.md): ln 2 as one
    /// float is 1.9·10⁻⁹ off, an error that grows with n — the exact e^x̃ of an x̃ within 0.05 ulp of x, a tenth of
    /// the rounding any float argument carries. Two fewer multiply-adds than the rr2-p5 recipe of the narrower widths.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        // Clamp at −104 (e^−104 rounds to +0) so −inf gives 0, not NaN; the x86 max returns its second operand on NaN, so NaN stays.
        x = Max(Vector512.Create(-104f), x);

        // z carries 16·n in its low mantissa bits: the last four pick 2^(j/16), the rest is n once the bias is gone.
        Vector512<float> z = MultiplyAdd(x, Vector512.Create(Log2EFloat), Vector512.Create(ExpTableMagicBiasFloat));
        Vector512<float> power = Avx512F.PermuteVar16x32(PowersOfTwoSixteenths, z.AsInt32());
        Vector512<float> n = z - Vector512.Create(ExpTableMagicBiasFloat);
        Vector512<float> t = MultiplyAdd(n, Vector512.Create(-Ln2Float), x);

        // q = e^t − 1 = t + t²/2 + t³/6; power·(1 + q), then ·2^⌊n⌋ (vscalefps floors n, including into the subnormals).
        Vector512<float> q = MultiplyAdd(Vector512.Create(ExpTableC3Float), t, Vector512.Create(ExpTableC2Float)) * t;
        q = MultiplyAdd(q, t, t);
        return Avx512F.Scale(MultiplyAdd(q, power, power), n);
    }

    // 2^(j/16) for j = 0 … 15, rounded to float: the table of ExpNonPositive (a constant the JIT keeps in a register).
    private static Vector512<float> PowersOfTwoSixteenths
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create(
            1.0f, 1.04427373f, 1.09050775f, 1.13878858f, 1.18920708f, 1.24185777f, 1.29683959f, 1.35425556f,
            1.41421354f, 1.47682619f, 1.54221082f, 1.61049032f, 1.68179286f, 1.75625217f, 1.83400810f, 1.91520655f);
    }

    /// <inheritdoc cref="ExpNonPositive(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpNonPositive(Vector512<double> x)
    {
        x = Max(Vector512.Create(-746.0), x);
        Vector512<double> n = MultiplyAdd(x, Vector512.Create(Log2EDouble), Vector512.Create(RoundMagicBiasDouble)) - Vector512.Create(RoundMagicBiasDouble);
        Vector512<double> t = MultiplyAdd(n, Vector512.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector512.Create(-Ln2LoDouble), t);
        return Avx512F.Scale(MultiplyAdd(t, DoubleExpPolynomial(t), Vector512<double>.One), n);
    }

    /// <summary>
    /// e^x as a pair: returns m ∈ [0.7, 1.42] and sets <paramref name="exponent"/> = n, with e^x = m·2ⁿ.
    /// Any finite x is accepted (inputs are clamped to ±<see cref="MathConstants.ExtendedClampFloat"/>). The two-pass softmax's word.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpExtended(Vector512<float> x, out Vector512<float> exponent)
    {
        // Clamp keeps NaN: the x86 min/max return their second operand when a lane is NaN.
        x = Max(Vector512.Create(-ExtendedClampFloat), Min(Vector512.Create(ExtendedClampFloat), x));
        Vector512<float> n = MultiplyAdd(x, Vector512.Create(Log2EFloat), Vector512.Create(RoundMagicBiasFloat)) - Vector512.Create(RoundMagicBiasFloat);
        Vector512<float> t = MultiplyAdd(n, Vector512.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector512.Create(-Ln2LoFloat), t);
        exponent = n;
        return FloatExpPolynomial(t);
    }

    /// <summary>
    /// e^(x + low) as a pair (see <see cref="ExpExtended(Vector512{float}, out Vector512{float})"/>), where
    /// <paramref name="low"/> is the small rounding error of a product computed by <see cref="MultiplyExtended(Vector512{float}, float, float, out Vector512{float})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpExtended(Vector512<float> x, Vector512<float> low, out Vector512<float> exponent)
    {
        x = Max(Vector512.Create(-ExtendedClampFloat), Min(Vector512.Create(ExtendedClampFloat), x));
        Vector512<float> n = MultiplyAdd(x, Vector512.Create(Log2EFloat), Vector512.Create(RoundMagicBiasFloat)) - Vector512.Create(RoundMagicBiasFloat);
        Vector512<float> t = MultiplyAdd(n, Vector512.Create(-Ln2HiFloat), x);
        t = MultiplyAdd(n, Vector512.Create(-Ln2LoFloat), t) + low;
        exponent = n;
        return FloatExpPolynomial(t);
    }

    /// <inheritdoc cref="ExpExtended(Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpExtended(Vector512<double> x, out Vector512<double> exponent)
    {
        x = Max(Vector512.Create(-ExtendedClampDouble), Min(Vector512.Create(ExtendedClampDouble), x));
        Vector512<double> n = MultiplyAdd(x, Vector512.Create(Log2EDouble), Vector512.Create(RoundMagicBiasDouble)) - Vector512.Create(RoundMagicBiasDouble);
        Vector512<double> t = MultiplyAdd(n, Vector512.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector512.Create(-Ln2LoDouble), t);
        exponent = n;
        return MultiplyAdd(t, DoubleExpPolynomial(t), Vector512<double>.One);
    }

    /// <inheritdoc cref="ExpExtended(Vector512{float}, Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> ExpExtended(Vector512<double> x, Vector512<double> low, out Vector512<double> exponent)
    {
        x = Max(Vector512.Create(-ExtendedClampDouble), Min(Vector512.Create(ExtendedClampDouble), x));
        Vector512<double> n = MultiplyAdd(x, Vector512.Create(Log2EDouble), Vector512.Create(RoundMagicBiasDouble)) - Vector512.Create(RoundMagicBiasDouble);
        Vector512<double> t = MultiplyAdd(n, Vector512.Create(-Ln2HiDouble), x);
        t = MultiplyAdd(n, Vector512.Create(-Ln2LoDouble), t) + low;
        exponent = n;
        return MultiplyAdd(t, DoubleExpPolynomial(t), Vector512<double>.One);
    }

    /// <summary>
    /// x·(high + low) as high and low parts: returns the rounded product and sets <paramref name="low"/>
    /// to its error plus x·low, so a temperature 1/T that is not a float costs no accuracy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyExtended(Vector512<float> x, float high, float lowPart, out Vector512<float> low)
    {
        Vector512<float> product = x * Vector512.Create(high);
        low = MultiplyAdd(x, Vector512.Create(high), -product) + x * Vector512.Create(lowPart);

        // For ±inf, NaN and products beyond the exact range the low part would be NaN or meaningless: drop it.
        low = Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(product), Vector512.Create(ExtendedClampFloat)), low, Vector512<float>.Zero);
        return product;
    }

    /// <inheritdoc cref="MultiplyExtended(Vector512{float}, float, float, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> MultiplyExtended(Vector512<double> x, double high, double lowPart, out Vector512<double> low)
    {
        Vector512<double> product = x * Vector512.Create(high);
        low = MultiplyAdd(x, Vector512.Create(high), -product) + x * Vector512.Create(lowPart);

        // For ±inf, NaN and products beyond the exact range the low part would be NaN or meaningless: drop it.
        low = Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(product), Vector512.Create(ExtendedClampDouble)), low, Vector512<double>.Zero);
        return product;
    }

    /// <summary>Adds (M_b, N_b) into the extended sum (M_a, N_a): N = max, each mantissa rescaled to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExtended(ref Vector512<float> mantissa, ref Vector512<float> exponent, Vector512<float> addMantissa, Vector512<float> addExponent)
    {
        Vector512<float> newExponent = Max(exponent, addExponent);
        mantissa = ScaleByPowerOfTwo(mantissa, exponent - newExponent) + ScaleByPowerOfTwo(addMantissa, addExponent - newExponent);
        exponent = newExponent;
    }

    /// <inheritdoc cref="AccumulateExtended(ref Vector512{float}, ref Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateExtended(ref Vector512<double> mantissa, ref Vector512<double> exponent, Vector512<double> addMantissa, Vector512<double> addExponent)
    {
        Vector512<double> newExponent = Max(exponent, addExponent);
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
    public static float MeanOfLanes(Vector512<float> value, nint count) => Vector512.Sum(value * Vector512.Create(1f / count));

    /// <summary>The mean of the first <paramref name="count"/> lanes of <paramref name="value"/> (the others zero), as the float overload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MeanOfLanes(Vector512<double> value, nint count) => Vector512.Sum(value * Vector512.Create(1.0 / count));

    /// <summary>
    /// The sum of the float lanes of <paramref name="value"/> in double: each lane widened (exactly), the two halves
    /// added, then the lanes. For a row kept in registers, whose sum is one vector: the same rounding as
    /// <see cref="AddWidened(ref Vector512{double}, ref Vector512{double}, Vector512{float})"/> into zeroed accumulators
    /// followed by <see cref="SumWidened(Vector512{double}, Vector512{double})"/> up to the order of the double additions,
    /// in fewer instructions (no compensation lanes, so no infinity test to keep ∞ − ∞ out).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector512<float> value)
    {
        (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(value);
        return Vector512.Sum(lower + upper);
    }

    /// <summary>Adds float lanes into double accumulators (the low and high halves), so long rows do not drift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(ref Vector512<double> low, ref Vector512<double> high, Vector512<float> value)
    {
        (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(value);
        low += lower;
        high += upper;
    }

    /// <summary>
    /// Adds double lanes into a compensated accumulator: <paramref name="low"/> holds the sums and
    /// <paramref name="high"/> the rounding errors (Knuth's TwoSum), so long double rows do not drift either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(ref Vector512<double> low, ref Vector512<double> high, Vector512<double> value)
    {
        Vector512<double> sum = low + value;
        Vector512<double> virtualValue = sum - low;
        high += (low - (sum - virtualValue)) + (value - virtualValue);
        low = sum;
    }

    /// <summary>Multiplies the double accumulators by float lane factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleWidened(ref Vector512<double> low, ref Vector512<double> high, Vector512<float> factor)
    {
        (Vector512<double> lower, Vector512<double> upper) = Vector512.Widen(factor);
        low *= lower;
        high *= upper;
    }

    /// <summary>Multiplies the compensated double accumulator (sums and errors) by double lane factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleWidened(ref Vector512<double> low, ref Vector512<double> high, Vector512<double> factor)
    {
        low *= factor;
        high *= factor;
    }

    /// <summary>The sum of every lane of the two accumulators (for double kernels: the sums plus their compensations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector512<double> low, Vector512<double> high)
    {
        // An infinite term makes a compensation lane ∞ − ∞ = NaN: then the sums alone are the answer.
        double sum = Vector512.Sum(low);
        return double.IsFinite(sum) ? sum + Vector512.Sum(high) : sum;
    }

    /// <summary>
    /// The sum of every lane of the two accumulators as a double-double: the rounded total, returned, and
    /// <paramref name="error"/>, what it misses. For a row mean that must be exact beyond a double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector512<double> low, Vector512<double> high, out double error)
    {
        CompensatedSum total = default;
        for (int i = 0; i < Vector512<double>.Count; i++)
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
    public static float ReduceExtended(Vector512<double> low, Vector512<double> high, Vector512<float> exponent, out double mantissa)
    {
        float largest = HorizontalMax(exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector512<float>.One, exponent - Vector512.Create(largest)));
        mantissa = SumWidened(low, high);
        return largest;
    }

    /// <inheritdoc cref="ReduceExtended(Vector512{double}, Vector512{double}, Vector512{float}, out double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ReduceExtended(Vector512<double> low, Vector512<double> high, Vector512<double> exponent, out double mantissa)
    {
        double largest = HorizontalMax(exponent);
        Vector512<double> scale = ScaleByPowerOfTwo(Vector512<double>.One, exponent - Vector512.Create(largest));
        mantissa = Vector512.Sum(low * scale) + Vector512.Sum(high * scale);
        return largest;
    }

    /// <summary>
    /// Moves a block's extended sum (mantissa lanes relative to exponent lanes) into the double accumulators,
    /// which are kept relative to <paramref name="wideExponent"/>; both are rescaled to the larger exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FlushExtended(ref Vector512<double> low, ref Vector512<double> high, ref Vector512<float> wideExponent, Vector512<float> mantissa, Vector512<float> exponent)
    {
        Vector512<float> newExponent = Max(wideExponent, exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector512<float>.One, wideExponent - newExponent));
        AddWidened(ref low, ref high, ScaleByPowerOfTwo(mantissa, exponent - newExponent));
        wideExponent = newExponent;
    }

    /// <inheritdoc cref="FlushExtended(ref Vector512{double}, ref Vector512{double}, ref Vector512{float}, Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FlushExtended(ref Vector512<double> low, ref Vector512<double> high, ref Vector512<double> wideExponent, Vector512<double> mantissa, Vector512<double> exponent)
    {
        Vector512<double> newExponent = Max(wideExponent, exponent);
        ScaleWidened(ref low, ref high, ScaleByPowerOfTwo(Vector512<double>.One, wideExponent - newExponent));
        AddWidened(ref low, ref high, ScaleByPowerOfTwo(mantissa, exponent - newExponent));
        wideExponent = newExponent;
    }

    /// <summary>
    /// tanh(x) lane-wise (≤ 4 ulp; docs/accuracy.md has the measured figure). |x| &lt; 0.625: Cephes' odd
    /// polynomial x + x³·P(x²), so tiny x gives x (no cancellation) and ±0 keeps its sign. Above: with u = e^{−2|x|} ≤ 0.29
    /// from <see cref="ExpNonPositive(Vector512{float})"/>, (1 − u)/(1 + u), which never forms ∞/∞: large |x| and ±∞ give u = 0, ±1
    /// exactly. The sign of x is put back on |tanh|; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> sign = x & Vector512.Create(-0f);
        Vector512<float> a = x ^ sign;
        Vector512<float> s = a * a;
        Vector512<float> p = MultiplyAdd(Vector512.Create(TanhC4Float), s, Vector512.Create(TanhC3Float));
        p = MultiplyAdd(p, s, Vector512.Create(TanhC2Float));
        p = MultiplyAdd(p, s, Vector512.Create(TanhC1Float));
        p = MultiplyAdd(p, s, Vector512.Create(TanhC0Float));
        Vector512<float> small = MultiplyAdd(p * s, a, a);

        Vector512<float> u = ExpNonPositive(a * Vector512.Create(-2f));
        Vector512<float> large = Vector512<float>.One - ((u + u) / (Vector512<float>.One + u));

        // A NaN lane compares false and takes the large branch, where it stays NaN.
        return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhSmallLimitFloat)), small, large) | sign;
    }

    /// <summary>
    /// tanh(x) lane-wise, as <see cref="Tanh(Vector512{float})"/> does it, with Cephes' rational x + x·s·P(s)/Q(s), s = x², below 0.625
    /// (relative error ≈ 2⁻⁵⁴ there) and the double <see cref="ExpNonPositive(Vector512{double})"/> above.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Tanh(Vector512<double> x)
    {
        Vector512<double> sign = x & Vector512.Create(-0.0);
        Vector512<double> a = x ^ sign;
        Vector512<double> s = a * a;
        Vector512<double> p = MultiplyAdd(MultiplyAdd(Vector512.Create(TanhP0Double), s, Vector512.Create(TanhP1Double)), s, Vector512.Create(TanhP2Double));
        Vector512<double> q = MultiplyAdd(MultiplyAdd(s + Vector512.Create(TanhQ0Double), s, Vector512.Create(TanhQ1Double)), s, Vector512.Create(TanhQ2Double));
        Vector512<double> small = MultiplyAdd(s * (p / q), a, a);

        Vector512<double> u = ExpNonPositive(a * Vector512.Create(-2.0));
        Vector512<double> large = Vector512<double>.One - ((u + u) / (Vector512<double>.One + u));
        return Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhSmallLimitDouble)), small, large) | sign;
    }

    /// <summary>
    /// log(1 + t) lane-wise for t ≥ 0 (≤ 2 ulp; docs/accuracy.md has the measured figure), fdlibm's log1p recipe:
    /// u = 1 + t rounded, u = m·2^k with m ∈ [√½, √2), log m = f − f²/2 + s·(f²/2 + R(s²)) with f = m − 1,
    /// s = f/(2 + f) and R the series 2s²/3 + 2s⁴/5 + …, plus the rounding of 1 + t put back as c = (t − (u − 1))/u.
    /// Tiny t give t itself; +∞ gives +∞; NaN stays NaN. Negative t are outside its contract (the callers pass |x| or e^{−|x|}).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log1p(Vector512<float> t)
    {
        Vector512<float> u = Vector512<float>.One + t;

        // Shift the exponent field so that the mantissa lands in [√½, √2): k = ⌊log2(u·√2)⌋, m = u/2^k.
        Vector512<int> bits = u.AsInt32() + Vector512.Create(Log1pExponentShiftFloat);
        Vector512<float> k = Vector512.ConvertToSingle(Vector512.ShiftRightLogical(bits, 23) - Vector512.Create(127));
        Vector512<float> m = ((bits & Vector512.Create(0x007fffff)) + Vector512.Create(Log1pSqrtHalfBitsFloat)).AsSingle();
        Vector512<float> f = m - Vector512<float>.One;
        Vector512<float> c = (t - (u - Vector512<float>.One)) / u;

        Vector512<float> s = f / (Vector512.Create(2f) + f);
        Vector512<float> z = s * s;
        Vector512<float> r = MultiplyAdd(Vector512.Create(Log1pC4Float), z, Vector512.Create(Log1pC3Float));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pC2Float));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pC1Float));
        r *= z;
        Vector512<float> halfSquare = Vector512.Create(0.5f) * f * f;
        Vector512<float> low = MultiplyAdd(k, Vector512.Create(Ln2LoFloat), c);
        Vector512<float> result = MultiplyAdd(k, Vector512.Create(Ln2HiFloat), f - (halfSquare - MultiplyAdd(s, halfSquare + r, low)));

        // +∞ (where u − 1 = ∞ makes c NaN) and NaN lanes give t itself.
        return Vector512.ConditionalSelect(Vector512.LessThan(t, Vector512.Create(float.PositiveInfinity)), result, t);
    }

    /// <summary>log(1 + t) lane-wise for t ≥ 0, as <see cref="Log1p(Vector512{float})"/> does it, with ten terms of the series (≤ 2 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log1p(Vector512<double> t)
    {
        Vector512<double> u = Vector512<double>.One + t;
        Vector512<long> bits = u.AsInt64() + Vector512.Create(Log1pExponentShiftDouble);

        // k as a double without a 64-bit integer conversion: put the small integer under the exponent of 2^52.
        Vector512<double> k = (Vector512.ShiftRightLogical(bits, 52) | Vector512.Create(0x4330000000000000L)).AsDouble() - Vector512.Create(4503599627371519.0);
        Vector512<double> m = ((bits & Vector512.Create(0x000fffffffffffffL)) + Vector512.Create(Log1pSqrtHalfBitsDouble)).AsDouble();
        Vector512<double> f = m - Vector512<double>.One;
        Vector512<double> c = (t - (u - Vector512<double>.One)) / u;

        Vector512<double> s = f / (Vector512.Create(2.0) + f);
        Vector512<double> z = s * s;
        Vector512<double> r = MultiplyAdd(Vector512.Create(Log1pSeries10), z, Vector512.Create(Log1pSeries9));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries8));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries7));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries6));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries5));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries4));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries3));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries2));
        r = MultiplyAdd(r, z, Vector512.Create(Log1pSeries1));
        r *= z;
        Vector512<double> halfSquare = Vector512.Create(0.5) * f * f;
        Vector512<double> low = MultiplyAdd(k, Vector512.Create(Ln2LoDouble), c);
        Vector512<double> result = MultiplyAdd(k, Vector512.Create(Ln2HiDouble), f - (halfSquare - MultiplyAdd(s, halfSquare + r, low)));
        return Vector512.ConditionalSelect(Vector512.LessThan(t, Vector512.Create(double.PositiveInfinity)), result, t);
    }

    /// <summary>
    /// The logistic sigmoid σ(x) = 1/(1 + e^{−x}) lane-wise (≤ 4 ulp; docs/accuracy.md). With u = e^{−|x|} ≤ 1 from
    /// <see cref="ExpNonPositive(Vector512{float})"/>: 1/(1 + u) for x ≥ 0 and u/(1 + u) for x &lt; 0, so no exp overflows and
    /// the small side keeps its relative accuracy (flushed to 0 only where e^{x} is below the smallest normal float).
    /// σ(+∞) = 1, σ(−∞) = 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x)
    {
        Vector512<float> u = ExpNonPositive(x | Vector512.Create(-0f));
        Vector512<float> r = Vector512<float>.One / (Vector512<float>.One + u);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), u * r, r);
    }

    /// <inheritdoc cref="Sigmoid(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Sigmoid(Vector512<double> x)
    {
        Vector512<double> u = ExpNonPositive(x | Vector512.Create(-0.0));
        Vector512<double> r = Vector512<double>.One / (Vector512<double>.One + u);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<double>.Zero), u * r, r);
    }

    /// <summary>
    /// softplus(x) = log(1 + e^x) lane-wise, as max(x, 0) + log1p(e^{−|x|}) (<see cref="Log1p(Vector512{float})"/> of
    /// <see cref="ExpNonPositive(Vector512{float})"/>; ≤ 4 ulp, docs/accuracy.md): no exp overflows, large x give x, very
    /// negative x give e^x with its relative accuracy. softplus(+∞) = +∞, softplus(−∞) = 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Softplus(Vector512<float> x) =>
        Max(x, Vector512<float>.Zero) + Log1p(ExpNonPositive(x | Vector512.Create(-0f)));

    /// <inheritdoc cref="Softplus(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Softplus(Vector512<double> x) =>
        Max(x, Vector512<double>.Zero) + Log1p(ExpNonPositive(x | Vector512.Create(-0.0)));

    /// <summary>A mask for a row's tail: the first <paramref name="count"/> (&lt; one vector) lanes all ones, the others zero (AND a value with it to zero the lanes past the row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> TailMask<T>(nint count)
        where T : unmanaged
    {
        Vector512<T> ones = Vector512<T>.AllBitsSet;
        return LoadTail(ref Unsafe.As<Vector512<T>, T>(ref ones), count, default(T));
    }

    /// <summary>Loads the last <paramref name="count"/> (&lt; one vector) elements; the other lanes hold <paramref name="fill"/>. Reads nothing past the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadTail<T>(ref T source, nint count, T fill)
        where T : unmanaged
    {
        Vector512<T> value = Vector512.Create(fill);
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<Vector512<T>, byte>(ref value), ref Unsafe.As<T, byte>(ref source), (uint)(count * Unsafe.SizeOf<T>()));
        return value;
    }

    /// <summary>Stores the first <paramref name="count"/> (&lt; one vector) lanes; writes nothing past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTail<T>(ref T destination, nint count, Vector512<T> value)
        where T : unmanaged
    {
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref destination), ref Unsafe.As<Vector512<T>, byte>(ref value), (uint)(count * Unsafe.SizeOf<T>()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FloatExpPolynomial(Vector512<float> t)
    {
        Vector512<float> p = MultiplyAdd(Vector512.Create(ExpC5Float), t, Vector512.Create(ExpC4Float));
        p = MultiplyAdd(p, t, Vector512.Create(ExpC3Float));
        p = MultiplyAdd(p, t, Vector512.Create(ExpC2Float));
        p = MultiplyAdd(p, t, Vector512.Create(ExpC1Float));
        return MultiplyAdd(p, t, Vector512<float>.One);
    }

    // (e^t − 1)/t as the Taylor polynomial 1 + t/2! + … + t¹²/13!.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> DoubleExpPolynomial(Vector512<double> t)
    {
        Vector512<double> p = MultiplyAdd(Vector512.Create(InverseFactorial13), t, Vector512.Create(InverseFactorial12));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial11));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial10));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial9));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial8));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial7));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial6));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial5));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial4));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial3));
        p = MultiplyAdd(p, t, Vector512.Create(InverseFactorial2));
        return MultiplyAdd(p, t, Vector512<double>.One);
    }
}
