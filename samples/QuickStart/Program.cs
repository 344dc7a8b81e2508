// KernelGen quick start: declares kernels (Kernels.cs), runs each on every path this machine has,
// prints the path each one takes and its worst error against its Reference, then times softmax,
// LayerNorm and cross-entropy against TensorPrimitives and ONNX Runtime (one thread).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics.Tensors;
using KernelGen;
using KernelGen.Benchmarks.Onnx;
using QuickStart;

Console.WriteLine($"KernelGen quick start on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}");
var paths = new List<string>();
if (KernelGen.Runtime.VectorMath512.IsSupported) paths.Add("Avx512");
if (KernelGen.Runtime.VectorMath256.IsSupported) paths.Add("Avx2");
if (System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported) paths.Add("Neon");
if (KernelGen.Runtime.VectorMath128.IsSupported) paths.Add("Vector128");
paths.Add("Scalar");
Console.WriteLine($"Paths this machine runs: {string.Join(", ", paths)}");
Console.WriteLine();

// 1. Every kernel on every path: the worst error against its Reference, in units of float rounding
//    (relative error / (2^-24 · (1 + |x − max|/T)) for softmax, absolute / (2^-24 · (1 + |y|)) for log-softmax).
const int Rows = 64, RowLength = 1000;
float[] logits = Logits(Rows * RowLength, seed: 1, scale: 20);
logits[5] = 1e4f;                       // a logit that would overflow any exp not guarded by the max
logits[RowLength + 3] = float.NegativeInfinity;   // a masked position
Console.WriteLine($"{"kernel",-14} {"selected",-10} " + string.Join(" ", paths.Select(p => $"{p,10}")));
Report("Softmax", Kernels.SoftmaxPaths.Selected, p => RunPath(typeof(Kernels.SoftmaxPaths), p, logits, RowLength), logits, RowLength, 1.0, log: false);
Report("LogSoftmax", Kernels.LogSoftmaxPaths.Selected, p => RunPath(typeof(Kernels.LogSoftmaxPaths), p, logits, RowLength), logits, RowLength, 0.7, log: true);
float[] short64 = Logits(Rows * 64, seed: 2, scale: 4);
Report("Softmax64", Kernels.Softmax64Paths.Selected, p => RunPath(typeof(Kernels.Softmax64Paths), p, short64, 64), short64, 64, 1.0, log: false);
double[] doubles = Logits(RowLength, seed: 3, scale: 20).Select(v => (double)v).ToArray();
Report("SoftmaxDouble", Kernels.SoftmaxDoublePaths.Selected, p => RunDoublePath(p, doubles), doubles.Select(v => (float)v).ToArray(), RowLength, 1.0, log: false, reference: RunDoublePath("Reference", doubles), epsilon: Math.Pow(2, -53));

// The normalizations and the loss: absolute error / (2^-24 · (1 + |expected|)).
float[] hidden = Logits(Rows * RowLength, seed: 5, scale: 3);
for (int i = 0; i < RowLength; i++)
{
    hidden[i] += 1e4f;                  // a row with mean 10^4: the variance must still be exact
}

float[] gamma = Logits(RowLength, seed: 6, scale: 1), beta = Logits(RowLength, seed: 7, scale: 1);
ReportPlain("LayerNorm", Kernels.LayerNormPaths.Selected, path =>
{
    var output = new float[hidden.Length];
    typeof(Kernels.LayerNormPaths).GetMethod(path)!.CreateDelegate<AffineRowsKernel>()(hidden, gamma, beta, output, RowLength);
    return output;
});
ReportPlain("RmsNorm", Kernels.RmsNormPaths.Selected, path =>
{
    var output = new float[hidden.Length];
    typeof(Kernels.RmsNormPaths).GetMethod(path)!.CreateDelegate<WeightedRowsKernel>()(hidden, gamma, output, RowLength);
    return output;
});
int[] targets = Enumerable.Range(0, Rows).Select(r => (r * 37) % RowLength).ToArray();
targets[3] = -100;                      // an ignored row (PyTorch's ignore_index)
ReportPlain("CrossEntropy", Kernels.CrossEntropyPaths.Selected, path =>
{
    // The loss first, then the gradient: both are checked.
    var gradient = new float[logits.Length];
    float loss = typeof(Kernels.CrossEntropyPaths).GetMethod(path)!.CreateDelegate<LossKernel>()(logits, targets, gradient);
    return gradient.Prepend(loss).ToArray();
});
Console.WriteLine();

