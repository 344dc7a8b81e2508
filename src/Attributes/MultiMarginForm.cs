namespace KernelGen;

/// <summary>Which multi-class hinge loss a <see cref="MultiMarginLossAttribute"/> kernel computes.</summary>
public enum MultiMarginForm
{
    /// <summary>
    /// Weston and Watkins, as PyTorch's <c>multi_margin_loss</c>: the hinges of every other class, averaged over the K
    /// classes, <c>ℓ = w_y·Σ_{k≠y} max(0, m − z_y + z_k)^p / K</c>.
    /// </summary>
    WestonWatkins = 0,

    /// <summary>
    /// Crammer and Singer: the hinge of the strongest other class only, <c>ℓ = w_y·max(0, m − z_y + max_{k≠y} z_k)^p</c>
    /// (its subgradient goes to the lowest index among tied strongest classes).
    /// </summary>
    CrammerSinger = 1,
}
