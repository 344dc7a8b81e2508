namespace KernelGen;

/// <summary>How a loss kernel combines the losses of its rows (PyTorch's <c>reduction</c>).</summary>
public enum LossReduction
{
    /// <summary>
    /// The mean over the rows that count (those whose target is not the ignore index), as PyTorch
    /// computes it: NaN when no row counts. The gradient is divided by the same count. With class or
    /// sample weights it is PyTorch's weighted mean: Σ s_i·ℓ_i / Σ s_i·w_{y_i} (NaN when that is 0).
    /// </summary>
    Mean = 0,

    /// <summary>The sum over the rows (ignored rows add 0). The gradient is not scaled.</summary>
    Sum = 1,

    /// <summary>
    /// No reduction: the many-rows kernel writes one loss per row into a <c>losses</c> span (0 for an
    /// ignored row) and returns nothing; the gradient is each row's own.
    /// </summary>
    None = 2,
}