// 2. Timing, one thread: softmax over 1024 rows of 1024 floats.
const int TimedRows = 1024, TimedLength = 1024;
float[] x = Logits(TimedRows * TimedLength, seed: 4, scale: 4);
float[] y = new float[x.Length];
var timings = new List<(string Name, double NsPerElement)>
{
    ($"KernelGen Softmax ({Kernels.SoftmaxPaths.Selected})", Time(() => Kernels.Softmax(x, y, TimedLength), x.Length)),
};
foreach (string path in paths.Where(p => p != "Scalar" && p != Kernels.SoftmaxPaths.Selected.ToString()))
{
    timings.Add(($"KernelGen Softmax ({path})", Time(() => RunPathInto(typeof(Kernels.SoftmaxPaths), path, x, y, TimedLength), x.Length)));
}

timings.Add(("TensorPrimitives.SoftMax", Time(() =>
{
    for (int r = 0; r < TimedRows; r++)
    {
        TensorPrimitives.SoftMax(x.AsSpan(r * TimedLength, TimedLength), y.AsSpan(r * TimedLength, TimedLength));
    }
}, x.Length)));
timings.Add(("TensorPrimitives stable (Max, Subtract, Exp, Sum, Divide)", Time(() =>
{
    for (int r = 0; r < TimedRows; r++)
    {
        Span<float> row = y.AsSpan(r * TimedLength, TimedLength);
        ReadOnlySpan<float> input = x.AsSpan(r * TimedLength, TimedLength);
        TensorPrimitives.Subtract(input, TensorPrimitives.Max(input), row);
        TensorPrimitives.Exp(row, row);
        TensorPrimitives.Divide(row, TensorPrimitives.Sum(row), row);
    }
}, x.Length)));
using (var onnx = new OnnxSoftmax(OnnxOperator.Softmax, x, y, TimedRows, TimedLength))
{
    timings.Add(("ONNX Runtime Softmax (1 thread)", Time(onnx.Run, x.Length)));
}

PrintTimings($"Softmax, {TimedRows} x {TimedLength} floats, one thread (median of 7 runs; the machine may be noisy: see docs/benchmarks.md for BenchmarkDotNet figures)", timings);

// 3. LayerNorm over 256 tokens of 4096 features.
const int Tokens = 256, Features = 4096;
float[] h = Logits(Tokens * Features, seed: 8, scale: 3);
float[] hOut = new float[h.Length];
float[] g4096 = Logits(Features, seed: 9, scale: 1), b4096 = Logits(Features, seed: 10, scale: 1);
var normTimings = new List<(string Name, double NsPerElement)>
{
    ($"KernelGen LayerNorm ({Kernels.LayerNormPaths.Selected})", Time(() => Kernels.LayerNorm(h, g4096, b4096, hOut, Features), h.Length)),
    ("TensorPrimitives (Sum, Subtract, SumOfSquares, Multiply, MultiplyAdd)", Time(() =>
    {
        for (int r = 0; r < Tokens; r++)
        {
            ReadOnlySpan<float> row = h.AsSpan(r * Features, Features);
            Span<float> output = hOut.AsSpan(r * Features, Features);
            float mean = TensorPrimitives.Sum(row) / Features;
            TensorPrimitives.Subtract(row, mean, output);
            float scale = 1f / MathF.Sqrt((TensorPrimitives.SumOfSquares<float>(output) / Features) + 1e-5f);
            TensorPrimitives.Multiply(output, scale, output);
            TensorPrimitives.MultiplyAdd(output, g4096, b4096, output);
        }
    }, h.Length)),
};
using (var onnx = new OnnxNormalization(OnnxOperator.LayerNormalization, h, g4096, b4096, hOut, Tokens, Features, 1e-5))
{
    normTimings.Add(("ONNX Runtime LayerNormalization (1 thread)", Time(onnx.Run, h.Length)));
}

