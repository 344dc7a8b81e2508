using System;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;
using KernelGen.Runtime;

namespace KernelGen.Accuracy;

/// <summary>The result of sweeping a tanh over a range of inputs.</summary>
/// <param name="Name">Which tanh.</param>
/// <param name="Count">How many inputs were evaluated.</param>
/// <param name="MaxUlp">The worst error in ulps of the exact result (subnormal results: in units of the smallest subnormal).</param>
/// <param name="WorstInput">Where the worst error happened.</param>
public sealed record TanhSweepResult(string Name, long Count, double MaxUlp, double WorstInput);

/// <summary>
/// Evaluates the runtime's tanh (each width, float and double) against Math.Tanh in double. Float: every
/// float in [+0, <see cref="UpperFloat"/>] by bit pattern (or every <c>stride</c>-th one), which covers the
/// subnormals, the polynomial, the exp branch and saturation at 1; negative inputs are the same lanes with
/// the sign bit put back (exact odd symmetry, tested separately). Double: a seeded sample, log-uniform in
/// [2⁻¹⁰⁷⁴, 2⁵] plus uniform in [0, 1] and [0.5, 1] (around the branch point 0.625). Used by the accuracy
/// sweep program and, sampled, by the runtime tests.
/// </summary>
public static class TanhSweep
{
    /// <summary>tanh rounds to 1 in float from 9.01 on: 10 covers every input that is not 1.</summary>
    public const float UpperFloat = 10f;

    public static readonly string[] Names = { "VectorMath512.Tanh", "VectorMath256.Tanh", "VectorMath128.Tanh" };

    public static bool IsAvailable(string name) => name switch
    {
        "VectorMath512.Tanh" => VectorMath512.IsSupported,
        "VectorMath256.Tanh" => VectorMath256.IsSupported,
        "VectorMath128.Tanh" => VectorMath128.IsSupported,
        _ => false,
    };

    /// <summary>Sweeps the floats from +0 up to <see cref="UpperFloat"/> by their bit patterns, every <paramref name="stride"/>-th.</summary>
    public static TanhSweepResult RunFloat(string name, int stride = 1)
    {
        long total = (long)BitConverter.SingleToUInt32Bits(UpperFloat) / stride + 1;
        const int chunk = 1 << 16;
        long chunks = (total + chunk - 1) / chunk;
        object gate = new();
        double maxUlp = 0;
        float worst = 0;
        Parallel.For(0L, chunks, () => (Max: 0.0, Worst: 0f), (c, _, local) =>
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
                    x[j] = BitConverter.UInt32BitsToSingle((uint)(Math.Min(k + j, end - 1) * stride));
                }

                Evaluate(name, x, y);
                for (int j = 0; j < count; j++)
                {
                    double error = FloatUlps(y[j], Math.Tanh(x[j]));
                    if (!(error <= local.Max))
                    {
                        local.Max = double.IsNaN(error) ? double.PositiveInfinity : error;
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
            }
        });
        return new TanhSweepResult(name, total, maxUlp, worst);
    }

    /// <summary>Evaluates <paramref name="count"/> seeded doubles (see the class remarks).</summary>
    public static TanhSweepResult RunDouble(string name, int count, int seed = 1)
    {
        var random = new Random(seed);
        double maxUlp = 0, worst = 0;
        Span<double> x = stackalloc double[8];
        Span<double> y = stackalloc double[8];
        for (int k = 0; k < count; k += 8)
        {
            for (int j = 0; j < 8; j++)
            {
                x[j] = (k / 8 % 3) switch
                {
                    0 => Math.ScaleB(1 + random.NextDouble(), random.Next(-1074, 5)),
                    1 => random.NextDouble(),
                    _ => 0.5 + (0.5 * random.NextDouble()),
                };
            }

            Evaluate(name, x, y);
            for (int j = 0; j < 8; j++)
            {
                double exact = Math.Tanh(x[j]);
                double ulp = exact == 0 ? double.Epsilon : Math.Max(Math.ScaleB(1.0, Math.ILogB(exact) - 52), double.Epsilon);
                double error = Math.Abs(y[j] - exact) / ulp;
                if (!(error <= maxUlp))
                {
                    maxUlp = double.IsNaN(error) ? double.PositiveInfinity : error;
                    worst = x[j];
                }
            }
        }

        return new TanhSweepResult(name, count, maxUlp, worst);
    }

    /// <summary>|y − exact| in ulps of the exact value rounded to float (2⁻¹⁴⁹ below the normal range).</summary>
    public static double FloatUlps(float y, double exact)
    {
        double ulp = Math.Abs(exact) < 1.1754943508222875e-38 ? 1.401298464324817e-45 : Math.ScaleB(1.0, Math.ILogB((float)exact) - 23);
        return Math.Abs(y - exact) / ulp;
    }

    /// <summary>The named width's float tanh of one value (lane 0).</summary>
    public static float Float(string name, float x) => name switch
    {
        "VectorMath512.Tanh" => VectorMath512.Tanh(Vector512.Create(x)).ToScalar(),
        "VectorMath256.Tanh" => VectorMath256.Tanh(Vector256.Create(x)).ToScalar(),
        _ => VectorMath128.Tanh(Vector128.Create(x)).ToScalar(),
    };

    /// <summary>The named width's double tanh of one value (lane 0).</summary>
    public static double Double(string name, double x) => name switch
    {
        "VectorMath512.Tanh" => VectorMath512.Tanh(Vector512.Create(x)).ToScalar(),
        "VectorMath256.Tanh" => VectorMath256.Tanh(Vector256.Create(x)).ToScalar(),
        _ => VectorMath128.Tanh(Vector128.Create(x)).ToScalar(),
    };

    private static void Evaluate(string name, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (name)
        {
            case "VectorMath512.Tanh":
                VectorMath512.Tanh(Vector512.Create(x)).CopyTo(y);
                break;
            case "VectorMath256.Tanh":
                for (int i = 0; i < 16; i += 8)
                {
                    VectorMath256.Tanh(Vector256.Create(x.Slice(i, 8))).CopyTo(y.Slice(i, 8));
                }

                break;
            default:
                for (int i = 0; i < 16; i += 4)
                {
                    VectorMath128.Tanh(Vector128.Create(x.Slice(i, 4))).CopyTo(y.Slice(i, 4));
                }

                break;
        }
    }

    private static void Evaluate(string name, ReadOnlySpan<double> x, Span<double> y)
    {
        switch (name)
        {
            case "VectorMath512.Tanh":
                VectorMath512.Tanh(Vector512.Create(x)).CopyTo(y);
                break;
            case "VectorMath256.Tanh":
                for (int i = 0; i < 8; i += 4)
                {
                    VectorMath256.Tanh(Vector256.Create(x.Slice(i, 4))).CopyTo(y.Slice(i, 4));
                }

                break;
            default:
                for (int i = 0; i < 8; i += 2)
                {
                    VectorMath128.Tanh(Vector128.Create(x.Slice(i, 2))).CopyTo(y.Slice(i, 2));
                }

                break;
        }
    }
}
