using System;

namespace KernelGen;

/// <summary>
/// The options shared by the losses of the target probability, <see cref="CompSumLossAttribute"/>,
/// <see cref="FocalLossAttribute"/> and <see cref="DiceLossAttribute"/>: [CrossEntropy]'s reduction, ignore index,
/// class and sample weights, width, unroll and targets. Not a kernel attribute itself.
/// </summary>
public abstract class TargetProbabilityLossAttribute : Attribute
{
    /// <summary>How the rows' losses combine: <see cref="LossReduction.Mean"/> (the default), Sum or None.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>
    /// A target equal to this value is ignored: its row's loss and gradient are 0 and it does not
    /// count in the mean. Default −100, as PyTorch. Any other target outside <c>[0, K)</c> throws.
    /// </summary>
    public int IgnoreIndex { get; set; } = -100;

    /// <summary>
    /// True: the kernel takes a <c>ReadOnlySpan&lt;T&gt; classWeights</c> (one per class) right after the targets: a row's
    /// loss is multiplied by <c>w_y</c> and <see cref="LossReduction.Mean"/> divides by <c>Σ w_{y_i}</c> over the rows that
    /// count (PyTorch's weighted mean, as [CrossEntropy]). Default false.
    /// </summary>
    public bool ClassWeights { get; set; }

    /// <summary>
    /// True (many rows only): the kernel takes a <c>ReadOnlySpan&lt;T&gt; sampleWeights</c> (one per row) after the
    /// class weights; each row's loss is multiplied by its weight and <see cref="LossReduction.Mean"/> divides by
    /// the sum of the weights of the rows that count. Default false.
    /// </summary>
    public bool SampleWeights { get; set; }

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