PrintTimings($"LayerNorm, {Tokens} x {Features} floats, one thread", normTimings);

// 4. Cross-entropy, loss and gradient, over 64 tokens of a 32000-word vocabulary.
const int Batch = 64, Vocabulary = 32000;
float[] z = Logits(Batch * Vocabulary, seed: 11, scale: 4);
float[] dz = new float[z.Length];
int[] labels = Enumerable.Range(0, Batch).Select(r => (r * 7919) % Vocabulary).ToArray();
var lossTimings = new List<(string Name, double NsPerElement)>
{
    ($"KernelGen CrossEntropy, loss + gradient ({Kernels.CrossEntropyPaths.Selected})", Time(() => Kernels.CrossEntropy(z, labels, dz), z.Length)),
    ("TensorPrimitives (Max, Subtract, Exp, Sum, Multiply, Add, Sum)", Time(() =>
    {
        // The same smoothed loss and gradient: g = (softmax − (1 − ε)·onehot − ε/K)/rows.
        const float Smoothing = 0.1f;
        double total = 0;
        for (int r = 0; r < Batch; r++)
        {
            ReadOnlySpan<float> row = z.AsSpan(r * Vocabulary, Vocabulary);
            Span<float> grad = dz.AsSpan(r * Vocabulary, Vocabulary);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, grad);
            TensorPrimitives.Exp(grad, grad);
            float sum = TensorPrimitives.Sum(grad);
            TensorPrimitives.Multiply(grad, 1f / (sum * Batch), grad);
            TensorPrimitives.Add(grad, -Smoothing / Vocabulary / Batch, grad);
            grad[labels[r]] -= (1 - Smoothing) / Batch;
            double lse = max + Math.Log(sum);
            total += lse - ((1 - Smoothing) * row[labels[r]]) - (Smoothing / Vocabulary * TensorPrimitives.Sum(row));
        }

        GC.KeepAlive(total);
    }, z.Length)),
};
PrintTimings($"Cross-entropy loss + gradient, {Batch} x {Vocabulary} floats, one thread", lossTimings);

return 0;

static void PrintTimings(string title, List<(string Name, double NsPerElement)> timings)
{
    double ours = timings[0].NsPerElement;
    Console.WriteLine(title);
    Console.WriteLine($"{"",-70} {"ns/element",10} {"vs KernelGen",12}");
    foreach ((string name, double ns) in timings)
    {
        Console.WriteLine($"{name,-70} {ns,10:F3} {ns / ours,11:F2}x");
    }

    Console.WriteLine();
}

// Worst absolute error / (2^-24 · (1 + |expected|)) of every path against the Reference.
static void ReportPlain(string name, KernelPath selected, Func<string, float[]> run)
{
    float[] expected = run("Reference");
    var cells = new List<string>();
    foreach (string path in new[] { "Avx512", "Avx2", "Neon", "Vector128", "Scalar" }.Where(IsAvailable))
    {
        float[] actual = run(path);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i] != expected[i])
            {
                worst = Math.Max(worst, Math.Abs(actual[i] - (double)expected[i]) / ((1 + Math.Abs((double)expected[i])) / (1 << 24)));
            }
        }

        cells.Add($"{worst,10:F2}");
    }

    Console.WriteLine($"{name,-14} {selected,-10} {string.Join(" ", cells)}");
}

