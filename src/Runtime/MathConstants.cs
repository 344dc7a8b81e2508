namespace KernelGen.Runtime;

/// <summary>
/// The constants of the exp recipes the vector words use. Float, 256 and 128 bits: XNNPACK's rr2-p5 recipe
/// (Cody–Waite two-constant range reduction, degree-5 minimax polynomial on [−ln2/2, ln2/2],
/// ≤ 2 ulp over [−87.33, 0]); float, 512 bits: a 16-entry table of 2^(j/16), one-constant reduction and
/// a degree-3 polynomial on [−ln2/32, ln2/32] (XNNPACK's rr1-lut16-p3; docs/accuracy.md). Double: Cody–Waite with fdlibm's ln2 split
/// and the degree-13 Taylor polynomial (truncation below 2⁻⁵⁸ relative on the reduced range).
/// The tanh constants are Cephes' (Moshier): see <c>VectorMath512.Tanh</c>.
/// </summary>
public static class MathConstants
{
    /// <summary>log2(e) rounded to float (0x1.715476p+0).</summary>
    public const float Log2EFloat = 1.44269502f;

    /// <summary>1.5·2²³ + 127 (0x1.8000FEp23): adding it rounds to an integer and leaves k + 127 in the low mantissa bits.</summary>
    public const float ExpMagicBiasFloat = 12583039f;

    /// <summary>1.5·2²³ (0x1.8p23): adding it rounds to the nearest integer for |v| &lt; 2²².</summary>
    public const float RoundMagicBiasFloat = 12582912f;

    /// <summary>The high part of ln 2 (0x1.62E400p-1); its trailing zero bits make n·ln2_hi exact for |n| ≤ 2⁸.</summary>
    public const float Ln2HiFloat = 0.693145752f;

    /// <summary>The low part of ln 2 (0x1.7F7D1Cp-20).</summary>
    public const float Ln2LoFloat = 1.42860677e-06f;

    /// <summary>Polynomial coefficient c5 (0x1.0F9F9Cp-7).</summary>
    public const float ExpC5Float = 0.00828929059f;

    /// <summary>Polynomial coefficient c4 (0x1.573A1Ap-5).</summary>
    public const float ExpC4Float = 0.0418978222f;

    /// <summary>Polynomial coefficient c3 (0x1.555A80p-3).</summary>
    public const float ExpC3Float = 0.166676521f;

    /// <summary>Polynomial coefficient c2 (0x1.FFFDC6p-2).</summary>
    public const float ExpC2Float = 0.499991506f;

    /// <summary>Polynomial coefficient c1 (0x1.FFFFF6p-1).</summary>
    public const float ExpC1Float = 0.999999702f;

    /// <summary>
    /// 1.5·2¹⁹ (0x1.8p19): adding it to x·log2 e rounds to the nearest multiple of 1/16 for |x·log2 e| &lt; 2¹⁸ and leaves
    /// that multiple times 16 in the low mantissa bits, whose last four index the table of 2^(j/16) (the AVX-512 exp).
    /// </summary>
    public const float ExpTableMagicBiasFloat = 786432f;

    /// <summary>ln 2 rounded to float (0x1.62E430p-1), 1.9·10⁻⁹ above ln 2: the one-constant reduction of the AVX-512 exp.</summary>
    public const float Ln2Float = 0.693147182f;

    /// <summary>The table exp's polynomial coefficient of t² (e^t ≈ 1 + t + t²/2 + t³/6 on |t| ≤ ln2/32, truncation below 10⁻⁸ relative).</summary>
    public const float ExpTableC2Float = 0.5f;

    /// <summary>The table exp's polynomial coefficient of t³ (1/6 rounded to float).</summary>
    public const float ExpTableC3Float = 0.166666672f;

    /// <summary>ln(FLT_MIN) (−0x1.5D589Ep6 ≈ −87.3365): below it exp is flushed to +0.</summary>
    public const float ExpCutoffFloat = -87.3365402f;

