using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;
using KernelGen.Benchmarks.Onnx;

namespace KernelGen.Benchmarks;

/// <summary>
/// Softmax cross-entropy, mean over the rows that count (ignore index −100, every 16th row ignored):
/// the generated kernel forward only and forward with the gradient, through its entry point and its
/// vector paths, against ONNX Runtime's SoftmaxCrossEntropyLoss and TensorPrimitives compositions.
/// Every method returns the mean loss; the gradient methods also write the gradient into
/// <see cref="RowBenchmark.Output"/>.
/// </summary>
[MemoryDiagnoser]
public class CrossEntropyBenchmarks : LossBenchmark
{
    private OnnxLoss? onnx;
    private ArraySegment<float> scratch = ArraySegment<float>.Empty;

    /// <summary>Creates the logits, the gradient buffer, the targets and the TensorPrimitives scratch row.</summary>
    public override void Setup()
    {
        base.Setup();
        this.scratch = AlignedArray.Create(this.RowLength);
    }

    /// <summary>Creates the ONNX Runtime session, bound to this benchmark's logits and an int64 copy of the targets.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime_SoftmaxCrossEntropyLoss))]
    public void SetupOnnx()
    {
        this.Setup();
        ArraySegment<long> labels = AlignedArray.Create<long>(this.Targets.Count);
        for (int row = 0; row < labels.Count; row++)
        {
            labels[row] = this.Targets[row];
        }

        this.onnx = new OnnxLoss(this.Input, labels, this.RowShape.Rows, this.RowLength, CrossEntropyTargets.IgnoreIndex);
    }

    /// <summary>Disposes the ONNX Runtime session.</summary>
    [GlobalCleanup(Target = nameof(OnnxRuntime_SoftmaxCrossEntropyLoss))]
    public void CleanupOnnx()
    {
        this.onnx?.Dispose();
        this.onnx = null;
        this.Cleanup();
    }

    /// <summary>The forward kernel through its entry point: one read of the logits (4 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.CrossEntropy)]
    public float Dispatched_Forward() => BenchKernels.CrossEntropyMean(this.Input, this.Targets);

    [Benchmark]
    [KernelBenchmark(Operation.CrossEntropy, KernelPath.Avx512)]
    public float Avx512_Forward() => BenchKernels.CrossEntropyMeanPaths.Avx512(this.Input, this.Targets);

    [Benchmark]
    [KernelBenchmark(Operation.CrossEntropy, KernelPath.Avx2)]
    public float Avx2_Forward() => BenchKernels.CrossEntropyMeanPaths.Avx2(this.Input, this.Targets);

    /// <summary>The fused forward and gradient kernel through its entry point: two reads of the logits, one write of the gradient (12 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.CrossEntropyGradient)]
    public float Dispatched_ForwardGradient() => BenchKernels.CrossEntropyMeanGradient(this.Input, this.Targets, this.Output);

    [Benchmark]
    [KernelBenchmark(Operation.CrossEntropyGradient, KernelPath.Avx512)]
    public float Avx512_ForwardGradient() => BenchKernels.CrossEntropyMeanGradientPaths.Avx512(this.Input, this.Targets, this.Output);

    /// <summary>
    /// ONNX Runtime 1.31.1's SoftmaxCrossEntropyLoss (opset 13, reduction "mean", ignore_index −100, int64
    /// labels) over the whole batch, one thread. Counted as a log-softmax of the batch (MLAS: a max pass, a
    /// pass summing exp(x − max), a pass writing x − max − log Σ: 3 reads and 1 write) followed by the
    /// gather of −log p_y per row (not counted): 16 B/elem.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.CrossEntropy, bytesPerElement: 16)]
    public float OnnxRuntime_SoftmaxCrossEntropyLoss() => this.onnx!.Run();

    /// <summary>
    /// The fastest stable TensorPrimitives composition of the mean loss measured, row by row (ignored rows
    /// skipped): Max (1 read); Subtract z − max into a scratch row (1 read, 1 write); Exp in place (1 read,
    /// 1 write); Sum (1 read); loss = max + log(sum) − z_y, summed in double. 4 reads and 2 writes: 24 B/elem
    /// (the scratch row stays in cache, but every pass is counted, as for the other compositions).
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.CrossEntropy, bytesPerElement: 24)]
    public float TensorPrimitives_Forward()
    {
        ReadOnlySpan<float> logits = this.Input;
        ReadOnlySpan<int> targets = this.Targets;
        Span<float> scratch = this.scratch;
        int n = this.RowLength;
        double total = 0;
        int counted = 0;
        for (int row = 0; row < targets.Length; row++)
        {
            int target = targets[row];
            if (target == CrossEntropyTargets.IgnoreIndex)
            {
                continue;
            }

            ReadOnlySpan<float> z = logits.Slice(row * n, n);
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, scratch);
            TensorPrimitives.Exp(scratch, scratch);
            total += max + Math.Log(TensorPrimitives.Sum<float>(scratch)) - z[target];
            counted++;
        }

        return (float)(total / counted);
    }

    /// <summary>
    /// The fastest stable TensorPrimitives composition of the loss and its gradient measured, row by row:
    /// Max (1 read); Subtract z − max → gradient row (1 read, 1 write); Exp in place (1 read, 1 write); Sum
    /// (1 read); Multiply by scale/sum in place (1 read, 1 write); gradient[y] −= scale; loss = max + log(sum) − z_y.
    /// Ignored rows are cleared. 5 reads and 3 writes: 32 B/elem.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.CrossEntropyGradient, bytesPerElement: 32)]
    public float TensorPrimitives_ForwardGradient()
    {
        ReadOnlySpan<float> logits = this.Input;
        ReadOnlySpan<int> targets = this.Targets;
        Span<float> gradient = this.Output;
        int n = this.RowLength;
        int counted = CrossEntropyTargets.Counted(targets);
        double scale = 1.0 / counted;
        double total = 0;
        for (int row = 0; row < targets.Length; row++)
        {
            int target = targets[row];
            Span<float> g = gradient.Slice(row * n, n);
            if (target == CrossEntropyTargets.IgnoreIndex)
            {
                g.Clear();
                continue;
            }

            ReadOnlySpan<float> z = logits.Slice(row * n, n);
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum<float>(g);
            TensorPrimitives.Multiply(g, (float)(scale / sum), g);
            g[target] -= (float)scale;
            total += max + Math.Log(sum) - z[target];
        }

        return (float)(total / counted);
    }
}
