using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the InfoNCE loss of contrastive learning
/// ("Representation Learning with Contrastive Predictive Coding"; SimCLR's NT-Xent, CLIP's loss per direction) over rows
/// of similarities s_k with the positive's index y as the target: <c>ℓ = −log(e^(s_y/τ) / Σ_k e^(s_k/τ))</c>, the
/// cross-entropy of s/τ. The gradient is with respect to the similarities: <c>(softmax(s/τ) − onehot(y))/τ</c>.
/// </summary>
/// <remarks>
/// The shapes of [CrossEntropy] (<c>T</c> is <see cref="float"/> or <see cref="double"/>): <c>T M(ReadOnlySpan&lt;T&gt; similarities, int positive)</c>;
/// <c>T M(ReadOnlySpan&lt;T&gt; similarities, ReadOnlySpan&lt;int&gt; positives)</c> (row-major rows, one positive per row); with
/// <see cref="TargetProbabilityLossAttribute.Reduction"/> = <see cref="LossReduction.None"/> a <c>Span&lt;T&gt; losses</c>
/// after the positives; any of these with a trailing <c>Span&lt;T&gt; gradient</c>. With <see cref="Decoupled"/> the many-rows
/// forms only, the positives span holding <see cref="Positives"/> class indices per row. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class InfoNceLossAttribute : TargetProbabilityLossAttribute
{
    /// <summary>τ &gt; 0 (finite), the temperature: the logits are s/τ. Default 0.07 (MoCo, CLIP's initial value).</summary>
    public double Temperature { get; set; } = 0.07;

    /// <summary>
    /// Several positives per row, each with its own denominator without the other positives (Gupta et al., "Dual-Encoders
    /// for Extreme Multi-Label Classification", ICLR 2024, DecoupledSoftmax): <c>ℓ = (1/|P|)·Σ_{p∈P} −log(e^(s_p/τ) / (e^(s_p/τ) + N))</c>,
    /// <c>N = Σ_{k∉P} e^(s_k/τ)</c>. The positives span holds <see cref="Positives"/> entries per row (<c>IgnoreIndex</c> pads a row
    /// with fewer); many rows only; not with <c>ClassWeights</c>.
    /// </summary>
    public bool Decoupled { get; set; }

    /// <summary>P ≥ 1 (at most 1024), the positives' slots per row with <see cref="Decoupled"/>: row i's positives are at [i·P, (i+1)·P). Default 1.</summary>
    public int Positives { get; set; } = 1;
}
