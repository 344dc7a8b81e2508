using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks;

/// <summary>
/// Knowledge distillation's T²·KL(softmax(t/T) ‖ softmax(s/T)) at T = <see cref="Temperature"/>, mean over the rows
/// ('batchmean'): the generated [KLDivergence] kernel forward only and forward with the gradient T·(p − q)/rows, against the
/// best TensorPrimitives composition found. The student's logits are the class's input (N(0,1)·4), the teacher's its
/// second input (N(0,1), another seed). Every method returns the mean loss; the gradient methods write the gradient into
/// <see cref="RowBenchmark.Output"/>. Accuracy: against the kernel's generated Reference (double).
/// </summary>
[MemoryDiagnoser]
public class KLDivergenceBenchmarks : RowBenchmark
{
    /// <summary>The temperature of the benchmarked kernels (BenchKernels.KLDivergenceMean*).</summary>
    public const double Temperature = 2;

    private ArraySegment<float> teacher = ArraySegment<float>.Empty;
    private ArraySegment<float> studentScratch = ArraySegment<float>.Empty;
    private ArraySegment<float> teacherScratch = ArraySegment<float>.Empty;

    /// <summary>The teacher's logits.</summary>
    public override ArraySegment<float> SecondInput => this.teacher;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> OfferedShapes => BenchShapes.CrossEntropy;

    /// <summary>Creates the student's and teacher's logits, the gradient buffer and the composition's two scratch rows.</summary>
    public override void Setup()
    {
        base.Setup();
        this.teacher = AlignedArray.CopyOf(InputCache.Residuals(this.RowShape));
        this.studentScratch = AlignedArray.Create(this.RowLength);
        this.teacherScratch = AlignedArray.Create(this.RowLength);
    }

    /// <summary>The forward kernel: pass 1 reads student and teacher (two online normalizers), pass 2 reads both again (16 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.KLDivergence)]
    public float Dispatched_Forward() => BenchKernels.KLDivergenceMean(this.Input, this.teacher, this.RowLength);

    /// <summary>The forward and gradient kernel: the forward's passes, the gradient written in the second (20 B/elem).</summary>
    [Benchmark]
    [KernelBenchmark(Operation.KLDivergenceGradient)]
    public float Dispatched_ForwardGradient() => BenchKernels.KLDivergenceMeanGradient(this.Input, this.teacher, this.RowLength, this.Output);

    [Benchmark]
    [KernelBenchmark(Operation.KLDivergenceGradient, KernelPath.Avx2)]
    public float Avx2_ForwardGradient() => BenchKernels.KLDivergenceMeanGradientPaths.Avx2(this.Input, this.teacher, this.RowLength, this.Output);

    /// <summary>
    /// The TensorPrimitives composition of the loss, row by row: Max of each row (2 × 4 B); e_t = Exp((t − m_t)/T) into a
    /// scratch row (Subtract, Multiply and Exp in place: 8 + 8 + 8), its Sum (4); the same for the student (28); t − s into
    /// the student's scratch (Subtract, 12) and its Dot with e_t (8); KL = Σ e_t·(t − s)/(T·Σe_t) − LSE(t/T) + LSE(s/T), times
    /// T². 84 B/elem (the scratch rows stay in L2 at 32000 classes, but every pass is counted). (TensorPrimitives has no
    /// MultiplyAdd with two scalars, which would fuse the Subtract and the Multiply.)
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.KLDivergence, bytesPerElement: 84)]
    public float TensorPrimitives_Forward() => this.Composition(null);

    /// <summary>
    /// The composition with the gradient: as <see cref="TensorPrimitives_Forward"/>, and before the Subtract the gradient row
    /// g = e_s·(T/(rows·Σe_s)) (Multiply, 8) then g −= e_t·(T/(rows·Σe_t)) (MultiplyAdd, 12). 104 B/elem.
    /// </summary>
    [Benchmark]
    [PeerBenchmark(Peer.TensorPrimitives, Operation.KLDivergenceGradient, bytesPerElement: 104)]
    public float TensorPrimitives_ForwardGradient() => this.Composition(this.Output);

    private float Composition(Span<float> gradient)
    {
        ReadOnlySpan<float> student = this.Input, teacherRows = this.teacher;
        Span<float> es = this.studentScratch, et = this.teacherScratch;
        int n = this.RowLength, rows = this.RowShape.Rows;
        float inverse = (float)(1 / Temperature);
        double total = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> s = student.Slice(row * n, n), t = teacherRows.Slice(row * n, n);
            float ms = TensorPrimitives.Max(s), mt = TensorPrimitives.Max(t);
            TensorPrimitives.Subtract(t, mt, et);
            TensorPrimitives.Multiply(et, inverse, et);
            TensorPrimitives.Exp(et, et);
            double sumT = TensorPrimitives.Sum<float>(et);
            TensorPrimitives.Subtract(s, ms, es);
            TensorPrimitives.Multiply(es, inverse, es);
            TensorPrimitives.Exp(es, es);
            double sumS = TensorPrimitives.Sum<float>(es);
            if (!gradient.IsEmpty)
            {
                Span<float> g = gradient.Slice(row * n, n);
                TensorPrimitives.Multiply(es, (float)(Temperature / (rows * sumS)), g);
                TensorPrimitives.MultiplyAdd(et, (float)(-Temperature / (rows * sumT)), g, g);
            }

            TensorPrimitives.Subtract(t, s, es);
            double dot = TensorPrimitives.Dot(et, es);
            double kl = (dot / (Temperature * sumT)) - ((mt / Temperature) + Math.Log(sumT)) + ((ms / Temperature) + Math.Log(sumS));
            total += Temperature * Temperature * kl;
        }

        return (float)(total / rows);
    }
}
