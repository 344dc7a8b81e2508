using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// ArcFace (s = 64, m = 0.5) on cosines, mean over the rows that count, forward and gradient in one call: the generated
/// [MarginSoftmaxLoss] kernel through its entry point and its AVX-512 path against a TensorPrimitives composition. The
/// input is the loss benchmarks' logits mapped into cosines (tanh(x/4): in (−1, 1)). Every method returns the mean
/// loss and writes ∂ℓ/∂c into <see cref="RowBenchmark.Output"/>.
/// </summary>
[MemoryDiagnoser]
public class MarginSoftmaxBenchmarks : LossBenchmark
{
    /// <summary>Maps the logits into cosines in (−1, 1).</summary>
    public override void Setup()
    {
        base.Setup();
        Span<float> x = this.Input;
        TensorPrimitives.Multiply(x, 0.25f, x);
        TensorPrimitives.Tanh(x, x);
    }

    /// <summary>The fused forward and gradient kernel through its entry point: two reads of the cosines, one write (12 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.MarginSoftmaxGradient)]
    public float Dispatched_ForwardGradient() => BenchKernels.ArcFaceMeanGradient(this.Input, this.Targets, this.Output);

    [Benchmark]
    [KernelBenchmark(Operation.MarginSoftmaxGradient, KernelPath.Avx512)]
    public float Avx512_ForwardGradient() => BenchKernels.ArcFaceMeanGradientPaths.Avx512(this.Input, this.Targets, this.Output);

    /// <summary>
    /// The TensorPrimitives composition, row by row (ignored rows cleared): Multiply s·c into the gradient row (1 read,
    /// 1 write), the target's logit s·cos(θ_y + m) set by hand (insightface's threshold), Max (1 read), Subtract and Exp
    /// in place (2 reads, 2 writes), Sum (1 read), Multiply by s·scale/Σ (1 read, 1 write), the target's entry by hand.
    /// 6 reads and 4 writes: 40 B/elem.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.MarginSoftmaxGradient, bytesPerElement: 40)]
    public float TensorPrimitives_ForwardGradient() => this.MeanWithGradient(static (c, target, g, scale) =>
    {
        const double s = BenchKernels.ArcFaceScale, m = BenchKernels.ArcFaceMargin;
        double cy = Math.Clamp(c[target], -1.0, 1.0), sine = Math.Sqrt(1 - (cy * cy));
        bool arc = cy > Math.Cos(Math.PI - m);
        double logit = s * (arc ? (cy * Math.Cos(m)) - (sine * Math.Sin(m)) : cy - (m * Math.Sin(m)));
        double slope = arc ? Math.Cos(m) + (cy * Math.Sin(m) / Math.Max(sine, Math.Sin(1e-4))) : 1;
        TensorPrimitives.Multiply(c, (float)s, g);
        g[target] = (float)logit;
        float max = TensorPrimitives.Max(g);
        TensorPrimitives.Subtract(g, max, g);
        TensorPrimitives.Exp(g, g);
        float sum = TensorPrimitives.Sum<float>(g);
        double logP = logit - max - Math.Log(sum);
        TensorPrimitives.Multiply(g, (float)(s * scale / sum), g);
        g[target] = (float)(s * scale * slope * (Math.Exp(logP) - 1));
        return -logP;
    });
}
