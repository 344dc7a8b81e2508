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
    /// the kernel paths this machine (or the runtime's configuration, e.g. DOTNET_EnableAVX512=0) lacks,
    /// and the cases of a <c>Width = N</c> kernel at shapes whose rows are not N long.
    /// </summary>
    public static ManualConfig Apply(ManualConfig config)
    {
        System.ArgumentNullException.ThrowIfNull(config);
        return config
            // Building the child project takes ~2 min on 2 busy cores: BenchmarkDotNet's default of 2 min is too tight.
            .WithBuildTimeout(System.TimeSpan.FromMinutes(10))
            .AddColumn(StatisticColumn.Median)
            .AddColumn(Columns)
            .AddFilter(new SimpleFilter(static benchmark => BenchmarkMethodInfo.CanRun(benchmark.Descriptor.WorkloadMethod)
                && (BenchmarkMethodInfo.Of(benchmark.Descriptor.WorkloadMethod) is not { } info
                    || SummaryLookup.Shape(benchmark) is not RowShape shape || info.Accepts(shape.RowLength))))
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(20));
    }
}
