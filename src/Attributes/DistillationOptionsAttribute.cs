using System;

namespace KernelGen;

/// <summary>
/// The options shared by <see cref="KLDivergenceAttribute"/> and <see cref="DistillationLossAttribute"/>: the
/// temperature, the T² factor, the Jensen–Shannon form, the reduction, width, unroll and targets. Not a kernel
/// attribute itself.
/// </summary>
public abstract class DistillationOptionsAttribute : Attribute
{
    /// <summary>
    /// T &gt; 0 (finite): both rows are softened as <c>softmax(z/T)</c> before they are compared (Hinton et al.). Default 1.
    /// </summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>
    /// True (the default): the divergence is multiplied by T², so that its gradient <c>T·(p − q)</c> keeps the
    /// magnitude of the T = 1 gradient as T changes (Hinton et al., "Distilling the Knowledge in a Neural Network", §2).
    /// False: the plain divergence of the softened distributions, gradient <c>(p − q)/T</c>.
    /// </summary>
    public bool ScaleByTemperatureSquared { get; set; } = true;

    /// <summary>
    /// True: the generalized Jensen–Shannon divergence of Liger-Kernel's LigerJSD replaces the KL divergence:
    /// <c>β·KL(q ‖ m) + (1 − β)·KL(p ‖ m)</c>, <c>m = β·q + (1 − β)·p</c> (q the teacher, p the student), with
    /// β = <see cref="Beta"/>; β = 0 is the forward <c>KL(q ‖ p)</c> and β = 1 the reverse <c>KL(p ‖ q)</c>, as there. Default false.
    /// </summary>
    public bool Jsd { get; set; }

    /// <summary>β in [0, 1], the teacher's weight in the Jensen–Shannon mixture (used when <see cref="Jsd"/> is true). Default 0.5.</summary>
    public double Beta { get; set; } = 0.5;

    /// <summary>
    /// How the rows' losses combine: <see cref="LossReduction.Mean"/> (the default: the sum over the rows divided by the
    /// rows that count, PyTorch's <c>'batchmean'</c>), Sum, or None (one loss per row in a losses span).
    /// </summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;

    /// <summary>0 (the default) accepts any number of classes. N &gt; 0 fixes it at build time: every row must have exactly N logits.</summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration, each with its own accumulator: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
