namespace KernelGen.Generator;

/// <summary>The names of the pipeline steps, so that incrementality tests can find them.</summary>
internal static class TrackingNames
{
    public const string SoftmaxTransform = nameof(SoftmaxTransform);
    public const string LogSoftmaxTransform = nameof(LogSoftmaxTransform);
    public const string LayerNormTransform = nameof(LayerNormTransform);
    public const string RmsNormTransform = nameof(RmsNormTransform);
    public const string L2NormalizeTransform = nameof(L2NormalizeTransform);
    public const string CrossEntropyTransform = nameof(CrossEntropyTransform);
    public const string CompSumLossTransform = nameof(CompSumLossTransform);
    public const string FocalLossTransform = nameof(FocalLossTransform);
    public const string SigmoidFocalLossTransform = nameof(SigmoidFocalLossTransform);
    public const string DiceLossTransform = nameof(DiceLossTransform);
    public const string MarginSoftmaxLossTransform = nameof(MarginSoftmaxLossTransform);
    public const string InfoNceLossTransform = nameof(InfoNceLossTransform);
    public const string SphericalZLossTransform = nameof(SphericalZLossTransform);
    public const string MultiMarginLossTransform = nameof(MultiMarginLossTransform);
    public const string KLDivergenceTransform = nameof(KLDivergenceTransform);
    public const string DistillationLossTransform = nameof(DistillationLossTransform);
    public const string DynamicTanhTransform = nameof(DynamicTanhTransform);
    public const string SeeDNormTransform = nameof(SeeDNormTransform);
    public const string BatchNormTransform = nameof(BatchNormTransform);
    public const string PowerNormTransform = nameof(PowerNormTransform);
    public const string GroupNormTransform = nameof(GroupNormTransform);
    public const string StableMaxTransform = nameof(StableMaxTransform);
    public const string SoftplusNormalizeTransform = nameof(SoftplusNormalizeTransform);
    public const string SigmoidNormalizeTransform = nameof(SigmoidNormalizeTransform);
    public const string TaylorSoftmaxTransform = nameof(TaylorSoftmaxTransform);
    public const string SphericalSoftmaxTransform = nameof(SphericalSoftmaxTransform);
    public const string SparsemaxTransform = nameof(SparsemaxTransform);
    public const string Entmax15Transform = nameof(Entmax15Transform);
    public const string GumbelSoftmaxTransform = nameof(GumbelSoftmaxTransform);
    public const string TopKSoftmaxTransform = nameof(TopKSoftmaxTransform);
    public const string BinaryCrossEntropyTransform = nameof(BinaryCrossEntropyTransform);
    public const string Models = nameof(Models);
    public const string Diagnostics = nameof(Diagnostics);
}
