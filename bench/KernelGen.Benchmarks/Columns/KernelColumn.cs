using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace KernelGen.Benchmarks.Columns;

/// <summary>The shared plumbing of the custom columns: numeric, always shown, "-" when not applicable.</summary>
public abstract class KernelColumn : IColumn
{
    private readonly int priority;

    /// <summary>A column shown in this order among the custom ones.</summary>
    protected KernelColumn(int priority) => this.priority = priority;

    /// <inheritdoc/>
    public string Id => "KernelGen." + this.GetType().Name;

    /// <inheritdoc/>
    public abstract string ColumnName { get; }

    /// <inheritdoc/>
    public abstract string Legend { get; }

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => this.priority;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => this.GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        this.Compute(summary, benchmarkCase) ?? "-";

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public override string ToString() => this.ColumnName;

    /// <summary>The cell's text, or null for "-".</summary>
    protected abstract string? Compute(Summary summary, BenchmarkCase benchmarkCase);

    /// <summary>Invariant-culture formatting.</summary>
    protected static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
