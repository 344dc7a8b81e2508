using System;
using System.Numerics;

namespace KernelGen.Tests;

/// <summary>
/// An oracle for the normalizations, written from the definitions and independent of the generated
/// code: the sums Σx and Σx² are exact (every double is an integer multiple of 2⁻¹⁰⁷⁴, so they are
/// BigIntegers), the mean and the variance are exact rationals (σ² = (nΣx² − (Σx)²)/n²), and only the
/// final square root and products are rounded, in double (a few units of 2⁻⁵³).
/// </summary>
public static class NormOracle
{
    private const int Scale = 1074;

    /// <summary>y = γ(x − μ)/sqrt(σ² + ε) + β for one row, with x̂ = (x − μ)/sqrt(σ² + ε) beside it.</summary>
    public static (double[] Y, double[] Normalized) LayerNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, double epsilon)
    {
        int n = x.Length;
        var y = new double[n];
        var normalized = new double[n];
        if (n == 0)
        {
            return (y, normalized);
        }

        var exact = new BigInteger[n];
        BigInteger sum = BigInteger.Zero, squares = BigInteger.Zero;
        for (int i = 0; i < n; i++)
        {
            exact[i] = Exact(x[i]);
            sum += exact[i];
            squares += exact[i] * exact[i];
        }

        double variance = Quotient((n * squares) - (sum * sum), (BigInteger)n * n, 2 * Scale);
        double inverse = 1.0 / Math.Sqrt(variance + epsilon);
        for (int i = 0; i < n; i++)
        {
            double deviation = Quotient((n * exact[i]) - sum, n, Scale);
            normalized[i] = deviation * inverse;
            y[i] = (normalized[i] * (weight.IsEmpty ? 1 : weight[i])) + (bias.IsEmpty ? 0 : bias[i]);
        }

        return (y, normalized);
    }

    /// <summary>
    /// y = (γ + offset)·x/sqrt(Σx²/n + ε) for one row; <paramref name="compressed"/> (CRMSNorm): the row is the first n
    /// elements of a zero-mean vector whose last element is −Σx, so the mean square is (Σx² + (Σx)²)/(n + 1).
    /// </summary>
    public static double[] RmsNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> weight, double offset, double epsilon, bool compressed = false)
    {
        int n = x.Length;
        var y = new double[n];
        if (n == 0)
        {
            return y;
        }

        BigInteger squares = BigInteger.Zero;
        for (int i = 0; i < n; i++)
        {
            BigInteger e = Exact(x[i]);
            squares += e * e;
        }

        if (compressed)
        {
            BigInteger total = BigInteger.Zero;
            for (int i = 0; i < n; i++)
            {
                total += Exact(x[i]);
            }

            squares += total * total;
        }

        double inverse = 1.0 / Math.Sqrt(Quotient(squares, compressed ? n + 1 : n, 2 * Scale) + epsilon);
        for (int i = 0; i < n; i++)
        {
            y[i] = x[i] * inverse * (weight.IsEmpty ? 1 : weight[i] + offset);
        }

        return y;
    }

    /// <summary>y = x/max(sqrt(Σx²), ε) for one row.</summary>
    public static double[] L2Normalize(ReadOnlySpan<double> x, double epsilon)
    {
        BigInteger squares = BigInteger.Zero;
        foreach (double v in x)
        {
            BigInteger e = Exact(v);
            squares += e * e;
        }

        double inverse = 1.0 / Math.Max(Math.Sqrt(Quotient(squares, 1, 2 * Scale)), epsilon);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * inverse;
        }

        return y;
    }

    /// <summary>The oracle of any normalization kernel: y, and x̂ (LayerNorm; zeros otherwise) for the units.</summary>
    public static (double[] Y, double[] Normalized) Expected(NormInfo kernel, ReadOnlySpan<double> x, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias) =>
        kernel.IsLayer ? LayerNorm(x, weight, bias, kernel.Epsilon)
        : kernel.IsL2 ? (L2Normalize(x, kernel.Epsilon), new double[x.Length])
        : (RmsNorm(x, weight, kernel.WeightOffset, kernel.Epsilon, kernel.Compressed), new double[x.Length]);

    /// <summary>A finite double as an integer count of 2⁻¹⁰⁷⁴.</summary>
    public static BigInteger Exact(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        BigInteger magnitude = new BigInteger(mantissa) << (exponent - 1);
        return bits < 0 ? -magnitude : magnitude;
    }

    /// <summary>numerator / denominator · 2^−scale, rounded to a double (within an ulp).</summary>
    public static double Quotient(BigInteger numerator, BigInteger denominator, int scale)
    {
        if (numerator.IsZero)
        {
            return 0;
        }

        int sign = numerator.Sign * denominator.Sign;
        numerator = BigInteger.Abs(numerator);
        denominator = BigInteger.Abs(denominator);
        int shift = 80 - (int)(numerator.GetBitLength() - denominator.GetBitLength());
        BigInteger quotient = (shift >= 0 ? numerator << shift : numerator >> -shift) / denominator;
        return sign * Math.ScaleB((double)quotient, -shift - scale);
    }
}
