using KernelGen.Generator.Helpers;

namespace KernelGen.Generator.Emit;

/// <summary>What every loss's rows loop writes the same way (the cross-entropy family, the row losses, distillation, decoupled InfoNCE).</summary>
internal static class LossRowWriter
{
    /// <summary>
    /// The end of a row that adds no loss (an ignored target, a row without positives): a zero gradient row, a zero
    /// per-row loss when the reduction is None, and on to the next row. The rows loop's locals are <c>gradient</c>,
    /// <c>losses</c>, <c>row</c> and <c>n</c>.
    /// </summary>
    public static void WriteSkippedRowEnd(IndentedWriter writer, bool hasGradient, bool perRowLosses)
    {
        if (hasGradient)
        {
            writer.Line("gradient.Slice(row * n, n).Clear();");
        }

        if (perRowLosses)
        {
            writer.Line("losses[row] = 0;");
        }

        writer.Line("continue;");
    }
}
