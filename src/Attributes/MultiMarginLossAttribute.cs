using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as a multi-class hinge (SVM) loss over rows of
/// scores z with integer class targets y, h_k = m − z_y + z_k: PyTorch's <c>multi_margin_loss</c> (Weston–Watkins,
/// <c>ℓ = w_y·Σ_{k≠y} max(0, h_k)^p / K</c>, the default) or the Crammer–Singer form <c>ℓ = w_y·max(0, max_{k≠y} h_k)^p</c>
/// (<see cref="Form"/>), with p = 1, or p = 2 when <see cref="Squared"/> (the L2-SVM), m = <see cref="Margin"/> and w the
/// optional class weights. With a gradient span, the same call writes the subgradient (0 where a hinge is exactly 0, as PyTorch).
/// </summary>
/// <remarks>
/// Shapes (<c>T</c> is <see cref="float"/> or <see cref="double"/>): <c>T M(ReadOnlySpan&lt;T&gt; logits, int target)</c>;
/// <c>T M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets)</c> (row-major rows); with <see cref="Reduction"/> =
/// <see cref="LossReduction.None"/> <c>void M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets, Span&lt;T&gt; losses)</c>;
/// any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the logits. Spans in the order: logits, target(s),
/// classWeights, losses, gradient. No exponential: vector subtract, max and compare passes. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MultiMarginLossAttribute : Attribute
{
    /// <summary>
    /// How the rows' losses combine: <see cref="LossReduction.Mean"/> (the default), Sum or None. As PyTorch's
    /// <c>MultiMarginLoss</c>, the mean divides by the number of rows that count, not by their class weights.
    /// </summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>
    /// A target equal to this value is ignored: its row's loss and gradient are 0 and it does not count in the mean
    /// (PyTorch's <c>multi_margin_loss</c> has no ignore index: with none of the targets equal to it, the results are PyTorch's).
    /// Default −100. Any other target outside <c>[0, K)</c> throws.
    /// </summary>
    public int IgnoreIndex { get; set; } = -100;

    /// <summary>Weston–Watkins (the default, PyTorch's) or Crammer–Singer.</summary>
    public MultiMarginForm Form { get; set; } = MultiMarginForm.WestonWatkins;

    /// <summary>True: the hinges are squared (p = 2, PyTorch's <c>p=2</c>, the L2-SVM). Default false (p = 1).</summary>
    public bool Squared { get; set; }

    /// <summary>m (finite), the margin the target's score should keep over every other class. Default 1, as PyTorch.</summary>
    public double Margin { get; set; } = 1.0;

    /// <summary>
    /// True: the kernel takes a <c>ReadOnlySpan&lt;T&gt; classWeights</c> (one per class) right after the targets, PyTorch's
    /// <c>weight</c>: a row's loss is multiplied by <c>w_y</c>, its target's weight. Default false.
    /// </summary>
    public bool ClassWeights { get; set; }

    /// <summary>0 (the default) accepts any number of classes. N &gt; 0 fixes it at build time: every row must have exactly N scores.</summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
