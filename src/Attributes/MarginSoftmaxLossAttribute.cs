using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the margin softmax loss of face recognition
/// (insightface's combined margin): the input rows hold cosines c_k = cos θ_k (the caller normalized the embeddings and
/// the class centres); the target's logit is <c>s·(cos(m1·θ_y + m2) − m3)</c>, every other logit <c>s·c_k</c>, and the loss is
/// the cross-entropy of those logits. m1 is SphereFace's multiplicative angular margin ("SphereFace: Deep Hypersphere
/// Embedding for Face Recognition"), m2 ArcFace's additive angular margin ("ArcFace: Additive Angular Margin Loss for
/// Deep Face Recognition"), m3 CosFace's additive cosine margin ("CosFace: Large Margin Cosine Loss for Deep Face
/// Recognition"); m1 = 1, m2 = m3 = 0 is the normalized softmax. The gradient is with respect to the cosines.
/// </summary>
/// <remarks>
/// The shapes of [CrossEntropy] (<c>T</c> is <see cref="float"/> or <see cref="double"/>): <c>T M(ReadOnlySpan&lt;T&gt; cosines, int target)</c>;
/// <c>T M(ReadOnlySpan&lt;T&gt; cosines, ReadOnlySpan&lt;int&gt; targets)</c> (row-major rows); with <see cref="TargetProbabilityLossAttribute.Reduction"/> =
/// <see cref="LossReduction.None"/> <c>void M(ReadOnlySpan&lt;T&gt; cosines, ReadOnlySpan&lt;int&gt; targets, Span&lt;T&gt; losses)</c>;
/// any of these with a trailing <c>Span&lt;T&gt; gradient</c> as long as the cosines. Spans in the order: cosines,
/// target(s), classWeights, sampleWeights, margins (with <see cref="SampleMargins"/>, many rows only), losses, gradient.
/// See docs/attributes.md for θ_y + m2 ≥ π and the slope at θ = 0 and π.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class MarginSoftmaxLossAttribute : TargetProbabilityLossAttribute
{
    /// <summary>s &gt; 0 (finite), the scale of every logit. Default 64 (insightface).</summary>
    public double Scale { get; set; } = 64.0;

    /// <summary>m1 &gt; 0 (finite), the multiplicative angular margin (SphereFace). Default 1 (none).</summary>
    public double M1 { get; set; } = 1.0;

    /// <summary>m2 in [0, π), the additive angular margin (ArcFace, typically 0.5). Default 0 (none).</summary>
    public double M2 { get; set; }

    /// <summary>m3 (finite), the additive cosine margin (CosFace, typically 0.35). Default 0 (none).</summary>
    public double M3 { get; set; }

    /// <summary>
    /// Per-row margins (ElasticFace, "ElasticFace: Elastic Margin Loss for Deep Face Recognition": the caller draws them
    /// from N(m, σ)): <see cref="SampleMargin.Angular"/> replaces m2, <see cref="SampleMargin.Cosine"/> replaces m3 by
    /// <c>margins[i]</c>, a <c>ReadOnlySpan&lt;T&gt; margins</c> (one per row, many rows only) after the sample weights.
    /// The margins are not checked. Default <see cref="SampleMargin.None"/>.
    /// </summary>
    public SampleMargin SampleMargins { get; set; }
}
