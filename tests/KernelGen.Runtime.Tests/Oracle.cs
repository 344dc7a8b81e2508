using System;

namespace KernelGen.Tests;

/// <summary>
/// An independent double-precision softmax written from the formula (not from the generator's
/// Reference), and the error measure of testing.md §4 / docs/accuracy.md.
/// </summary>
public static class Oracle
{
    public const double FloatEpsilon = 1.0 / (1 << 24);        // 2^-24
    public const double DoubleEpsilon = 1.0 / (1L << 53);      // 2^-53

    /// <summary>softmax((x − max)/T) or its log, in double with a Neumaier sum.</summary>
    public static double[] Softmax(ReadOnlySpan<double> x, double temperature, bool log)
    {
        var y = new double[x.Length];
        double max = double.NegativeInfinity;
        foreach (double v in x)
        {
            max = Math.Max(max, v);
        }

        double sum = 0, c = 0;
        foreach (double v in x)
        {
            double term = Math.Exp((v - max) / temperature);
            double t = sum + term;
            c += Math.Abs(sum) >= Math.Abs(term) ? (sum - t) + term : (term - t) + sum;
            sum = t;
        }

        sum += c;
        double logSum = Math.Log(sum);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = log ? ((x[i] - max) / temperature) - logSum : Math.Exp((x[i] - max) / temperature) / sum;
        }

        return y;
    }

    /// <summary>
    /// The error of one output in units: softmax — relative error (denominator floored at the
    /// smallest normal) over ε·(1 + |x − max|/T); log-softmax — absolute error over ε·(1 + |y|).
    /// NaN/inf must match exactly (0 units if they do, +inf if not).
    /// </summary>
    public static double Units(double actual, double expected, double x, double max, double temperature, bool log, bool isDouble)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected) || double.IsNaN(actual) || double.IsInfinity(actual))
        {
            return actual.Equals(expected) ? 0 : double.PositiveInfinity;
        }

        double eps = isDouble ? DoubleEpsilon : FloatEpsilon;
        if (log)
        {
            return Math.Abs(actual - expected) / (eps * (1 + Math.Abs(expected)));
        }

        // Outputs below the smallest normal number may be flushed to zero (as XNNPACK's exp does): there
        // the error is measured absolutely, in units of that number, so a flush costs at most 1 unit.
        double floor = isDouble ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
        if (Math.Abs(expected) < floor)
        {
            return Math.Abs(actual - expected) / floor;
        }

        double conditioning = 1 + (double.IsFinite(x - max) ? Math.Abs(x - max) / temperature : 0);
        return Math.Abs(actual - expected) / Math.Abs(expected) / (eps * conditioning);
    }
}
