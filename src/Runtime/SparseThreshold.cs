using System;

namespace KernelGen.Runtime;

/// <summary>
/// The thresholds τ of the sparse maps of the softmax family ([Sparsemax], [Entmax15]), found exactly on a
/// row's candidates. The generated kernels find the row's maximum m and copy the candidates (the elements that
/// can be in the support) into a buffer of doubles, shifted by m, then call these methods: the search for τ is
/// scalar and shared by every path; the passes over the whole row (max, candidates, output) are the kernel's.
/// </summary>
/// <remarks>
/// Both work in coordinates relative to the maximum (z = x − m for sparsemax, u = (x − m)/2 for 1.5-entmax),
/// which the maps are invariant to: a row near 10³⁰ gives the same τ − m as the same row near 0. The sums are
/// compensated (Neumaier), so τ is exact up to a few roundings of a double whatever the number of candidates.
/// Each round of the iterations costs the current number of candidates and removes at least one; after
/// <see cref="MaximumRounds"/> rounds the rest is sorted, so the cost is O(k) expected and O(k log k) at worst.
/// </remarks>
public static class SparseThreshold
{
    /// <summary>The most candidates a generated kernel keeps on the stack (above, it rents an array from the shared pool).</summary>
    public const int StackCandidates = 256;

    /// <summary>Rounds of the iteration before the remaining candidates are sorted (the bound that makes the worst case O(k log k)).</summary>
    public const int MaximumRounds = 16;

    /// <summary>
    /// Sparsemax's threshold by Michelot's (1986) pivot algorithm: τ₀ = (Σ z − 1)/k over the candidates is a lower
    /// bound of τ; drop every z ≤ τ₀ (none of them is in the support) and repeat until nothing is dropped. Then
    /// Σ max(z − τ, 0) = 1 holds exactly for the last τ.
    /// </summary>
    /// <param name="z">The candidates x_i − m: every one ≥ −1, at least one equal to 0, and every element of the row
    /// greater than m − 1 among them. Reordered and overwritten.</param>
    /// <returns>τ − m: the output is y_i = max((x_i − m) − τ', 0).</returns>
    public static double Sparsemax(Span<double> z) => Sparsemax(z, MaximumRounds);

    /// <summary>
    /// <see cref="Sparsemax(Span{double})"/> with at most <paramref name="rounds"/> rounds of the iteration before the sort
    /// (0: the sort-based algorithm alone). The tests compare the two ways.
    /// </summary>
    /// <param name="z">The candidates, as for <see cref="Sparsemax(Span{double})"/>. Reordered and overwritten.</param>
    /// <param name="rounds">The most rounds of Michelot's iteration; 0 or more.</param>
    /// <returns>τ − m.</returns>
    public static double Sparsemax(Span<double> z, int rounds)
    {
        int count = z.Length;
        for (int round = 0; round < rounds; round++)
        {
            // Σ z ≤ 0, so τ ≤ −1/k < 0: the maximum (z = 0) is never dropped.
            double high = Sum(z.Slice(0, count), out double low);
            double tau = ((high - 1) + low) / count;
            int kept = Keep(z.Slice(0, count), tau);
            if (kept == count)
            {
                return tau;
            }

            count = kept;
        }

        return SparsemaxSorted(z.Slice(0, count));
    }

    /// <summary>
    /// 1.5-entmax's threshold: Newton steps on sqrt(F(τ)) = 1, F(τ) = Σ max(u − τ, 0)², from the lower bound τ = −1 (sqrt F is
    /// convex and decreasing, so every step stays below τ and drops only elements outside the support), each round first trying
    /// the closed form of Peters et al.'s Algorithm 2 on the current candidates, τ = mean − sqrt((1 − Σ(u − mean)²)/k),
    /// which is the answer when it lies below every candidate and above every dropped element.
    /// </summary>
    /// <param name="u">The candidates (x_i − m)/2: every one ≥ −1, at least one equal to 0, and every element of the row
    /// with (x_i − m)/2 greater than −1 among them. Reordered and overwritten.</param>
    /// <returns>τ − m/2: the output is y_i = max((x_i − m)/2 − τ', 0)².</returns>
    public static double Entmax15(Span<double> u) => Entmax15(u, MaximumRounds);

