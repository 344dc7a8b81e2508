using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as a softmax cross-entropy
/// loss over rows of logits z with integer class targets y:
/// <c>ℓ = LSE(z) − (1 − ε)·z_y − (ε/K)·Σ_k z_k + c·LSE(z)²</c>, where <c>LSE(z) = log Σ_k e^(z_k)</c>,
/// <c>K</c> is the number of classes, ε is <see cref="LabelSmoothing"/> and c is <see cref="ZLoss"/>.
/// With a gradient span, the same call writes <c>∂L/∂z = softmax(z)·(1 + 2c·LSE) − target</c>,
/// scaled as the reduction asks.
/// </summary>
/// <remarks>
/// Shapes (<c>T</c> is <see cref="float"/> or <see cref="double"/>):
/// <list type="bullet">
/// <item><c>T M(ReadOnlySpan&lt;T&gt; logits, int target)</c>: one row, returns its loss;</item>
/// <item><c>T M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets)</c>: one row per target
/// (<c>logits.Length / targets.Length</c> classes each, row-major), returns the reduced loss;</item>
/// <item>with <see cref="Reduction"/> = <see cref="LossReduction.None"/>:
/// <c>void M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;int&gt; targets, Span&lt;T&gt; losses)</c>;</item>
/// <item>any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the logits.</item>
/// <item>The options add spans in a fixed order: logits, target(s), classWeights, sampleWeights, losses, lse,
/// predictions, entropy, gradient.</item>
/// </list>
/// Without a gradient the logits are read once. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CrossEntropyAttribute : Attribute
{
    /// <summary>How the rows' losses combine: <see cref="LossReduction.Mean"/> (the default), Sum or None.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>
    /// A target equal to this value is ignored: its row's loss and gradient are 0 and it does not
    /// count in the mean. Default −100, as PyTorch. Any other target outside <c>[0, K)</c> throws.
    /// </summary>
    public int IgnoreIndex { get; set; } = -100;

    /// <summary>
    /// ε in [0, 1]: the target distribution becomes <c>(1 − ε)·onehot(y) + ε/K</c>, as PyTorch's
    /// <c>label_smoothing</c>. Default 0.
    /// </summary>
    public double LabelSmoothing { get; set; }

    /// <summary>
    /// c ≥ 0 (finite): adds <c>c·LSE(z)²</c> to each row's loss, the auxiliary z-loss of PaLM that keeps
    /// the normalizer near 1 (Liger-Kernel's <c>lse_square_scale</c>). Default 0.
    /// </summary>
    public double ZLoss { get; set; }

    /// <summary>
    /// True: the kernel takes a <c>ReadOnlySpan&lt;T&gt; classWeights</c> (one per class) right after the targets,
    /// PyTorch's <c>weight</c>: a row's loss is <c>(1 − ε)·w_y·(LSE − z_y) + (ε/K)·Σ_k w_k·(LSE − z_k)</c> and
    /// <see cref="LossReduction.Mean"/> divides by <c>Σ w_{y_i}</c> over the rows that count. Default false.
    /// </summary>
    public bool ClassWeights { get; set; }

    /// <summary>
    /// True (many rows only): the kernel takes a <c>ReadOnlySpan&lt;T&gt; sampleWeights</c> (one per row) after the
    /// class weights; each row's loss is multiplied by its weight and <see cref="LossReduction.Mean"/> divides by
    /// the sum of the weights of the rows that count. Default false.
    /// </summary>
    public bool SampleWeights { get; set; }

    /// <summary>
    /// c &gt; 0 (finite): the logits are replaced by <c>c·tanh(z/c)</c> before anything else (Gemma 2's final-logit
    /// soft-capping, Liger-Kernel's <c>softcap</c>); the gradient is chained through it. 0 (the default): off.
    /// </summary>
    public double Softcap { get; set; }

    /// <summary>True (many rows only): a <c>Span&lt;T&gt; lse</c> after the losses gets each row's log-sum-exp (of the soft-capped logits). Default false.</summary>
    public bool LseOutput { get; set; }

    /// <summary>True (many rows only): a <c>Span&lt;int&gt; predictions</c> after the LSE span gets each row's argmax class (the lowest index on a tie, a NaN counting as the largest, as <c>torch.argmax</c>). Default false.</summary>
    public bool PredictionOutput { get; set; }

    /// <summary>True (many rows only): a <c>Span&lt;T&gt; entropy</c> after the predictions gets each row's entropy −Σ p·log p of softmax(z). Default false.</summary>
    public bool EntropyOutput { get; set; }

    /// <summary>
    /// 0 (the default) accepts any number of classes. N &gt; 0 fixes it at build time: every row must
    /// have exactly N logits.
    /// </summary>
    public int Width { get; set; }

    /// <summary>
    /// Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the
    /// default) for the generator's choice.
    /// </summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
