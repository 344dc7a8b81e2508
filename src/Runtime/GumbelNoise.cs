using System.Runtime.CompilerServices;

namespace KernelGen.Runtime;

/// <summary>
/// The noise of <c>[GumbelSoftmax]</c>: a counter-based generator (the value at an index depends on the seed and the
/// index alone, not on the order of the calls) and the Gumbel transform g = −log(−log U). Every path of a seeded
/// kernel and its <c>Reference</c> call these same scalar methods, so they all see the same noise, bit for bit.
/// </summary>
/// <remarks>
/// <see cref="Hash"/>(seed, i) is the (i + 1)-th output of splitmix64 (Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", 2014) started from the state <c>seed</c>: the state after i + 1 steps is
/// seed + (i + 1)·0x9E3779B97F4A7C15, and the output is that state through the splitmix64 finalizer. The uniform
/// sample takes the top <c>bits</c> bits k of it and returns (k + 0.5)·2^−bits: never 0 or 1, so the noise is finite.
/// </remarks>
public static class GumbelNoise
{
    /// <summary>The splitmix64 increment (2⁶⁴ divided by the golden ratio, odd).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The (<paramref name="index"/> + 1)-th output of splitmix64 started from the state <paramref name="seed"/>.</summary>
    /// <param name="seed">The generator's seed (its initial state).</param>
    /// <param name="index">The element's index in the whole span (row · row length + column), from 0.</param>
    /// <returns>64 pseudo-random bits.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ulong seed, long index)
    {
        ulong z = unchecked(seed + (((ulong)index + 1) * Gamma));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>The uniform sample of a float kernel: (k + 0.5)·2⁻²⁴ with k the top 24 bits of <see cref="Hash"/>; in (0, 1), exact in double.</summary>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="index">The element's index in the whole span.</param>
    /// <returns>U in [2⁻²⁵, 1 − 2⁻²⁵].</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform24(ulong seed, long index) => ((Hash(seed, index) >> 40) + 0.5) * (1.0 / 16777216.0);

    /// <summary>The uniform sample of a double kernel: (k + 0.5)·2⁻⁵² with k the top 52 bits of <see cref="Hash"/>; in (0, 1), exact in double (with 53 bits, k + 0.5 would need 54 and the top sample would round to 1).</summary>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="index">The element's index in the whole span.</param>
    /// <returns>U in [2⁻⁵³, 1 − 2⁻⁵³].</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform52(ulong seed, long index) => ((Hash(seed, index) >> 12) + 0.5) * (1.0 / 4503599627370496.0);

    /// <summary>
    /// The Gumbel transform g = −log(−log U), in double. U in (0, 1) gives a finite g; U = 0 gives −∞, U = 1 gives +∞,
    /// U outside [0, 1] or NaN gives NaN.
    /// </summary>
    /// <param name="uniform">U.</param>
    /// <returns>g, a standard Gumbel sample when U is uniform on (0, 1).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double FromUniform(double uniform) => -System.Math.Log(-System.Math.Log(uniform));

    /// <summary>The Gumbel noise of element <paramref name="index"/> of a seeded float kernel: <see cref="FromUniform"/>(<see cref="Uniform24"/>).</summary>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="index">The element's index in the whole span.</param>
    /// <returns>g, finite: within [−2.86, 17.33].</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sample24(ulong seed, long index) => FromUniform(Uniform24(seed, index));

    /// <summary>The Gumbel noise of element <paramref name="index"/> of a seeded double kernel: <see cref="FromUniform"/>(<see cref="Uniform52"/>).</summary>
    /// <param name="seed">The generator's seed.</param>
    /// <param name="index">The element's index in the whole span.</param>
    /// <returns>g, finite: within [−3.60, 36.74].</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sample52(ulong seed, long index) => FromUniform(Uniform52(seed, index));
}
