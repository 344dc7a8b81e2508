using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks.Columns;

/// <summary>The configuration every run uses: the KernelGen columns, medians shown, unsupported paths left out.</summary>
public static class KernelGenConfig
{
    /// <summary>The custom columns, in display order.</summary>
    public static IColumn[] Columns =>
    [
        new NanosecondsPerElementColumn(),
        new BytesPerElementColumn(),
        new GigabytesPerSecondColumn(),
        new RooflineColumn(),
        new TensorPrimitivesSpeedupColumn(),
        new OnnxRuntimeSpeedupColumn(),
        new WorstErrorColumn(),
    ];

    /// <summary>
    /// Adds the columns, the median and a declared order to <paramref name="config"/>, and leaves out
    /// the kernel paths this machine (or the runtime's configuration, e.g. DOTNET_EnableAVX512=0) lacks.
    /// </summary>
    public static ManualConfig Apply(ManualConfig config)
    {
        System.ArgumentNullException.ThrowIfNull(config);
        return config
            .AddColumn(StatisticColumn.Median)
            .AddColumn(Columns)
            .AddFilter(new SimpleFilter(static benchmark => BenchmarkMethodInfo.Of(benchmark.Descriptor.WorkloadMethod)?.IsSupported ?? true))
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(20));
    }
}
