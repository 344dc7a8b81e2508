using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelGen.Benchmarks.Check;
using KernelGen.Benchmarks.Columns;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/KernelGen.Benchmarks -- [args]</c>:
/// BenchmarkDotNet's switcher by default; <c>--check</c> for the correctness check;
/// <c>--smoke</c> for a dry job over a small subset (CI); <c>--ratios [text]</c> for every performance target as a paired
/// ratio measured in one process (<see cref="PairedRatios"/>; a text narrows the targets). <c>--shapes A,B</c> narrows the
/// shapes of the BenchmarkDotNet modes.
/// </summary>
public static class Program
{
    /// <summary>The entry point.</summary>
    public static int Main(string[] args)
    {
        var rest = new List<string>();
        bool check = false, smoke = false, ratios = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--check":
                    check = true;
                    break;
                case "--smoke":
                    smoke = true;
                    break;
                case "--ratios":
                    ratios = true;
                    break;
                case "--shapes" when i + 1 < args.Length:
                    BenchShapes.Select(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries));
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        if (check)
        {
            // Anything left names the classes to check, e.g. "--check SoftmaxAlgorithms SoftmaxUnroll".
            return CorrectnessCheck.Run(rest);
        }

        if (smoke)
        {
            return Smoke();
        }

        if (ratios)
        {
            return PairedRatios.Run(rest.Count == 0 ? null : string.Join(' ', rest));
        }

        ManualConfig config = KernelGenConfig.Apply(ManualConfig.Create(DefaultConfig.Instance));
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config);
        return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;
    }

    // A dry job (one launch, one iteration, no warm-up) over a few methods at one shape per class: it proves
    // that the benchmarks build, run and fill every column, not how fast they are.
    private static int Smoke()
    {
        // KernelGen and ONNX Runtime on the same inputs first: CI's check that both compute the same functions.
        if (Check.OnnxAgreement.Run() != 0)
        {
            Console.WriteLine("smoke: KernelGen and ONNX Runtime disagree (see above)");
            return 1;
        }

        if (BenchShapes.Selection is null)
        {
            // 1024x1024 for the softmax classes, 256x4096 for the normalizations, 64x32000 for cross-entropy
            // (each class offers one of them).
            BenchShapes.Select(["1024x1024", "256x4096", "64x32000"]);
        }

        string[] methods =
        [
            "SoftmaxAlgorithms.Dispatched_Auto",
            "SoftmaxAlgorithms.Avx512_TwoPass",
            "SoftmaxAlgorithms.TensorPrimitives_SoftMax",
            "SoftmaxAlgorithms.TensorPrimitives_Stable",
            "SoftmaxAlgorithms.OnnxRuntime_Softmax",
            "SoftmaxAlgorithms.Copy",
            "LogSoftmaxAlgorithms.Avx512_Auto",
            "LogSoftmaxAlgorithms.TensorPrimitives_Composition",
            "LogSoftmaxAlgorithms.OnnxRuntime_LogSoftmax",
            "LayerNormBenchmarks.Dispatched",
            "LayerNormBenchmarks.TensorPrimitives_Composition",
            "LayerNormBenchmarks.OnnxRuntime_LayerNormalization",
            "RmsNormBenchmarks.Avx512_Width4096",
            "RmsNormBenchmarks.OnnxRuntime_RmsNormalization",
            "RmsNormBenchmarks.Dispatched_Residual",
            "RmsNormBenchmarks.Separate_AddThenNorm",
            "AttentionSoftmaxBenchmarks.MaskedSoftmax_Dispatched",
            "AttentionSoftmaxBenchmarks.OnnxRuntime_MulAddSoftmax",
            "CrossEntropyBenchmarks.Dispatched_Forward",
            "CrossEntropyBenchmarks.Dispatched_ForwardGradient",
            "CrossEntropyBenchmarks.TensorPrimitives_ForwardGradient",
            "CrossEntropyBenchmarks.OnnxRuntime_SoftmaxCrossEntropyLoss",
            "SoftmaxVariantBenchmarks.StableMax_Dispatched",
            "SoftmaxVariantBenchmarks.Softmax_Dispatched",
            "SoftmaxVariantBenchmarks.SigmoidNormalize_Dispatched",
            "SoftmaxVariantBenchmarks.TensorPrimitives_Sigmoid",
            "SoftmaxVariantBenchmarks.GumbelSoftmax_Seeded_Dispatched",
            "SoftmaxVariantBenchmarks.GumbelSoftmax_Noise_Dispatched",
            "SoftmaxVariantBenchmarks.TopK2Softmax_Dispatched",
            "SoftmaxVariantBenchmarks.TopK8Softmax_Dispatched",
        ];
        ManualConfig config = KernelGenConfig.Apply(ManualConfig.CreateMinimumViable())
            .AddJob(Job.Dry)
            .AddFilter(new SimpleFilter(benchmark => methods.Contains(benchmark.Descriptor.Type.Name + "." + benchmark.Descriptor.WorkloadMethod.Name)))
            .WithOptions(ConfigOptions.JoinSummary);
        Summary[] summaries = BenchmarkRunner.Run([typeof(SoftmaxAlgorithms), typeof(LogSoftmaxAlgorithms), typeof(LayerNormBenchmarks), typeof(RmsNormBenchmarks), typeof(CrossEntropyBenchmarks), typeof(SoftmaxVariantBenchmarks), typeof(AttentionSoftmaxBenchmarks)], config);
        int cases = summaries.Sum(summary => summary.Reports.Length);
        bool failed = cases == 0 || summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));

        // The accuracy column ran each method once in this process: a NaN output, an exception or a
        // modified input there is a failure too (the tolerances themselves are --check's business).
        var errors = new WorstErrorColumn();
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                string value = errors.GetValue(summary, report.BenchmarkCase);
                if (value.Contains("NaN", StringComparison.Ordinal) || value.Contains("error", StringComparison.Ordinal) || value.EndsWith('!'))
                {
                    Console.WriteLine($"smoke: {report.BenchmarkCase.DisplayInfo}: accuracy column says '{value}'");
                    failed = true;
                }
            }
        }

        Console.WriteLine($"smoke: {cases} benchmark cases ran, {(failed ? "with failures" : "all succeeded")}");
        return failed ? 1 : 0;
    }
}
