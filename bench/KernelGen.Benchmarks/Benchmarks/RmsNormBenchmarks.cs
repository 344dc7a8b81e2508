using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks;

/// <summary>
/// RmsNorm (γ, ε = 1e-6): the generated kernel through its entry point and its vector paths, the
/// <c>Width = 4096</c> kernel, against a TensorPrimitives composition and ONNX Runtime's RMSNormalization.
/// </summary>
[MemoryDiagnoser]
public class RmsNormBenchmarks : NormBenchmark
{
    /// <summary>
    /// The ONNX operator of <see cref="OnnxRuntime_RmsNormalization"/>: opset 23's RMSNormalization, which
    /// ONNX Runtime 1.31.1 runs on the CPU with the kernel of its SimplifiedLayerNormalization.
    /// </summary>
    /// <remarks>
    /// Verified with <c>--check</c>'s self-test: <see cref="OnnxOperator.SimplifiedLayerNormalization"/> in the
    /// ONNX domain (opset import 17) runs too, with the same outputs; in the <c>com.microsoft</c> domain ONNX
    /// Runtime 1.31.1 rejects the model ("com.microsoft:SimplifiedLayerNormalization(-1) is not a registered function/op").
    /// </remarks>
    public const OnnxOperator OnnxRmsOperator = OnnxOperator.RmsNormalization;

    private OnnxNormalization? onnx;

    /// <summary>Creates the ONNX Runtime session, bound to this benchmark's arrays.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime_RmsNormalization))]
    public void SetupOnnx()
    {
        this.Setup();
        this.onnx = new OnnxNormalization(
            OnnxRmsOperator, this.Input, this.Weight, null, this.Output, this.RowShape.Rows, this.RowShape.RowLength, NormEpsilon.RmsNorm);
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    [GlobalCleanup(Target = nameof(OnnxRuntime_RmsNormalization))]
    public void CleanupOnnx()
    {
        this.onnx?.Dispose();
        this.onnx = null;
        this.Cleanup();
    }

    [Benchmark]
    [KernelBenchmark(Operation.RmsNorm)]
    public void Dispatched() => BenchKernels.RmsNorm(this.Input, this.Weight, this.Output, this.RowLength);

    /// <summary><see cref="Dispatched"/> with <see cref="Runtime.CacheHints.StreamingStores"/> off: the output written with ordinary stores at every size (the same bits), to time what streaming gains out of cache.</summary>
    [Benchmark]
    [KernelBenchmark(Operation.RmsNorm)]
    public void Dispatched_NoStreaming()
    {
        Runtime.CacheHints.StreamingStores = false;
        BenchKernels.RmsNorm(this.Input, this.Weight, this.Output, this.RowLength);
        Runtime.CacheHints.StreamingStores = true;
    }

    [Benchmark]
    [KernelBenchmark(Operation.RmsNorm, KernelPath.Avx512)]
    public void Avx512() => BenchKernels.RmsNormPaths.Avx512(this.Input, this.Weight, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.RmsNorm, KernelPath.Avx2)]
    public void Avx2() => BenchKernels.RmsNormPaths.Avx2(this.Input, this.Weight, this.Output, this.RowLength);

    [Benchmark]
    [KernelBenchmark(Operation.RmsNorm, KernelPath.Vector128)]
    public void Vector128() => BenchKernels.RmsNormPaths.Vector128(this.Input, this.Weight, this.Output, this.RowLength);

    /// <summary>The <c>Width = 4096</c> kernel: runs at row length 4096 only (left out of the other shapes).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.RmsNorm, KernelPath.Avx512, Width = 4096)]
    public void Avx512_Width4096() => BenchKernels.RmsNormWidth4096Paths.Avx512(this.Input, this.Weight, this.Output, this.RowLength);

    /// <summary>
    /// The fastest TensorPrimitives composition measured, row by row: SumOfSquares (mean(x²)); Multiply
    /// (x·1/sqrt(mean(x²) + ε) → y); Multiply (y·γ, in place). Passes over the row: 3 reads and 2 writes
    /// (γ not counted).
    /// </summary>
    /// <remarks>
    /// Also measured (Stopwatch, this machine), and slower: γ/rms rebuilt as a row per row, then one
    /// Multiply(x, that row) (2 reads and 1 write of the row, but a pass over γ more).
    /// </remarks>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.RmsNorm, bytesPerElement: 20)]
    public void TensorPrimitives_Composition()
    {
        ReadOnlySpan<float> input = this.Input;
        Span<float> output = this.Output;
        ReadOnlySpan<float> gamma = this.Weight;
        int n = this.RowLength;
        for (int start = 0; start < input.Length; start += n)
        {
            ReadOnlySpan<float> x = input.Slice(start, n);
            Span<float> y = output.Slice(start, n);
            double meanSquare = (double)TensorPrimitives.SumOfSquares<float>(x) / n;
            TensorPrimitives.Multiply(x, (float)(1 / Math.Sqrt(meanSquare + NormEpsilon.RmsNorm)), y);
            TensorPrimitives.Multiply(y, gamma, y);
        }
    }

    /// <summary>
    /// ONNX Runtime 1.31.1's RMSNormalization (opset 23, axis −1, ε = 1e-6, inputs X and Scale bound like
    /// X) over the whole batch, one thread. Its CPU kernel is LayerNormalization's with the mean left out
    /// (core/providers/cpu/nn/layer_norm_impl.cc): it copies the row into the output while it sums x² in
    /// float, then rewrites the output in place: 2 reads and 2 writes per element.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.RmsNorm, bytesPerElement: 16)]
    public void OnnxRuntime_RmsNormalization() => this.onnx!.Run();

    /// <summary>Creates the residual rows and the sum h of the fused residual methods.</summary>
    [GlobalSetup(Targets = new[] { nameof(Dispatched_Residual), nameof(Separate_AddThenNorm) })]
    public void SetupResidualMethods() => this.SetupResidual();

    /// <summary>
    /// The fused residual RmsNorm (<c>Residual = true</c>): h = x + r written to <c>Sum</c> and normalized, in two
    /// passes (x and r read and h written in the first, h read from cache in the second).
    /// </summary>
    [Benchmark]
    [KernelBenchmark(Operation.RmsNormResidual)]
    public void Dispatched_Residual() => BenchKernels.RmsNormResidual(this.Input, this.Residual, this.Weight, this.Output, this.Sum, this.RowLength);

    /// <summary>
    /// The same result done separately, what the fused form must beat: TensorPrimitives.Add (h = x + r over the
    /// batch), then the generated RmsNorm of h. The reference point of <see cref="Dispatched_Residual"/>'s <c>vs TP</c> column.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.RmsNormResidual, bytesPerElement: 24)]
    public void Separate_AddThenNorm()
    {
        TensorPrimitives.Add<float>(this.Input, this.Residual, this.Sum);
        BenchKernels.RmsNorm(this.Sum, this.Weight, this.Output, this.RowLength);
    }
}
