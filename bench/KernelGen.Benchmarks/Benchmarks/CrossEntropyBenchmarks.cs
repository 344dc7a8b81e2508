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
    /// <summary>The block of <see cref="TensorPrimitives_Forward"/>: 2048 floats, 8 KiB of scratch that stays in L1.</summary>
    public const int TensorPrimitivesBlock = 2048;

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
    /// The floor of every kernel that reads the logits and writes a gradient of the same size: one pass that copies the
    /// logits into the gradient buffer with streaming stores (no read-for-ownership of the gradient's lines; 4 bytes read
    /// and 4 written per element), the fastest way to move these bytes measured here (docs/benchmarks.md, session 12:
    /// faster than <see cref="RowBenchmark.Copy"/>'s <c>Span.CopyTo</c> at 1024 × 32000). TensorPrimitives' time over this one is the
    /// most any such kernel can gain over TensorPrimitives (<c>--ratios</c>, "ceiling").
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.Copy, Operation.Copy, bytesPerElement: 8)]
    public void Copy_Streaming() => Copies.Streaming(this.Input, this.Output);

    /// <summary>
    /// ONNX Runtime 1.31.1's SoftmaxCrossEntropyLoss (opset 13, reduction "mean", ignore_index −100, int64
    /// labels) over the whole batch, one thread. The inference package has no CPU kernel of that operator
    /// (ONNX Runtime's is a training op), so it runs the ONNX function body: a session profile shows a
    /// LogSoftmax node over the batch (MLAS: a max pass, a pass summing exp(x − max), a pass writing
    /// x − max − log Σ to an intermediate tensor: 3 reads and 1 write, 16 B/elem) and 19 small nodes over
    /// [rows]-sized tensors (gather of −log p_y, the ignore mask, the mean; not counted).
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.OnnxRuntime, Operation.CrossEntropy, bytesPerElement: 16)]
    public float OnnxRuntime_SoftmaxCrossEntropyLoss() => this.onnx!.Run();

    /// <summary>
    /// The fastest stable TensorPrimitives composition of the mean loss measured, row by row (ignored rows
    /// skipped): Max (1 read); then per block of <see cref="TensorPrimitivesBlock"/> floats, Subtract z − max
    /// into a scratch block (1 read, 1 write), Exp in place (1 read, 1 write), Sum (1 read), summed in double;
    /// loss = max + log(sum) − z_y, summed in double. 4 reads and 2 writes: 24 B/elem (the scratch block
    /// stays in L1, but every pass is counted, as for the other compositions).
    /// </summary>
    /// <remarks>
    /// Also measured (Stopwatch, best of 7, on a shared and noisy machine): the same passes over the whole row
    /// with a scratch row (Max; Subtract → scratch; Exp in place; Sum), 10–20% slower at 1024×32000 and the
    /// same at 1024 classes (a row of 1024 is one block); blocks of 4096, no better. Without the maximum
    /// (Exp → scratch; Sum; log(sum) − z_y) it is faster, but overflows once a logit passes ~88: that one is
    /// <see cref="TensorPrimitives_UnstableForward"/>, shown as another peer.
    /// </remarks>
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
            double sum = 0;
            for (int start = 0; start < n; start += TensorPrimitivesBlock)
            {
                int length = Math.Min(TensorPrimitivesBlock, n - start);
                Span<float> block = scratch[..length];
                TensorPrimitives.Subtract(z.Slice(start, length), max, block);
                TensorPrimitives.Exp(block, block);
                sum += TensorPrimitives.Sum<float>(block);
            }

            total += max + Math.Log(sum) - z[target];
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
    /// <remarks>
    /// Also measured (Stopwatch, best of 7, shared and noisy machine), and not faster: Subtract, Exp and Sum
    /// in blocks of 2048 (the gradient row's block still in L1 for Exp and Sum) before the Multiply pass;
    /// Divide by sum/scale instead of Multiply by scale/sum (slower). Faster but unstable (no maximum, so it
    /// overflows once a logit passes ~88): TensorPrimitives.SoftMax into the gradient row, then Multiply;
    /// that one is <see cref="TensorPrimitives_UnstableForwardGradient"/>, shown as another peer.
    /// </remarks>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.CrossEntropyGradient, bytesPerElement: 32)]
    public float TensorPrimitives_ForwardGradient() => this.MeanWithGradient(static (z, target, g, scale) =>
    {
        float max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, g);
        TensorPrimitives.Exp(g, g);
        float sum = TensorPrimitives.Sum<float>(g);
        TensorPrimitives.Multiply(g, (float)(scale / sum), g);
        g[target] -= (float)scale;
        return max + Math.Log(sum) - z[target];
    });

    /// <summary>
    /// Another peer (not the <c>vs TP</c> reference): the forward loss without the maximum, row by row: Exp
    /// (z → scratch row; 1 read, 1 write); Sum (1 read); loss = log(sum) − z_y. 12 B/elem. Right only while
    /// every exp(z) is finite (logits below ~88; these are below 30), which the kernel does not need.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.Other, Operation.CrossEntropy, bytesPerElement: 12)]
    public float TensorPrimitives_UnstableForward()
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
            TensorPrimitives.Exp(z, scratch);
            total += Math.Log(TensorPrimitives.Sum<float>(scratch)) - z[target];
            counted++;
        }

        return (float)(total / counted);
    }

    /// <summary>
    /// Another peer (not the <c>vs TP</c> reference): TensorPrimitives.SoftMax per row into the gradient row
    /// (which does not subtract the maximum: a pass summing exp(z), a pass writing exp(z)/sum; 2 reads, 1
    /// write); loss = −log p_y; Multiply by scale in place (1 read, 1 write); gradient[y] −= scale. 20 B/elem.
    /// Right only while every exp(z) is finite and p_y does not underflow, as <see cref="TensorPrimitives_UnstableForward"/>.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.Other, Operation.CrossEntropyGradient, bytesPerElement: 20)]
    public float TensorPrimitives_UnstableForwardGradient() => this.MeanWithGradient(static (z, target, g, scale) =>
    {
        TensorPrimitives.SoftMax(z, g);
        double loss = -Math.Log(g[target]);
        TensorPrimitives.Multiply(g, (float)scale, g);
        g[target] -= (float)scale;
        return loss;
    });
}
