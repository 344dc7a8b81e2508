using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks;

/// <summary>
/// LayerNorm (γ and β, ε = 1e-5): the generated kernel through its entry point and its vector paths,
/// the <c>Width = 4096</c> kernel, against a TensorPrimitives composition and ONNX Runtime's LayerNormalization.
/// </summary>
[MemoryDiagnoser]
public class LayerNormBenchmarks : NormBenchmark
{
    private OnnxNormalization? onnx;

    /// <summary>Creates the ONNX Runtime session, bound to this benchmark's arrays.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime_LayerNormalization))]
    public void SetupOnnx()
    {
        this.Setup();
        this.onnx = new OnnxNormalization(
            OnnxOperator.LayerNormalization, this.Input, this.Weight, this.Bias, this.Output, this.RowShape.Rows, this.RowShape.RowLength, NormEpsilon.LayerNorm);
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    [GlobalCleanup(Target = nameof(OnnxRuntime_LayerNormalization))]
    public void CleanupOnnx()
    {
        this.onnx?.Dispose();
        this.onnx = null;
        this.Cleanup();
    }

    [Benchmark]
    [KernelBenchmark(Operation.LayerNorm)]
    public void Dispatched() => BenchKernels.LayerNorm(this.Input, this.Weight, this.Bias, this.Output, this.RowLength);

    /// <summary><see cref="Dispatched"/> with <see cref="Runtime.CacheHints.StreamingStores"/> off: the output written with ordinary stores at every size (the same bits), to time what streaming gains out of cache.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.LayerNorm)]
    public void Dispatched_NoStreaming()
    {
        Runtime.CacheHints.StreamingStores = false;
        BenchKernels.LayerNorm(this.Input, this.Weight, this.Bias, this.Output, this.RowLength);
        Runtime.CacheHints.StreamingStores = true;
    }

    [Benchmark]
    [KernelBenchmark(Operation.LayerNorm, KernelPath.Avx512)]
    public void Avx512() => BenchKernels.LayerNormPaths.Avx512(this.Input, this.Weight, this.Bias, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LayerNorm, KernelPath.Avx2)]
    public void Avx2() => BenchKernels.LayerNormPaths.Avx2(this.Input, this.Weight, this.Bias, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.LayerNorm, KernelPath.Vector128)]
    public void Vector128() => BenchKernels.LayerNormPaths.Vector128(this.Input, this.Weight, this.Bias, this.Output, this.RowLength);

    /// <summary>The <c>Width = 4096</c> kernel: runs at row length 4096 only (left out of the other shapes).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.LayerNorm, KernelPath.Avx512, Width = 4096)]
    public void Avx512_Width4096() => BenchKernels.LayerNormWidth4096Paths.Avx512(this.Input, this.Weight, this.Bias, this.Output, this.RowLength);

    /// <summary>
    /// The fastest TensorPrimitives composition measured, row by row: Sum (μ); Subtract (x − μ → y);
    /// SumOfSquares (of y: σ², two-pass); Multiply (y·1/sqrt(σ² + ε), in place); FusedMultiplyAdd
    /// (y·γ + β, in place). Passes over the row: 5 reads and 3 writes (γ and β not counted).
    /// </summary>
    /// <remarks>
    /// Also measured (Stopwatch, this machine), and slower at every shape: Sum and SumOfSquares of x
    /// (one-pass σ²) then FusedMultiplyAdd(x, γ/σ, β − μγ/σ) with the two parameter rows rebuilt per row
    /// (3 reads and 1 write of the row, but three more calls); and the two-pass form with γ/σ folded
    /// into one parameter row. TensorPrimitives has no MultiplyAdd of two scalars.
    /// </remarks>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.LayerNorm, bytesPerElement: 32)]
    public void TensorPrimitives_Composition()
    {
        ReadOnlySpan<float> input = this.Input;
        Span<float> output = this.Output;
        ReadOnlySpan<float> gamma = this.Weight;
        ReadOnlySpan<float> beta = this.Bias;
        int n = this.RowLength;
        for (int start = 0; start < input.Length; start += n)
        {
            ReadOnlySpan<float> x = input.Slice(start, n);
            Span<float> y = output.Slice(start, n);
            float mean = (float)((double)TensorPrimitives.Sum<float>(x) / n);
            TensorPrimitives.Subtract(x, mean, y);
            double variance = (double)TensorPrimitives.SumOfSquares<float>(y) / n;
            TensorPrimitives.Multiply(y, (float)(1 / Math.Sqrt(variance + NormEpsilon.LayerNorm)), y);
            TensorPrimitives.FusedMultiplyAdd(y, gamma, beta, y);
        }
    }

    /// <summary>
    /// ONNX Runtime 1.31.1's LayerNormalization (opset 17, axis −1, ε = 1e-5, inputs X, Scale, B bound
    /// like X) over the whole batch, one thread. Its CPU kernel (core/providers/cpu/nn/layer_norm_impl.cc,
    /// plain C++, not MLAS) copies the row into the output while it sums x and x² in float (one-pass
    /// σ² = mean(x²) − μ²), then rewrites the output in place: 2 reads and 2 writes per element.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.LayerNorm, bytesPerElement: 16)]
    public void OnnxRuntime_LayerNormalization() => this.onnx!.Run();

    /// <summary>Creates the residual rows and the sum h of the fused residual methods.</summary>
    [GlobalSetup(Targets = new[] { nameof(Dispatched_Residual), nameof(Separate_AddThenNorm) })]
    public void SetupResidualMethods() => this.SetupResidual();

    /// <summary>
    /// The fused residual LayerNorm (<c>Residual = true</c>): h = x + r written to <c>Sum</c> and normalized, in three
    /// passes (x and r read and h written in the first, h read from cache in the others).
    /// </summary>
    [Benchmark]
    [KernelBenchmark(Operation.LayerNormResidual)]
    public void Dispatched_Residual() => BenchKernels.LayerNormResidual(this.Input, this.Residual, this.Weight, this.Bias, this.Output, this.Sum, this.RowLength);

    /// <summary>
    /// The same result done separately, what the fused form must beat: TensorPrimitives.Add (h = x + r over the
    /// batch), then the generated LayerNorm of h. The reference point of <see cref="Dispatched_Residual"/>'s <c>vs TP</c> column.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.LayerNormResidual, bytesPerElement: 28)]
    public void Separate_AddThenNorm()
    {
        TensorPrimitives.Add<float>(this.Input, this.Residual, this.Sum);
        BenchKernels.LayerNorm(this.Sum, this.Weight, this.Bias, this.Output, this.RowLength);
    }
}
