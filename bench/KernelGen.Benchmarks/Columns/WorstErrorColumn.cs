using System;
using System.Collections.Concurrent;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks.Columns;

/// <summary>
/// The worst error of the method's output on the benchmark's own input against the double reference,
/// in the units of testing.md §4 (softmax, log-softmax), of accuracy.md "Normalizations" (LayerNorm,
/// RmsNorm) and of LossTests (cross-entropy: the returned loss and the gradient). Computed in the host
/// process by running the method once.
/// </summary>
public sealed class WorstErrorColumn() : KernelColumn(7)
{
    private static readonly ConcurrentDictionary<string, string?> Cache = new();

    public override string ColumnName => "Err(units)";

    public override string Legend =>
        "Worst error over the benchmark's input vs a double reference: softmax |y-r|/max(|r|,2^-126) / (2^-24(1+|x_i-max|)), " +
        "log-softmax |y-r| / (2^-24(1+|r|)), LayerNorm |y-r| / (2^-24(|g|(1+|xhat|)+|b|)), RmsNorm |y-r| / (2^-24|r|); " +
        "cross-entropy: the larger of the mean loss's |l-r| / (2^-24 max(1,max|z|)) and (with a gradient) the gradient's |g-r| / (2^-24 scale), scale = 1/rows counted; " +
        "measured in the host process by running the method once; '!' marks a method that wrote to its input (or its weight or bias)";

    protected override string? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (SummaryLookup.Info(benchmarkCase) is not { Operation: not Operation.Copy } info || !info.IsSupported)
        {
            return null;
        }

        string key = benchmarkCase.Descriptor.Type.FullName + "." + benchmarkCase.Descriptor.WorkloadMethod.Name + "/" + benchmarkCase.Parameters.DisplayInfo;
        return Cache.GetOrAdd(key, _ =>
        {
            try
            {
                BenchmarkInvoker.Outcome outcome = BenchmarkInvoker.Run(
                    benchmarkCase.Descriptor.Type,
                    benchmarkCase.Descriptor.WorkloadMethod,
                    benchmarkCase.Parameters.Items.Select(p => new System.Collections.Generic.KeyValuePair<string, object?>(p.Name, p.Value)));
                string text = double.IsPositiveInfinity(outcome.WorstUnits) ? "NaN/inf" : Format(outcome.WorstUnits, outcome.WorstUnits < 100 ? "0.00" : "0");
                return outcome.InputModified ? text + "!" : text;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                return "error: " + (exception.InnerException ?? exception).GetType().Name;
            }
        });
    }
}
