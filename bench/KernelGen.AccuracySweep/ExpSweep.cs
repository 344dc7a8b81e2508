using System;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;
using KernelGen.Runtime;

namespace KernelGen.Accuracy;

/// <summary>The result of sweeping an exp over a range of floats.</summary>
/// <param name="Name">Which exp.</param>
/// <param name="Count">How many floats were evaluated.</param>
/// <param name="MaxUlp">The worst error in ulps of the exact result, over results in the normal range.</param>
/// <param name="WorstInput">Where the worst error happened.</param>
/// <param name="Flushed">How many subnormal results came out as 0 (allowed: see docs/accuracy.md).</param>
/// <param name="MaxSubnormalUlp">The worst error in subnormal ulps (2^-149) over results that were not flushed.</param>
/// <param name="MaxUlpNetOfArgument">
/// The worst of (error − |x|/<see cref="ExpSweep.ArgumentUlpDivisor"/>) ulp over results in the normal range: the error that
/// the argument's size does not explain. An exp that reduces by ln 2 rounded to one float (the AVX-512 table exp) is off by
/// up to |x|/25 ulp for that reason alone; for the others this is at most their <paramref name="MaxUlp"/>.
/// </param>
public sealed record ExpSweepResult(string Name, long Count, double MaxUlp, float WorstInput, long Flushed, double MaxSubnormalUlp, double MaxUlpNetOfArgument);

/// <summary>
/// Evaluates the runtime's float exp (each width) on every float in [lower, 0] (or every
/// <c>stride</c>-th one) and compares it with the exact value (double Math.Exp, accurate far
/// beyond float). Used by the accuracy sweep program and, sampled, by the runtime tests.
/// </summary>
public static class ExpSweep
{
    public const float Lower = -87.34f;

    /// <summary>An error of |x|/25 ulp is what the table exp's one-constant reduction costs at x (see <see cref="ExpSweepResult.MaxUlpNetOfArgument"/>).</summary>
    public const double ArgumentUlpDivisor = 25;

    public static readonly string[] Names = { "VectorMath512.ExpNonPositive", "VectorMath256.ExpNonPositive", "VectorMath128.ExpNonPositive", "MathF.Exp" };

    public static bool IsAvailable(string name) => name switch
    {
        "VectorMath512.ExpNonPositive" => VectorMath512.IsSupported,
        "VectorMath256.ExpNonPositive" => VectorMath256.IsSupported,
        "VectorMath128.ExpNonPositive" => VectorMath128.IsSupported,
        _ => true,
    };

    /// <summary>Sweeps the floats from −0 down to <paramref name="lower"/> by their bit patterns, every <paramref name="stride"/>-th.</summary>
    public static ExpSweepResult Run(string name, float lower = Lower, int stride = 1)
    {
        uint first = BitConverter.SingleToUInt32Bits(-0.0f);
        uint last = BitConverter.SingleToUInt32Bits(lower);
        long total = ((long)last - first) / stride + 1;
        const int chunk = 1 << 16;
        long chunks = (total + chunk - 1) / chunk;
        object gate = new();
        double maxUlp = 0, maxSubnormal = 0, maxNet = 0;
        float worst = 0;
        long flushed = 0;
        Parallel.For(0L, chunks, () => (Max: 0.0, Worst: 0f, Flushed: 0L, Sub: 0.0, Net: 0.0), (c, _, local) =>
        {
            Span<float> x = stackalloc float[16];
            Span<float> y = stackalloc float[16];
            long start = c * chunk;
            long end = Math.Min(total, start + chunk);
            for (long k = start; k < end; k += 16)
            {
                int count = (int)Math.Min(16, end - k);
                for (int j = 0; j < 16; j++)
                {
                    long index = Math.Min(k + j, end - 1);
                    x[j] = BitConverter.UInt32BitsToSingle((uint)(first + (index * stride)));
                }

                Evaluate(name, x, y);
                for (int j = 0; j < count; j++)
                {
                    double exact = Math.Exp(x[j]);
                    if (exact < 1.1754943508222875e-38)
                    {
                        if (y[j] == 0)
                        {
                            local.Flushed++;
                        }
                        else
                        {
                            local.Sub = Math.Max(local.Sub, Math.Abs(y[j] - exact) / 1.401298464324817e-45);
                        }

                        continue;
                    }

                    double ulp = Math.ScaleB(1.0, Math.ILogB(exact) - 23);
                    double error = Math.Abs(y[j] - exact) / ulp;
                    local.Net = Math.Max(local.Net, error - (Math.Abs(x[j]) / ArgumentUlpDivisor));
                    if (error > local.Max)
                    {
                        local.Max = error;
                        local.Worst = x[j];
                    }
                }
            }

            return local;
        }, local =>
        {
            lock (gate)
            {
                if (local.Max > maxUlp)
                {
                    maxUlp = local.Max;
                    worst = local.Worst;
                }

                flushed += local.Flushed;
                maxSubnormal = Math.Max(maxSubnormal, local.Sub);
                maxNet = Math.Max(maxNet, local.Net);
            }
        });
        return new ExpSweepResult(name, total, maxUlp, worst, flushed, maxSubnormal, maxNet);
    }

    private static void Evaluate(string name, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (name)
        {
            case "VectorMath512.ExpNonPositive":
                VectorMath512.ExpNonPositive(Vector512.Create(x)).CopyTo(y);
                break;
            case "VectorMath256.ExpNonPositive":
                for (int i = 0; i < 16; i += 8)
                {
                    VectorMath256.ExpNonPositive(Vector256.Create(x.Slice(i, 8))).CopyTo(y.Slice(i, 8));
                }

                break;
            case "VectorMath128.ExpNonPositive":
                for (int i = 0; i < 16; i += 4)
                {
                    VectorMath128.ExpNonPositive(Vector128.Create(x.Slice(i, 4))).CopyTo(y.Slice(i, 4));
                }

                break;
            default:
                for (int i = 0; i < 16; i++)
                {
                    y[i] = MathF.Exp(x[i]);
                }

                break;
        }
    }
}