static float[] Logits(int count, int seed, float scale)
{
    var random = new Random(seed);
    return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * 2 * scale)).ToArray();
}

static float[] RunPath(Type pathsType, string path, float[] input, int rowLength)
{
    var output = new float[input.Length];
    RunPathInto(pathsType, path, input, output, rowLength);
    return output;
}

static void RunPathInto(Type pathsType, string path, float[] input, float[] output, int rowLength)
{
    var method = pathsType.GetMethod(path)!.CreateDelegate<RowsKernel>();
    method(input, output, rowLength);
}

static double[] RunDoublePath(string path, double[] input)
{
    var output = new double[input.Length];
    typeof(Kernels.SoftmaxDoublePaths).GetMethod(path)!.CreateDelegate<RowKernel>()(input, output);
    return output;
}

static void Report(string name, KernelPath selected, Func<string, Array> run, float[] x, int rowLength, double temperature, bool log, Array? reference = null, double epsilon = 1.0 / (1 << 24))
{
    Array expected = reference ?? run("Reference");
    var cells = new List<string>();
    foreach (string path in new[] { "Avx512", "Avx2", "Neon", "Vector128", "Scalar" })
    {
        if (!IsAvailable(path))
        {
            continue;
        }

        Array actual = run(path);
        double worst = 0;
        for (int start = 0; start < x.Length && start < actual.Length; start += rowLength)
        {
            float max = x.AsSpan(start, Math.Min(rowLength, actual.Length - start)).ToArray().Max();
            for (int i = start; i < start + rowLength && i < actual.Length; i++)
            {
                double a = Convert.ToDouble(actual.GetValue(i)), e = Convert.ToDouble(expected.GetValue(i));
                if (double.IsInfinity(e) || a == e)
                {
                    continue;
                }

                double units = log
                    ? Math.Abs(a - e) / (epsilon * (1 + Math.Abs(e)))
                    : Math.Abs(a - e) / Math.Max(Math.Abs(e), 1e-38) / (epsilon * (1 + (Math.Abs(x[i] - max) / temperature)));
                worst = Math.Max(worst, units);
            }
        }

        cells.Add($"{worst,10:F2}");
    }

    Console.WriteLine($"{name,-14} {selected,-10} {string.Join(" ", cells)}");
}

static bool IsAvailable(string path) => path switch
{
    "Avx512" => KernelGen.Runtime.VectorMath512.IsSupported,
    "Avx2" => KernelGen.Runtime.VectorMath256.IsSupported,
    "Neon" => System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported,
    "Vector128" => KernelGen.Runtime.VectorMath128.IsSupported,
    _ => true,
};

static double Time(Action action, int elements)
{
    for (var warm = Stopwatch.StartNew(); warm.ElapsedMilliseconds < 100;)
    {
        action();
    }

    int repetitions = Math.Max(1, (int)(2e7 / elements));
    var samples = new List<double>();
    for (int s = 0; s < 7; s++)
    {
        var watch = Stopwatch.StartNew();
        for (int r = 0; r < repetitions; r++)
        {
            action();
        }

        samples.Add(watch.Elapsed.TotalNanoseconds / repetitions / elements);
    }

    samples.Sort();
    return samples[samples.Count / 2];
}

/// <summary>A many-rows kernel path.</summary>
internal delegate void RowsKernel(ReadOnlySpan<float> input, Span<float> output, int rowLength);

/// <summary>A one-row double kernel path.</summary>
internal delegate void RowKernel(ReadOnlySpan<double> input, Span<double> output);

/// <summary>A many-rows normalization with γ and β.</summary>
internal delegate void AffineRowsKernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);

/// <summary>A many-rows normalization with γ.</summary>
internal delegate void WeightedRowsKernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, int rowLength);

/// <summary>A reduced loss with its gradient.</summary>
internal delegate float LossKernel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);
