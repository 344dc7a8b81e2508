using System;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// [Sparsemax] and [Entmax15] against our softmax on the same rows (no peer has sparsemax: neither TensorPrimitives
/// nor ONNX Runtime), at row lengths from 1 024 to 262 144 (2¹⁸ elements per call in all), on two inputs: logits
/// N(0,1)·4 (few candidates within 1 or 2 of the maximum: the common case) and U(0,1) (every element a candidate,
/// most in the support: the threshold search's worst case). Not a <see cref="RowBenchmark"/>: its shapes and inputs are its own.
/// </summary>
[MemoryDiagnoser]
public class SparseMapBenchmarks
{
    private const int Elements = 1 << 18;
    private float[] input = [];
    private float[] output = [];

    /// <summary>Elements per row.</summary>
    [Params(1024, 4096, 32768, 262144)]
    public int RowLength { get; set; }

    /// <summary>"Logits" (N(0,1)·4) or "Uniform01".</summary>
    [Params("Logits", "Uniform01")]
    public string Input { get; set; } = "Logits";

    /// <summary>Makes the rows.</summary>
    [GlobalSetup]
    public void Setup()
    {
        this.input = SparseMapInputs.Make(this.Input, Elements, 7);
        this.output = new float[Elements];
    }

    /// <summary>The baseline: our softmax (Auto) over the same rows.</summary>
    [Benchmark(Baseline = true)]
    public void Softmax() => BenchKernels.SoftmaxAuto(this.input, this.output, this.RowLength);

    /// <summary>Sparsemax, dispatched.</summary>
    [Benchmark]
    public void Sparsemax() => BenchSparseMapKernels.Sparsemax(this.input, this.output, this.RowLength);

    /// <summary>1.5-entmax, dispatched.</summary>
    [Benchmark]
    public void Entmax15() => BenchSparseMapKernels.Entmax15(this.input, this.output, this.RowLength);
}

/// <summary>The inputs of <see cref="SparseMapBenchmarks"/> and of the scaling check.</summary>
public static class SparseMapInputs
{
    /// <summary>"Logits": N(0,1)·4; "Uniform01": U(0,1).</summary>
    public static float[] Make(string kind, int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = kind == "Uniform01"
                ? (float)random.NextDouble()
                : (float)(4 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return x;
    }
}
