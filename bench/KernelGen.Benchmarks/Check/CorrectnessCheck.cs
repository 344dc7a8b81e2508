using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.Benchmarks.Check;

/// <summary>
/// <c>--check</c>: runs every benchmark method of every class once at each of its shapes, in this
/// process, and compares the output with the double reference. Fails on an error over the
/// tolerance, an unwritten or NaN output, or a modified input.
/// </summary>
public static class CorrectnessCheck
{
    /// <summary>testing.md's accuracy target for KernelGen kernels, for rows up to about a million elements.</summary>
    public const double KernelTolerance = 16;

    /// <summary>Rows longer than this are past testing.md's target; they get <see cref="LongRowKernelTolerance"/>.</summary>
    public const int LongRow = 1 << 20;

    /// <summary>The tolerance of KernelGen kernels on rows longer than <see cref="LongRow"/>.</summary>
    public const double LongRowKernelTolerance = 64;

    /// <summary>
    /// The peers are checked for computing the right function, not for KernelGen's accuracy target
    /// (ONNX Runtime's float sum drifts to ~87 units at 1e6 elements): 2^16 units is a relative error
    /// of about 0.4% on the largest outputs, far below what a wrong axis or a wrong operator gives.
    /// </summary>
    public const double PeerTolerance = 65536;

