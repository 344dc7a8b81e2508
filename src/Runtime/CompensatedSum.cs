using System.Runtime.CompilerServices;

namespace KernelGen.Runtime;

/// <summary>
/// Scalar compensated (Neumaier) summation: the exact sum of the terms added so far is
/// <see cref="Sum"/> + <see cref="Error"/> up to a rounding of the error term. Used once per row to
/// fold vector accumulators into a double-double total, where a row's mean must be known to
/// better than a double (a row of doubles with mean 1e4 and variance 1 loses 12 digits otherwise).
/// </summary>
public struct CompensatedSum
{
    /// <summary>The rounded running sum.</summary>
    public double Sum;

    /// <summary>The accumulated rounding errors of <see cref="Sum"/>.</summary>
    public double Error;

    /// <summary>Adds <paramref name="value"/> (Neumaier's variant of Kahan's summation: any order of magnitudes).</summary>
    /// <param name="value">The term to add.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double value)
    {
        double next = this.Sum + value;
        this.Error += System.Math.Abs(this.Sum) >= System.Math.Abs(value) ? (this.Sum - next) + value : (value - next) + this.Sum;
        this.Sum = next;
    }

    /// <summary>
    /// The total as a normalized pair: <c>high</c> = the rounded total, returned; <paramref name="low"/> = what it misses.
    /// A sum that is infinite or NaN is returned as it is, with <paramref name="low"/> = 0.
    /// </summary>
    /// <param name="low">The rounding error of the returned high part.</param>
    /// <returns>The total rounded to a double.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly double Total(out double low)
    {
        if (!double.IsFinite(this.Sum))
        {
            // An infinite term (or an overflow) makes the error term ∞ − ∞ = NaN: the sum itself is the answer.
            low = 0;
            return this.Sum;
        }

        double high = this.Sum + this.Error;
        low = this.Error - (high - this.Sum);
        return high;
    }
}
