using System;
using System.Globalization;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>A batch of row-major rows: <see cref="Rows"/> × <see cref="RowLength"/> floats.</summary>
/// <param name="Rows">The number of rows.</param>
/// <param name="RowLength">The elements per row (the softmax axis).</param>
public readonly record struct RowShape(int Rows, int RowLength)
{
    /// <summary>All elements of the batch.</summary>
    public int Elements => checked(this.Rows * this.RowLength);

    /// <summary>Parses the <c>ROWSxLENGTH</c> text that the benchmarks use as their parameter.</summary>
    public static RowShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int separator = text.IndexOf('x', StringComparison.OrdinalIgnoreCase);
        if (separator <= 0
            || !int.TryParse(text.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out int rows)
            || !int.TryParse(text.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int rowLength)
            || rows <= 0 || rowLength <= 0)
        {
            throw new FormatException($"'{text}' is not a shape such as 1024x1024 (rows x row length).");
        }

        return new RowShape(rows, rowLength);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{this.Rows}x{this.RowLength}");
}
