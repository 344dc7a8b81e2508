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
/// loss and writes ∂ℓ/∂c into <see cref="RowBenchmark.Output"/>. The same rows as similarities serve decoupled InfoNCE
/// (τ = 0.1, P = 4: each row's target and up to three more classes as positives, see <see cref="Positives"/>).
/// </summary>
[MemoryDiagnoser]
public class MarginSoftmaxBenchmarks : LossBenchmark
{
    /// <summary>
    /// The positives of decoupled InfoNCE, <see cref="BenchKernels.InfoNcePositives"/> slots per row: row r's target and
    /// r mod 4 more distinct classes, the rest padding (the ignore index); an ignored row is padding only.
    /// </summary>
    public int[] Positives { get; private set; } = Array.Empty<int>();

    /// <summary>Maps the logits into cosines in (−1, 1); draws the positives.</summary>
    public override void Setup()
    {
        base.Setup();
        Span<float> x = this.Input;
        TensorPrimitives.Multiply(x, 0.25f, x);
        TensorPrimitives.Tanh(x, x);
        const int p = BenchKernels.InfoNcePositives;
        ReadOnlySpan<int> targets = this.Targets;
        int[] positives = new int[targets.Length * p];
        Array.Fill(positives, CrossEntropyTargets.IgnoreIndex);
        var random = new Random(CrossEntropyTargets.Seed + 1);
        for (int row = 0; row < targets.Length; row++)
        {
            if (targets[row] == CrossEntropyTargets.IgnoreIndex)
            {
                continue;
            }

            positives[row * p] = targets[row];
            for (int slot = 1; slot <= Math.Min(row % p, this.RowLength - 1); slot++)
            {
                int candidate;
                do
                {
                    candidate = random.Next(this.RowLength);
                }
                while (positives.AsSpan(row * p, slot).Contains(candidate));
                positives[(row * p) + slot] = candidate;
            }
        }

        this.Positives = positives;
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

    /// <summary>Decoupled InfoNCE, forward and gradient, through its entry point: the normalizer over the negatives' runs, the gradient pass (12 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.InfoNceDecoupledGradient)]
    public float InfoNceDecoupled_Dispatched() => BenchKernels.InfoNceDecoupledMeanGradient(this.Input, this.Positives, this.Output);

    /// <summary>
    /// The TensorPrimitives composition of decoupled InfoNCE, row by row (rows of padding cleared): Multiply by 1/τ into the
    /// gradient row (1 read, 1 write), the positives set to −∞ by hand, Max (1 read), Subtract and Exp in place (2 reads,
    /// 2 writes), Sum (1 read): N relative to the max; each positive's softplus(log N − z_p) by hand; Multiply the negatives
    /// by their factor (1 read, 1 write), the positives' entries by hand. 6 reads and 4 writes: 40 B/elem.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.InfoNceDecoupledGradient, bytesPerElement: 40)]
    public float InfoNceDecoupled_TensorPrimitives()
    {
        const double s = 1 / BenchKernels.InfoNceTemperature;
        const int p = BenchKernels.InfoNcePositives;
        ReadOnlySpan<float> similarities = this.Input;
        ReadOnlySpan<int> positives = this.Positives;
        Span<float> gradient = this.Output;
        int n = this.RowLength, rows = positives.Length / p, counted = 0;
        for (int row = 0; row < rows; row++)
        {
            counted += positives.Slice(row * p, p).ContainsAnyExcept(CrossEntropyTargets.IgnoreIndex) ? 1 : 0;
        }

        double scale = 1.0 / counted, total = 0;
        Span<double> z = stackalloc double[p];
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<int> set = positives.Slice(row * p, p);
            Span<float> g = gradient.Slice(row * n, n);
            int count = 0;
            foreach (int positive in set)
            {
                count += positive != CrossEntropyTargets.IgnoreIndex ? 1 : 0;
            }

            if (count == 0)
            {
                g.Clear();
                continue;
            }

            ReadOnlySpan<float> x = similarities.Slice(row * n, n);
            TensorPrimitives.Multiply(x, (float)s, g);
            for (int j = 0; j < p; j++)
            {
                if (set[j] != CrossEntropyTargets.IgnoreIndex)
                {
                    z[j] = s * x[set[j]];
                    g[set[j]] = float.NegativeInfinity;
                }
            }

            float max = TensorPrimitives.Max(g);
            TensorPrimitives.Subtract(g, max, g);
            TensorPrimitives.Exp(g, g);
            double others = TensorPrimitives.Sum<float>(g), logN = max + Math.Log(others), rest = 0;
            for (int j = 0; j < p; j++)
            {
                if (set[j] != CrossEntropyTargets.IgnoreIndex)
                {
                    double d = logN - z[j];
                    total += (Math.Max(d, 0) + Math.Log(1 + Math.Exp(-Math.Abs(d)))) / count;   // softplus(log N − z_p)
                    rest += 1 / (1 + Math.Exp(-d));                                                // σ(log N − z_p) = 1 − q_p
                }
            }

            TensorPrimitives.Multiply(g, (float)(scale * s * rest / (count * others)), g);
            for (int j = 0; j < p; j++)
            {
                if (set[j] != CrossEntropyTargets.IgnoreIndex)
                {
                    g[set[j]] = (float)(-scale * s / (count * (1 + Math.Exp(z[j] - logN))));
                }
            }
        }

        return (float)(total / counted);
    }
}
