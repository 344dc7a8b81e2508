namespace KernelGen;

/// <summary>
/// How a softmax-family kernel walks over a row. Every algorithm subtracts the row maximum
/// (or keeps an equivalent extended exponent), so no finite input overflows.
/// </summary>
public enum SoftmaxAlgorithm
{
    /// <summary>
    /// The generator's choice, made at run time from the row length: <see cref="ThreePassReload"/>
    /// while a row fits in the L2 cache, <see cref="TwoPass"/> beyond (see docs/paths.md).
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Max pass; a pass that stores exp(x − max) to the output and sums it; a pass that scales
    /// the output by 1/sum. One exp per element; 3 reads and 2 writes per element.
    /// </summary>
    ThreePassReload = 1,

    /// <summary>
    /// Max pass; a pass that only sums exp(x − max); a pass that writes exp(x − max)/sum.
    /// Two exps per element; 3 reads and 1 write per element.
    /// </summary>
    ThreePassRecompute = 2,

    /// <summary>
    /// Dukhan and Ablavatski's two-pass algorithm: exp(x) is kept as a (mantissa, exponent)
    /// pair, so no max pass is needed. 2 reads and 1 write per element.
    /// </summary>
    TwoPass = 3,

    /// <summary>
    /// Milakov and Gimelshein's online normalizer: a running max and a running sum rescaled
    /// when the max grows. 2 reads and 1 write per element.
    /// </summary>
    Online = 4,
}
