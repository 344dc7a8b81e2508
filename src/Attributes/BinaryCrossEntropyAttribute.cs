using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the binary cross-entropy with logits
/// (PyTorch's <c>BCEWithLogitsLoss</c>) over logits z and soft targets y of the same length, element by element:
/// <c>ℓ = w·[(1 − y)·softplus(z) + pw·y·softplus(−z)] = −w·[pw·y·log σ(z) + (1 − y)·log(1 − σ(z))]</c>,
/// with w the per-class weight (<see cref="Weights"/>) and pw the per-class positive weight (<see cref="PosWeight"/>),
/// both 1 when absent. With a gradient span, the same pass writes <c>∂ℓ/∂z = w·((1 − y)·σ(z) − pw·y·σ(−z))</c>, scaled as
/// the reduction asks.
/// </summary>
/// <remarks>
/// Shapes (<c>T</c> is <see cref="float"/> or <see cref="double"/>):
/// <list type="bullet">
/// <item><c>T M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;T&gt; targets)</c>: returns the reduced loss;</item>
/// <item>with <see cref="Reduction"/> = <see cref="LossReduction.None"/>:
/// <c>void M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;T&gt; targets, Span&lt;T&gt; losses)</c>, one loss per element;</item>
/// <item>any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the logits.</item>
/// <item>The options add spans in a fixed order: logits, targets, weight, posWeight, losses, gradient. The per-class spans
/// have K elements (the number of classes): the logits are rows of K (row-major), and K is their length, so no class
/// count is passed.</item>
/// </list>
/// The logits are read once, with or without the gradient. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class BinaryCrossEntropyAttribute : Attribute
{
    /// <summary>
    /// How the elements' losses combine: <see cref="LossReduction.Mean"/> (the default: over every element, as PyTorch, NaN
    /// when there is none; the weights do not enter the denominator), Sum or None (one loss per element).
    /// </summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>
    /// True: the kernel takes a <c>ReadOnlySpan&lt;T&gt; weight</c> of K elements right after the targets, PyTorch's
    /// <c>weight</c> broadcast over the rows: element (r, k)'s loss and gradient are multiplied by <c>weight[k]</c>. Default false.
    /// </summary>
    public bool Weights { get; set; }

    /// <summary>
    /// True: the kernel takes a <c>ReadOnlySpan&lt;T&gt; posWeight</c> of K elements after the weight (if any), PyTorch's
    /// <c>pos_weight</c>: the positive part <c>y·log σ(z)</c> of element (r, k) is multiplied by <c>posWeight[k]</c>. Default false.
    /// </summary>
    public bool PosWeight { get; set; }

    /// <summary>
    /// Vectors processed per loop iteration: 1..8, or 0 (the default) for the generator's choice.
    /// </summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