    /// <summary>
    /// Inputs of the two-pass (extended exponent) exp are clamped to ±this, so that the magic-bias
    /// rounding stays exact (|x·log2 e| &lt; 2²²); rows whose maximum lies beyond
    /// <see cref="ExtendedValidFloat"/> are recomputed with the three-pass method.
    /// </summary>
    public const float ExtendedClampFloat = 2.5e6f;

    /// <summary>The largest |row maximum exponent| for which the two-pass result is exact; see <see cref="ExtendedClampFloat"/>.</summary>
    public const float ExtendedValidFloat = 3.0e6f;

    /// <summary>The starting exponent of an empty extended sum (below every clamped exponent).</summary>
    public const float ExtendedEmptyFloat = -8388608f;

    /// <summary>log2(e) as a double.</summary>
    public const double Log2EDouble = 1.4426950408889634;

    /// <summary>1.5·2⁵² + 1023: adding it rounds to an integer and leaves k + 1023 in the low mantissa bits.</summary>
    public const double ExpMagicBiasDouble = 6755399441056767.0;

    /// <summary>1.5·2⁵²: adding it rounds to the nearest integer for |v| &lt; 2⁵¹.</summary>
    public const double RoundMagicBiasDouble = 6755399441055744.0;

    /// <summary>fdlibm's high part of ln 2 (32 significant bits).</summary>
    public const double Ln2HiDouble = 6.93147180369123816490e-01;

    /// <summary>fdlibm's low part of ln 2.</summary>
    public const double Ln2LoDouble = 1.90821492927058770002e-10;

    /// <summary>ln(DBL_MIN): below it exp is flushed to +0.</summary>
    public const double ExpCutoffDouble = -708.3964185322641;

    /// <summary>Clamp of the two-pass exp's inputs for double (|x·log2 e| &lt; 2⁵¹).</summary>
    public const double ExtendedClampDouble = 1e12;

    /// <summary>The largest |row maximum exponent| for which the double two-pass result is exact.</summary>
    public const double ExtendedValidDouble = 1.2e12;

    /// <summary>The starting exponent of an empty extended sum for double.</summary>
    public const double ExtendedEmptyDouble = -4.5e15;

    /// <summary>Below this |x| the tanh is an odd polynomial (float) or rational (double) in x; at and above it, (1 − e^{−2|x|})/(1 + e^{−2|x|}). Cephes' split point.</summary>
    public const float TanhSmallLimitFloat = 0.625f;

    /// <inheritdoc cref="TanhSmallLimitFloat"/>
    public const double TanhSmallLimitDouble = 0.625;

    /// <summary>Cephes tanhf: tanh(x) ≈ x + x³·(c0 + c1·x² + c2·x⁴ + c3·x⁶ + c4·x⁸) for |x| &lt; 0.625 (minimax, relative error ≈ 2⁻²⁴); c0.</summary>
    public const float TanhC0Float = -3.33332819422e-1f;

    /// <summary>See <see cref="TanhC0Float"/>; c1.</summary>
    public const float TanhC1Float = 1.33314422036e-1f;

    /// <summary>See <see cref="TanhC0Float"/>; c2.</summary>
    public const float TanhC2Float = -5.37397155531e-2f;

    /// <summary>See <see cref="TanhC0Float"/>; c3.</summary>
    public const float TanhC3Float = 2.06390887954e-2f;

    /// <summary>See <see cref="TanhC0Float"/>; c4.</summary>
    public const float TanhC4Float = -5.70498872745e-3f;

    /// <summary>Cephes tanh: tanh(x) ≈ x + x·s·P(s)/Q(s), s = x², for |x| &lt; 0.625, with P(s) = (p0·s + p1)·s + p2 and Q(s) = ((s + q0)·s + q1)·s + q2; p0.</summary>
    public const double TanhP0Double = -9.64399179425052238628e-1;

    /// <summary>See <see cref="TanhP0Double"/>; p1.</summary>
    public const double TanhP1Double = -9.92877231001918586564e1;