    /// <summary>Runs the check; returns the process exit code (0 when every method passed).</summary>
    public static int Run(IReadOnlyCollection<string>? classFilter)
    {
        var total = Stopwatch.StartNew();
        int failures = SelfTest();
        failures += OnnxAgreement.Run();
        int passed = 0, skipped = 0;
        Console.WriteLine($"Dispatched path: {PathSupport.Selected}; paths here: {string.Join(", ", Enum.GetValues<KernelPath>().Where(PathSupport.IsSupported))}");
        Console.WriteLine($"{"class.method",-64} {"shape",-11} {"worst",9} {"limit",7}  result");
        foreach (Type type in BenchmarkInvoker.BenchmarkTypes())
        {
            if (classFilter is { Count: > 0 } && !classFilter.Any(name => type.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var probe = (RowBenchmark)Activator.CreateInstance(type)!;
            foreach (string shape in probe.ShapeValues)
            {
                foreach (MethodInfo method in BenchmarkInvoker.BenchmarkMethods(type))
                {
                    string name = $"{type.Name}.{method.Name}";
                    BenchmarkMethodInfo? info = BenchmarkMethodInfo.Of(method);
                    if (!BenchmarkMethodInfo.CanRun(method))
                    {
                        Console.WriteLine($"{name,-64} {shape,-11} {"",9} {"",7}  SKIP (path not supported here)");
                        skipped++;
                        continue;
                    }

                    if (info is not null && !info.Accepts(RowShape.Parse(shape).RowLength))
                    {
                        Console.WriteLine($"{name,-64} {shape,-11} {"",9} {"",7}  SKIP (Width = {info.Kernel!.Width} kernel)");
                        skipped++;
                        continue;
                    }

                    double limit = info is null ? 0 : Tolerance(info, RowShape.Parse(shape));
                    string verdict;
                    string worstText;
                    try
                    {
                        BenchmarkInvoker.Outcome outcome = BenchmarkInvoker.Run(type, method, [new("Shape", shape)]);
                        worstText = double.IsPositiveInfinity(outcome.WorstUnits) ? "NaN/inf" : outcome.WorstUnits.ToString("0.00", CultureInfo.InvariantCulture);
                        bool ok = outcome.WorstUnits <= limit && !outcome.InputModified;
                        verdict = ok ? "ok" : outcome.InputModified ? "FAIL (input modified)" : "FAIL";
                        if (outcome.Detail is not null)
                        {
                            verdict += $" ({outcome.Detail})";
                        }

                        if (ok)
                        {
                            passed++;
                        }
                        else
                        {
                            failures++;
                        }
                    }
                    catch (Exception exception)
                    {
                        Exception cause = exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
                        worstText = "-";
                        verdict = $"FAIL ({cause.GetType().Name}: {cause.Message})";
                        failures++;
                    }

                    Console.WriteLine($"{name,-64} {shape,-11} {worstText,9} {limit,7:0}  {verdict}");
                }
            }
        }

        if (classFilter is not { Count: > 0 } || classFilter.Any(static name => name.Equals(nameof(SparseMapScaling), StringComparison.OrdinalIgnoreCase)))
        {
            // The sparse maps' scaling with the row length (a Stopwatch measure; see SparseMapScaling).
            int scalingFailures = SparseMapScaling.Run();
            failures += scalingFailures;
            passed += scalingFailures == 0 ? 1 : 0;
        }

        Console.WriteLine($"check: {passed} passed, {failures} failed, {skipped} skipped in {total.Elapsed.TotalSeconds:0.0} s");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The error allowed to a method at a shape.</summary>
    public static double Tolerance(BenchmarkMethodInfo info, RowShape shape)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Operation == Operation.Copy)
        {
            return 0;
        }

        if (info.Kernel is null)
        {
            return PeerTolerance;
        }

        return shape.RowLength > LongRow ? LongRowKernelTolerance : KernelTolerance;
    }

    // The ONNX model writer, on cases small enough to know the answer.
    private static int SelfTest()
    {
        int failures = 0;
        float[] input = [1, 2, 3, 4, -1, 0, 1, 1000];
        float[] output = new float[input.Length];
        double[] softmax = [0.0320586, 0.0871443, 0.2368828, 0.6439143, 0, 0, 0, 1];
        using (var onnx = new OnnxSoftmax(OnnxOperator.Softmax, input, output, 2, 4))
        {
            onnx.Run();
        }

        for (int i = 0; i < input.Length; i++)
        {
            if (Math.Abs(output[i] - softmax[i]) > 1e-6)
            {
                Console.WriteLine($"self-test FAIL: ONNX Softmax[{i}] = {output[i]}, expected {softmax[i]}");
                failures++;
            }
        }

        using (var onnx = new OnnxSoftmax(OnnxOperator.LogSoftmax, input, output, 2, 4))
        {
            onnx.Run();
        }

        for (int i = 0; i < 4; i++)
        {
            double expected = Math.Log(softmax[i]);
            if (Math.Abs(output[i] - expected) > 1e-5)
            {
                Console.WriteLine($"self-test FAIL: ONNX LogSoftmax[{i}] = {output[i]}, expected {expected}");
                failures++;
            }
        }

        failures += NormalizationSelfTest(OnnxOperator.LayerNormalization, input, NormEpsilon.LayerNorm);
        failures += NormalizationSelfTest(RmsNormBenchmarks.OnnxRmsOperator, input, NormEpsilon.RmsNorm);
        failures += CrossEntropySelfTest();
        Console.WriteLine(failures == 0
            ? $"self-test: the in-memory ONNX models ({OnnxModelWriter.Write(OnnxOperator.Softmax, 2, 4).Length} bytes) compute Softmax and LogSoftmax over the last axis, "
                + $"LayerNormalization and {RmsNormBenchmarks.OnnxRmsOperator} ({OnnxModelWriter.Write(OnnxOperator.LayerNormalization, 2, 4, NormEpsilon.LayerNorm).Length} bytes) over rows of 4 with γ and β, "
                + $"and SoftmaxCrossEntropyLoss ({OnnxModelWriter.WriteCrossEntropy(3, 4, CrossEntropyTargets.IgnoreIndex).Length} bytes) as the mean over the rows not ignored"
            : "self-test: FAILED");
        return failures;
    }

    // Three rows of 4 classes through ONNX SoftmaxCrossEntropyLoss (mean, ignore_index −100), the middle row
    // ignored and the last one with an outlier, against the mean of log Σ exp(x) − x_y in double over the two rows that count.
    private static int CrossEntropySelfTest()
    {
        const int n = 4;
        float[] scores = [1, 2, 3, 4, 5, -7, 0.5f, 2, -1, 0, 1, 1000];
        long[] labels = [2, CrossEntropyTargets.IgnoreIndex, 0];
        double expected = 0;
        int counted = 0;
        for (int row = 0; row < labels.Length; row++)
        {
            if (labels[row] == CrossEntropyTargets.IgnoreIndex)
            {
                continue;
            }

            double max = double.NegativeInfinity, sum = 0;
            for (int i = row * n; i < (row + 1) * n; i++)
            {
                max = Math.Max(max, scores[i]);
            }

            for (int i = row * n; i < (row + 1) * n; i++)
            {
                sum += Math.Exp(scores[i] - max);
            }

            expected += max + Math.Log(sum) - scores[(row * n) + (int)labels[row]];
            counted++;
        }

        expected /= counted;    // (1.4076059 + 1001) / 2
        float loss;
        try
        {
            using var onnx = new OnnxLoss(scores, labels, labels.Length, n, CrossEntropyTargets.IgnoreIndex);
            loss = onnx.Run();
        }
        catch (OnnxRuntimeException exception)
        {
            Console.WriteLine($"self-test FAIL: ONNX SoftmaxCrossEntropyLoss: {exception.Message}");
            return 1;
        }

        if (!(Math.Abs(loss - expected) <= 1e-6 * (1 + Math.Abs(expected))))
        {
            Console.WriteLine($"self-test FAIL: ONNX SoftmaxCrossEntropyLoss = {loss}, expected {expected}");
            return 1;
        }

        return 0;
    }

    // Two rows of 4 through the ONNX normalization, against the formula in double.
    private static int NormalizationSelfTest(OnnxOperator op, float[] input, double epsilon)
    {
        const int n = 4;
        bool layer = op == OnnxOperator.LayerNormalization;
        float[] weight = [1, 2, 0.5f, -1];
        float[]? bias = layer ? [0, 1, -1, 0.5f] : null;
        float[] output = new float[input.Length];
        try
        {
            using var onnx = new OnnxNormalization(op, input, weight, bias is null ? (ArraySegment<float>?)null : new ArraySegment<float>(bias), output, input.Length / n, n, epsilon);
            onnx.Run();
        }
        catch (OnnxRuntimeException exception)
        {
            Console.WriteLine($"self-test FAIL: ONNX {op}: {exception.Message}");
            return 1;
        }

        int failures = 0;
        for (int start = 0; start < input.Length; start += n)
        {
            double mean = 0, meanSquare = 0;
            for (int i = start; i < start + n; i++)
            {
                mean += input[i] / (double)n;
            }

            for (int i = start; i < start + n; i++)
            {
                double d = layer ? input[i] - mean : input[i];
                meanSquare += d * d / n;
            }

            double inverse = 1 / Math.Sqrt(meanSquare + epsilon);
            for (int i = start; i < start + n; i++)
            {
                double expected = layer
                    ? (weight[i - start] * (input[i] - mean) * inverse) + bias![i - start]
                    : weight[i - start] * input[i] * inverse;
                if (!(Math.Abs(output[i] - expected) <= 1e-5 * (1 + Math.Abs(expected))))
                {
                    Console.WriteLine($"self-test FAIL: ONNX {op}[{i}] = {output[i]}, expected {expected}");
                    failures++;
                }
            }
        }

        return failures;
    }
}
