using System;
using System.Linq;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks.Check;

/// <summary>
/// KernelGen's dispatched kernels and ONNX Runtime's operators on the same inputs (the benchmarks'
/// logits, weights, biases and targets): Softmax, LogSoftmax, LayerNormalization, RMSNormalization and
/// SoftmaxCrossEntropyLoss (mean, ignore_index −100). The worst difference between the two, in units of
/// float rounding of the value (2⁻²⁴·(1 + |ONNX Runtime's value|)), must stay within
/// <see cref="Tolerance"/>: both are within a few units of the exact result at these sizes
/// (docs/accuracy.md), so a wrong formula, option or axis on either side shows at once.
/// Part of <c>--check</c> and <c>--smoke</c> (so CI runs it).
/// </summary>
public static class OnnxAgreement
{
    /// <summary>KernelGen's tolerance plus ONNX Runtime's own error at these row lengths, in units.</summary>
    public const double Tolerance = 32;

    private const double Unit = 1.0 / (1 << 24);

    /// <summary>Runs every comparison, prints one line each, and returns the number of failures.</summary>
    public static int Run()
    {
        int failures = 0;
        failures += Report("Softmax", RowShape.Parse("64x4096"), static (shape, x, y) =>
        {
            BenchKernels.SoftmaxAuto(x, y, shape.RowLength);
        }, OnnxOperator.Softmax);
        failures += Report("LogSoftmax", RowShape.Parse("64x4096"), static (shape, x, y) =>
        {
            BenchKernels.LogSoftmaxAuto(x, y, shape.RowLength);
        }, OnnxOperator.LogSoftmax);
        failures += ReportMaskedSoftmax();
        failures += ReportNorm("LayerNormalization", OnnxOperator.LayerNormalization, NormEpsilon.LayerNorm);
        failures += ReportNorm("RMSNormalization", OnnxOperator.RmsNormalization, NormEpsilon.RmsNorm);
        failures += ReportCrossEntropy();
        return failures;
    }

    private static int Report(string name, RowShape shape, Action<RowShape, ArraySegment<float>, ArraySegment<float>> kernel, OnnxOperator op)
    {
        ArraySegment<float> x = AlignedArray.CopyOf(InputCache.Logits(shape));
        ArraySegment<float> ours = AlignedArray.Create(x.Count), theirs = AlignedArray.Create(x.Count);
        kernel(shape, x, ours);
        using (var onnx = new OnnxSoftmax(op, x, theirs, shape.Rows, shape.RowLength))
        {
            onnx.Run();
        }

        return Print(name, shape, Worst(ours, theirs));
    }

    private static int ReportNorm(string name, OnnxOperator op, double epsilon)
    {
        RowShape shape = RowShape.Parse("64x4096");
        bool layer = op == OnnxOperator.LayerNormalization;
        ArraySegment<float> x = AlignedArray.CopyOf(InputCache.Logits(shape));
        ArraySegment<float> weight = AlignedArray.CopyOf(InputCache.Weights(shape.RowLength));
        ArraySegment<float> bias = AlignedArray.CopyOf(InputCache.Biases(shape.RowLength));
        ArraySegment<float> ours = AlignedArray.Create(x.Count), theirs = AlignedArray.Create(x.Count);
        if (layer)
        {
            BenchKernels.LayerNorm(x, weight, bias, ours, shape.RowLength);
        }
        else
        {
            BenchKernels.RmsNorm(x, weight, ours, shape.RowLength);
        }

        using (var onnx = new OnnxNormalization(op, x, weight, layer ? bias : (ArraySegment<float>?)null, theirs, shape.Rows, shape.RowLength, epsilon))
        {
            onnx.Run();
        }

        return Print(name, shape, Worst(ours, theirs));
    }

    // Attention's softmax: [Softmax(Mask = true, Scale = 0.125)] against ONNX Runtime's Mul + Add + Softmax graph, one
    // mask row broadcast over the rows (zeros, −∞ for a quarter of the keys, a position bias −j/256 elsewhere).
    private static int ReportMaskedSoftmax()
    {
        RowShape shape = RowShape.Parse("64x4096");
        ArraySegment<float> x = AlignedArray.CopyOf(InputCache.Logits(shape));
        ArraySegment<float> mask = AlignedArray.CopyOf(AttentionSoftmaxBenchmarks.MaskRow(shape.RowLength));
        ArraySegment<float> scale = AlignedArray.CopyOf(Enumerable.Repeat(BenchKernels.AttentionScale, shape.RowLength).ToArray());
        ArraySegment<float> ours = AlignedArray.Create(x.Count), theirs = AlignedArray.Create(x.Count);
        BenchKernels.MaskedSoftmax(x, mask, ours, shape.RowLength);
        using (var onnx = new OnnxNormalization(OnnxOperator.ScaledMaskedSoftmax, x, scale, mask, theirs, shape.Rows, shape.RowLength, 0))
        {
            onnx.Run();
        }

        return Print("Mul + Add + Softmax (mask, scale)", shape, Worst(ours, theirs));
    }

    private static int ReportCrossEntropy()
    {
        RowShape shape = RowShape.Parse("64x32000");
        ArraySegment<float> x = AlignedArray.CopyOf(InputCache.Logits(shape));
        int[] targets = CrossEntropyTargets.Of(shape);
        ArraySegment<long> labels = AlignedArray.CopyOf(targets.Select(static t => (long)t).ToArray());
        float ours = BenchKernels.CrossEntropyMean(x, targets);
        float theirs;
        using (var onnx = new OnnxLoss(x, labels, shape.Rows, shape.RowLength, CrossEntropyTargets.IgnoreIndex))
        {
            theirs = onnx.Run();
        }

        // The loss is known to u·max|z| at best (docs/accuracy.md, "Cross-entropy").
        double magnitude = Math.Max(1, x.Max(Math.Abs));
        return Print("SoftmaxCrossEntropyLoss (mean)", shape, Math.Abs(ours - (double)theirs) / (Unit * magnitude));
    }

    private static double Worst(ArraySegment<float> ours, ArraySegment<float> theirs)
    {
        double worst = 0;
        for (int i = 0; i < ours.Count; i++)
        {
            double difference = Math.Abs(ours[i] - (double)theirs[i]);
            worst = Math.Max(worst, double.IsNaN(difference) ? double.PositiveInfinity : difference / (Unit * (1 + Math.Abs(theirs[i]))));
        }

        return worst;
    }

    private static int Print(string name, RowShape shape, double units)
    {
        bool ok = units <= Tolerance;
        Console.WriteLine($"agreement with ONNX Runtime: {name,-32} {shape,-10} worst difference {units,8:F2} units (limit {Tolerance}) {(ok ? "ok" : "FAIL")}");
        return ok ? 0 : 1;
    }
}
