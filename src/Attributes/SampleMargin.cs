namespace KernelGen;

/// <summary>Which margin of <see cref="MarginSoftmaxLossAttribute"/> a per-row <c>margins</c> span replaces (ElasticFace).</summary>
public enum SampleMargin
{
    /// <summary>No per-row margins: the attribute's <c>M2</c> and <c>M3</c> hold for every row.</summary>
    None = 0,

    /// <summary>The span replaces the additive angular margin m2 (ElasticFace-Arc): ψ = cos(m1·θ + margins[i]) − m3.</summary>
    Angular = 1,

    /// <summary>The span replaces the additive cosine margin m3 (ElasticFace-Cos): ψ = cos(m1·θ + m2) − margins[i].</summary>
    Cosine = 2,
}
