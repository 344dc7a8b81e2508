using System.Runtime.CompilerServices;

namespace KernelGen.Runtime;

/// <summary>
/// The scalar words of the generated scalar paths that <see cref="System.Math"/> lacks or computes inaccurately:
/// log1p (.NET's <c>double.LogP1</c> is log(1 + x), which loses every digit of tiny x), the logistic sigmoid and softplus,
/// each without overflow for any input. Float kernels call them in double and round once.
/// </summary>
public static class ScalarMath
{
    /// <summary>
    /// log(1 + t) for t &gt; −1, within a few ulp: with u = 1 + t rounded, log(u)·t/(u − 1) (Goldberg's correction of the
    /// rounding of 1 + t), and t itself where u = 1. log1p(+∞) = +∞, log1p(−1) = −∞, NaN stays NaN.
    /// </summary>
    /// <param name="t">The argument.</param>
    /// <returns>log(1 + t).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log1p(double t)
    {
        double u = 1.0 + t;
        return u == 1.0 ? t : double.IsPositiveInfinity(u) ? u : System.Math.Log(u) * (t / (u - 1.0));
    }

    /// <summary>σ(x) = 1/(1 + e^{−x}), as 1/(1 + e^{−|x|}) for x ≥ 0 and e^{x}/(1 + e^{x}) below: σ(+∞) = 1, σ(−∞) = 0, NaN stays NaN.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>σ(x).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double x)
    {
        double u = System.Math.Exp(-System.Math.Abs(x));
        double r = 1.0 / (1.0 + u);
        return x < 0 ? u * r : r;
    }

    /// <summary>softplus(x) = log(1 + e^x), as max(x, 0) + log1p(e^{−|x|}): softplus(+∞) = +∞, softplus(−∞) = 0, NaN stays NaN.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>softplus(x).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double x) =>
        double.IsNaN(x) ? x : System.Math.Max(x, 0.0) + Log1p(System.Math.Exp(-System.Math.Abs(x)));
}