    /// <summary>See <see cref="TanhP0Double"/>; p2.</summary>
    public const double TanhP2Double = -1.61468768441708447952e3;

    /// <summary>See <see cref="TanhP0Double"/>; q0.</summary>
    public const double TanhQ0Double = 1.12811678491632931402e2;

    /// <summary>See <see cref="TanhP0Double"/>; q1.</summary>
    public const double TanhQ1Double = 2.23548839060100448583e3;

    /// <summary>See <see cref="TanhP0Double"/>; q2.</summary>
    public const double TanhQ2Double = 4.84406305325125486048e3;

    /// <summary>1/k! for k = 2..13, the Taylor coefficients of the double exp.</summary>
    internal const double InverseFactorial2 = 1.0 / 2;
    internal const double InverseFactorial3 = 1.0 / 6;
    internal const double InverseFactorial4 = 1.0 / 24;
    internal const double InverseFactorial5 = 1.0 / 120;
    internal const double InverseFactorial6 = 1.0 / 720;
    internal const double InverseFactorial7 = 1.0 / 5040;
    internal const double InverseFactorial8 = 1.0 / 40320;
    internal const double InverseFactorial9 = 1.0 / 362880;
    internal const double InverseFactorial10 = 1.0 / 3628800;
    internal const double InverseFactorial11 = 1.0 / 39916800;
    internal const double InverseFactorial12 = 1.0 / 479001600;
    internal const double InverseFactorial13 = 1.0 / 6227020800;
    /// <summary>0x3f800000 − 0x3f3504f3: added to the bits of u so that the exponent field of the sum is ⌊log2(u·√2)⌋ + 127 (the float log1p).</summary>
    public const int Log1pExponentShiftFloat = 0x3f800000 - 0x3f3504f3;

    /// <summary>The bits of √½ as a float: the mantissa field plus these bits is m ∈ [√½, √2).</summary>
    public const int Log1pSqrtHalfBitsFloat = 0x3f3504f3;

    /// <summary>0x3ff0000000000000 − 0x3fe6a09e667f3bcd: the double counterpart of <see cref="Log1pExponentShiftFloat"/>.</summary>
    public const long Log1pExponentShiftDouble = 0x3ff0000000000000L - 0x3fe6a09e667f3bcdL;

    /// <summary>The bits of √½ as a double.</summary>
    public const long Log1pSqrtHalfBitsDouble = 0x3fe6a09e667f3bcdL;

    /// <summary>2/3, 2/5, 2/7, 2/9: the series of the float log1p, log(1+f) = f − f²/2 + s·(f²/2 + Σ c_k s^{2k}), s = f/(2+f), |s| ≤ 0.172.</summary>
    public const float Log1pC1Float = 2f / 3;

    /// <summary>See <see cref="Log1pC1Float"/>.</summary>
    public const float Log1pC2Float = 2f / 5;

    /// <summary>See <see cref="Log1pC1Float"/>.</summary>
    public const float Log1pC3Float = 2f / 7;

    /// <summary>See <see cref="Log1pC1Float"/>.</summary>
    public const float Log1pC4Float = 2f / 9;

    /// <summary>2/(2k + 1) for k = 1..10, the series of the double log1p (the first left out, 2s²²/23, is below 2⁻⁶⁰ of the result).</summary>
    internal const double Log1pSeries1 = 2.0 / 3;
    internal const double Log1pSeries2 = 2.0 / 5;
    internal const double Log1pSeries3 = 2.0 / 7;
    internal const double Log1pSeries4 = 2.0 / 9;
    internal const double Log1pSeries5 = 2.0 / 11;
    internal const double Log1pSeries6 = 2.0 / 13;
    internal const double Log1pSeries7 = 2.0 / 15;
    internal const double Log1pSeries8 = 2.0 / 17;
    internal const double Log1pSeries9 = 2.0 / 19;
    internal const double Log1pSeries10 = 2.0 / 21;
}
