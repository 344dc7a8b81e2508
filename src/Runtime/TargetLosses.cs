using System.Runtime.CompilerServices;

namespace KernelGen.Runtime;

/// <summary>
/// The outer functions of the losses that depend on the logits only through the target's log-probability
/// L = log p_y = z_y − LSE(z) ([CompSumLoss], [FocalLoss], [DiceLoss]). Each returns the row's loss ℓ(L) and,
/// in <c>outer</c>, h = −dℓ/dL, so that the row's gradient is ∂ℓ/∂z = h·(softmax(z) − onehot(y)): the generated
/// kernels run the cross-entropy passes and scale them by h. All in double, stable where p_y is near 0 or 1.
/// </summary>
public static class TargetLosses
{
    /// <summary>
    /// The comp-sum loss of Mao, Mohri and Zhong with 1 + u = Σ_k e^(z_k − z_y) = e^(−L):
    /// ℓ = ((1 + u)^(1 − τ) − 1)/(1 − τ) for τ ≠ 1 (as expm1((1 − τ)·(−L))/(1 − τ)), −L for τ = 1; h = (1 + u)^(1 − τ).
    /// </summary>
    /// <param name="logP">L = log p_y (≤ 0).</param>
    /// <param name="tau">τ ≥ 0.</param>
    /// <param name="outer">h = −dℓ/dL.</param>
    /// <returns>ℓ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CompSum(double logP, double tau, out double outer)
    {
        if (tau == 1)
        {
            outer = 1;
            return -logP;
        }

        double a = (1 - tau) * -logP;   // (1 − τ)·log(1 + u)
        outer = System.Math.Exp(a);
        return ExpM1(a) / (1 - tau);
    }

    /// <summary>
    /// The softmax focal loss of Lin et al., ℓ = −α·(1 − p)^γ·L with 1 − p = −expm1(L);
    /// h = α·((1 − p)^γ − γ·p·L·(1 − p)^(γ − 1)), with L/(1 − p) → −1 as p → 1 and p·L → 0 as p → 0.
    /// </summary>
    /// <param name="logP">L = log p_y (≤ 0).</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="alpha">α, a scalar weight.</param>
    /// <param name="outer">h = −dℓ/dL.</param>
    /// <returns>ℓ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Focal(double logP, double gamma, double alpha, out double outer)
    {
        double p = System.Math.Exp(logP);
        double q = -ExpM1(logP);
        double qg = gamma == 0 ? 1 : System.Math.Pow(q, gamma);
        double ratio = q == 0 ? -1 : logP / q;   // L/(1 − p)
        double pr = p == 0 ? 0 : p * ratio;
        outer = alpha * qg * (1 - (gamma * pr));
        return -alpha * qg * logP;
    }

    /// <summary>
    /// The self-adjusting Dice loss of Li et al. with p̃ = (1 − p)^α·p: ℓ = 1 − (2p̃ + γ)/(p̃ + 1 + γ) = (1 − p̃)/(1 + γ + p̃);
    /// h = (2 + γ)/(1 + γ + p̃)²·dp̃/dL with dp̃/dL = p·((1 − p)^α − α·p·(1 − p)^(α − 1)) (p for α = 0; 0 at p = 1 for α &gt; 0,
    /// where the gradient's limit is 0 although the slope is infinite for α &lt; 1).
    /// </summary>
    /// <param name="logP">L = log p_y (≤ 0).</param>
    /// <param name="alpha">α ≥ 0.</param>
    /// <param name="gamma">γ ≥ 0, the smoothing term.</param>
    /// <param name="outer">h = −dℓ/dL.</param>
    /// <returns>ℓ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dice(double logP, double alpha, double gamma, out double outer)
    {
        double p = System.Math.Exp(logP);
        double q = -ExpM1(logP);
        double qa = alpha == 0 ? 1 : System.Math.Pow(q, alpha);
        double adjusted = qa * p;
        // At p = 1 (q = 0) the slope is −∞ for 0 < α < 1, but the gradient h·(softmax − onehot) tends to 0 (|softmax − onehot| ≤ 2q
        // and h·q ~ q^α): h = 0 there gives that limit for every α.
        double slope = alpha == 0 ? p : q == 0 ? 0 : p * (qa - (alpha * p * System.Math.Pow(q, alpha - 1)));
        double denominator = 1 + gamma + adjusted;
        outer = (2 + gamma) / (denominator * denominator) * slope;
        return (1 - adjusted) / denominator;
    }

    /// <summary>The smallest angle (radians) at which <see cref="MarginCosine"/> takes the slope: θ is clamped to [δ, π − δ] there.</summary>
    public const double SlopeAngleFloor = 1e-4;

    /// <summary>
    /// The target's margin cosine of [MarginSoftmaxLoss] (insightface's combined margin): ψ(c) = cos(m1·θ + m2) − m3 with
    /// θ = acos(c), c clamped to [−1, 1], and dψ/dc = m1·sin(m1·θ + m2)/sin θ.
    /// <list type="bullet">
    /// <item>m1 = 1, m2 = 0 (normalized softmax, CosFace, InfoNCE): ψ = c − m3 exactly, slope 1 (no clamp, no acos).</item>
    /// <item>m1 = 1, m2 &gt; 0 and θ + m2 ≥ π (ArcFace past the point where cos(θ + m2) stops decreasing): insightface's
    /// fallback ψ = c − m2·sin(m2) − m3, slope 1.</item>
    /// <item>The slope is taken at θ clamped to [δ, π − δ], δ = <see cref="SlopeAngleFloor"/>: where sin θ = 0 the derivative is
    /// infinite (ArcFace at c = 1) or a 0/0 limit (SphereFace, m2 = 0: m1²); the clamp gives a large finite value or
    /// the limit within O(δ²).</item>
    /// </list>
    /// </summary>
    /// <param name="cosine">c, the target's cosine.</param>
    /// <param name="m1">The multiplicative angular margin (SphereFace), &gt; 0.</param>
    /// <param name="m2">The additive angular margin (ArcFace).</param>
    /// <param name="m3">The additive cosine margin (CosFace).</param>
    /// <param name="slope">dψ/dc.</param>
    /// <returns>ψ(c).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MarginCosine(double cosine, double m1, double m2, double m3, out double slope)
    {
        if (m1 == 1 && m2 == 0)
        {
            slope = 1;
            return cosine - m3;
        }

        double c = System.Math.Clamp(cosine, -1.0, 1.0);
        double theta = System.Math.Acos(c);
        if (m1 == 1 && m2 > 0 && theta + m2 >= System.Math.PI)
        {
            slope = 1;
            return c - (m2 * System.Math.Sin(m2)) - m3;
        }

        double angle = System.Math.Clamp(theta, SlopeAngleFloor, System.Math.PI - SlopeAngleFloor);
        slope = m1 * System.Math.Sin((m1 * angle) + m2) / System.Math.Sin(angle);
        return double.IsNaN(cosine) ? double.NaN : System.Math.Cos((m1 * theta) + m2) - m3;
    }

    /// <summary>e^x − 1 within a few ulp (Kahan's correction: (u − 1)·x/log u with u = e^x rounded).</summary>
    /// <param name="x">The argument.</param>
    /// <returns>e^x − 1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ExpM1(double x)
    {
        double u = System.Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }

        double um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : double.IsPositiveInfinity(u) ? u : um1 * x / System.Math.Log(u);
    }
}
