using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the Z-loss of de Brébisson and Vincent ("The
/// Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family", 2016) over rows of
/// scores o with integer class targets c: with the row's mean μ and standard deviation σ (population, over its K scores),
/// <c>z_c = (o_c − μ)/σ</c> and <c>ℓ = (1/a)·softplus(a·(b − z_c))</c>, a = <see cref="A"/>, b = <see cref="B"/>.
/// The loss is unchanged when the row is shifted or scaled by a positive factor. With a gradient span, the same call
/// writes <c>∂ℓ/∂o_k = −σ(a(b − z_c))·(([k = c] − 1/K)/σ − z_c·z_k/(K·σ))</c> (σ(·) the logistic sigmoid), scaled as the
/// reduction asks.
/// </summary>
/// <remarks>
/// Shapes (<c>T</c> is <see cref="float"/> or <see cref="double"/>): <c>T M(ReadOnlySpan&lt;T&gt; logits, int target)</c>;
/// <c>T M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets)</c> (row-major rows); with <see cref="Reduction"/> =
/// <see cref="LossReduction.None"/> <c>void M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets, Span&lt;T&gt; losses)</c>;
/// any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the logits. μ and σ come from two passes (the sum
/// about the row's first score, then the squares about the mean), so a row of mean 1e4 and variance 1 keeps its digits.
/// A constant row (σ = 0, and every row of one class) has no z: its loss and gradient are NaN. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SphericalZLossAttribute : Attribute
{
    /// <summary>How the rows' losses combine: <see cref="LossReduction.Mean"/> (the default: over the rows that count), Sum or None.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>
    /// A target equal to this value is ignored: its row's loss and gradient are 0 and it does not count in the mean.
    /// Default −100, as PyTorch's losses. Any other target outside <c>[0, K)</c> throws.
    /// </summary>
    public int IgnoreIndex { get; set; } = -100;

    /// <summary>a &gt; 0 (finite): the sharpness of the softplus; the loss tends to the hinge max(0, b − z_c) as a grows. Default 0.1.</summary>
    public double A { get; set; } = 0.1;

    /// <summary>b (finite): where the softplus bends, in standard deviations of the row: the target's score is pushed toward b σ above the mean. Default 10.</summary>
    public double B { get; set; } = 10.0;

    /// <summary>0 (the default) accepts any number of classes. N &gt; 0 fixes it at build time: every row must have exactly N scores.</summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