    /// <summary>
    /// <see cref="Entmax15(Span{double})"/> with at most <paramref name="rounds"/> rounds of the iteration before the sort
    /// (0: the paper's sort-based Algorithm 2 alone). The tests compare the two ways.
    /// </summary>
    /// <param name="u">The candidates, as for <see cref="Entmax15(Span{double})"/>. Reordered and overwritten.</param>
    /// <param name="rounds">The most rounds of the Newton iteration; 0 or more.</param>
    /// <returns>τ − m/2.</returns>
    public static double Entmax15(Span<double> u, int rounds)
    {
        int count = u.Length;
        double tau = -1;
        double dropped = double.NegativeInfinity;
        for (int round = 0; round < rounds; round++)
        {
            Span<double> set = u.Slice(0, count);
            (double mean, double squares, double minimum) = Moments(set);
            double closed = mean - Math.Sqrt(Math.Max((1 - squares) / count, 0));
            if (squares <= 1 && closed <= minimum && closed >= dropped)
            {
                return closed;
            }

            // Newton on H(τ) = sqrt(F(τ)) − 1 (convex and decreasing too, as the 2-norm of max(u − τ, 0), so the steps
            // stay below τ; and nearer to linear than F: one step from τ = −1 is exact for a single candidate, and on
            // dense rows each step cuts the distance by 3 where Newton on F cuts it by 1.5). With d = mean − τ > 0
            // (every candidate is ≥ τ): F = squares + k·d², H' = −k·d/sqrt(F).
            double d = mean - tau;
            double norm = Math.Sqrt(squares + (count * d * d));
            double next = tau + ((norm - 1) * norm / (count * d));
            if (!(next > tau))
            {
                break;
            }

            tau = next;
            int kept = 0;
            for (int j = 0; j < count; j++)
            {
                // Branch-free, as Keep, and remembering the largest element dropped.
                double v = set[j];
                set[kept] = v;
                bool keep = v > tau;
                kept += keep ? 1 : 0;
                dropped = Math.Max(dropped, keep ? double.NegativeInfinity : v);
            }

            count = kept;
        }

        return Entmax15Sorted(u.Slice(0, count));
    }

    // Moves the elements > tau to the front, in order; returns how many there are. Branch-free: on candidates
    // that straddle τ at random a branch would mispredict half the time.
    private static int Keep(Span<double> values, double tau)
    {
        int kept = 0;
        for (int j = 0; j < values.Length; j++)
        {
            double v = values[j];
            values[kept] = v;
            kept += v > tau ? 1 : 0;
        }

        return kept;
    }

    // The sum as high + low, with Knuth's branch-free TwoSum: exact up to a rounding of low, whatever the count.
    private static double Sum(ReadOnlySpan<double> values, out double low)
    {
        double high = 0;
        low = 0;
        for (int j = 0; j < values.Length; j++)
        {
            double v = values[j];
            double next = high + v;
            double part = next - high;
            low += (high - (next - part)) + (v - part);
            high = next;
        }

        return high;
    }

    // The mean (compensated), Σ(u − mean)² (a second pass: no cancellation) and the minimum of the candidates.
    private static (double Mean, double Squares, double Minimum) Moments(ReadOnlySpan<double> set)
    {
        double high = Sum(set, out double low);
        double mean = (high / set.Length) + (low / set.Length);
        double squares = 0, minimum = double.PositiveInfinity;
        for (int j = 0; j < set.Length; j++)
        {
            double d = set[j] - mean;
            squares += d * d;
            minimum = Math.Min(minimum, set[j]);
        }

        return (mean, squares, minimum);
    }

    // The sort-based threshold (Held et al. 1974; Martins & Astudillo's Algorithm 1): sorted descending, the support
    // is the largest k with z_(k) > τ_k = (Σ_{j≤k} z_(j) − 1)/k, and the condition holds exactly for k ≤ the support size.
    private static double SparsemaxSorted(Span<double> z)
    {
        z.Sort();
        var sum = default(CompensatedSum);
        double tau = double.NaN;
        for (int j = z.Length - 1, k = 1; j >= 0; j--, k++)
        {
            sum.Add(z[j]);
            double high = sum.Total(out double low);
            double t = ((high - 1) + low) / k;
            if (!(z[j] > t))
            {
                break;
            }

            tau = t;
        }

        return tau;
    }

    // Peters et al.'s Algorithm 2 (exact, sort-based): sorted descending, τ_k = mean_k − sqrt(δ_k) with
    // δ_k = (1 − k·(meansq_k − mean_k²))/k, the support the largest k with τ_k ≤ u_(k). The running mean and the
    // sum of squared deviations are Welford's (no cancellation).
    private static double Entmax15Sorted(Span<double> u)
    {
        u.Sort();
        double mean = 0, deviations = 0, tau = double.NaN;
        for (int j = u.Length - 1, k = 1; j >= 0; j--, k++)
        {
            double previous = mean;
            mean += (u[j] - mean) / k;
            deviations += (u[j] - previous) * (u[j] - mean);
            double t = mean - Math.Sqrt(Math.Max((1 - deviations) / k, 0));
            if (t <= u[j])
            {
                tau = t;
            }
        }

        return tau;
    }
}
