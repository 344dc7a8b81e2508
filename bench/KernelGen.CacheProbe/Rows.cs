using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.CacheProbe;

/// <summary>
/// The rows the probe times: AVX-512 models of the generated RmsNorm and LayerNorm rows (the same passes, eight
/// vectors per iteration, the same stores and prefetches; sums in float lanes), and the variants that leave γ or β out.
/// The row length must be a multiple of 128.
/// </summary>
internal static unsafe class Rows
{
    /// <summary>What RmsNorm's output pass does with γ.</summary>
    public enum Weight
    {
        /// <summary>No γ: y = x·(1/rms).</summary>
        None,

        /// <summary>y = x·(1/rms)·γ, pass 1 reading x alone (as generated before session 23).</summary>
        Read,

        /// <summary>As generated since session 23 (x, γ and y of a row fit in L1): pass 1 asks for γ's lines (<c>prefetcht0</c>) beside x's.</summary>
        AskedForInPass1,
    }

    /// <summary>What LayerNorm's output pass adds to x̂.</summary>
    public enum Affine
    {
        /// <summary>y = x̂.</summary>
        None,

        /// <summary>y = γ·x̂.</summary>
        Weight,

        /// <summary>y = γ·x̂ + β, as generated.</summary>
        WeightAndBias,
    }

    /// <summary>RmsNorm in cache, row by row: Σx², then y = x·(1/rms)[·γ] with ordinary stores.</summary>
    public static void RmsNorm(float* x, float* gamma, float* y, int rows, int n, Weight weight)
    {
        for (int r = 0; r < rows; r++, x += n, y += n)
        {
            float meanSquare = SumOfSquares(x, gamma, n, weight == Weight.AskedForInPass1) / n;
            Vector512<float> scale = Vector512.Create(1f / MathF.Sqrt(meanSquare + 1e-6f));
            for (int i = 0; i < n; i += 128)
            {
                for (int u = i; u < i + 128; u += 16)
                {
                    Vector512<float> v = Avx512F.LoadVector512(x + u) * scale;
                    Avx512F.Store(y + u, weight == Weight.None ? v : v * Avx512F.LoadVector512(gamma + u));
                }
            }
        }
    }

    /// <summary>The benchmark's TensorPrimitives composition, per row: SumOfSquares, then two Multiply calls.</summary>
    public static void TensorPrimitivesRmsNorm(float* x, float* gamma, float* y, int rows, int n)
    {
        for (int r = 0; r < rows; r++, x += n, y += n)
        {
            var row = new ReadOnlySpan<float>(x, n);
            var output = new Span<float>(y, n);
            double meanSquare = (double)TensorPrimitives.SumOfSquares(row) / n;
            TensorPrimitives.Multiply(row, (float)(1 / Math.Sqrt(meanSquare + 1e-6)), output);
            TensorPrimitives.Multiply(output, new ReadOnlySpan<float>(gamma, n), output);
        }
    }

    /// <summary>
    /// LayerNorm out of cache, row by row: Σ(x − k) and Σ(x − k)² with k = x[0]; then x̂ = (x − μ)·(1/σ) and y as
    /// <paramref name="affine"/> says (γ·x̂ + β, γ·x̂ or x̂), written with streaming stores while the next row is asked for.
    /// </summary>
    public static void LayerNorm(float* x, float* gamma, float* beta, float* y, int rows, int n, Affine affine)
    {
        for (int r = 0; r < rows; r++, x += n, y += n)
        {
            Vector512<float> origin = Vector512.Create(x[0]);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> q0 = default, q1 = default, q2 = default, q3 = default;
            for (int i = 0; i < n; i += 64)
            {
                Vector512<float> d0 = Avx512F.LoadVector512(x + i) - origin, d1 = Avx512F.LoadVector512(x + i + 16) - origin;
                Vector512<float> d2 = Avx512F.LoadVector512(x + i + 32) - origin, d3 = Avx512F.LoadVector512(x + i + 48) - origin;
                s0 += d0;
                s1 += d1;
                s2 += d2;
                s3 += d3;
                q0 = Avx512F.FusedMultiplyAdd(d0, d0, q0);
                q1 = Avx512F.FusedMultiplyAdd(d1, d1, q1);
                q2 = Avx512F.FusedMultiplyAdd(d2, d2, q2);
                q3 = Avx512F.FusedMultiplyAdd(d3, d3, q3);
            }

            float shiftedMean = Vector512.Sum((s0 + s1) + (s2 + s3)) / n;
            float variance = (Vector512.Sum((q0 + q1) + (q2 + q3)) / n) - (shiftedMean * shiftedMean);
            Vector512<float> center = Vector512.Create(x[0] + shiftedMean);
            Vector512<float> scale = Vector512.Create(1f / MathF.Sqrt(variance + 1e-5f));
            float* next = x + n;
            for (int i = 0; i < n; i += 128)
            {
                for (int line = 0; line < 128; line += 16)
                {
                    Sse.Prefetch0(next + i + line);
                }

                for (int u = i; u < i + 128; u += 16)
                {
                    Vector512<float> normalized = (Avx512F.LoadVector512(x + u) - center) * scale;
                    Avx512F.StoreAlignedNonTemporal(y + u, Output(normalized, gamma + u, beta + u, affine));
                }
            }
        }

        Sse.StoreFence();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Output(Vector512<float> normalized, float* gamma, float* beta, Affine affine) => affine switch
    {
        Affine.None => normalized,
        Affine.Weight => normalized * Avx512F.LoadVector512(gamma),
        _ => Avx512F.FusedMultiplyAdd(normalized, Avx512F.LoadVector512(gamma), Avx512F.LoadVector512(beta)),
    };

    private static float SumOfSquares(float* x, float* gamma, int n, bool askForGamma)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = 0; i < n; i += 128)
        {
            if (askForGamma)
            {
                for (int line = 0; line < 128; line += 16)
                {
                    Sse.Prefetch0(gamma + i + line);
                }
            }

            Vector512<float> v0 = Avx512F.LoadVector512(x + i), v1 = Avx512F.LoadVector512(x + i + 16);
            Vector512<float> v2 = Avx512F.LoadVector512(x + i + 32), v3 = Avx512F.LoadVector512(x + i + 48);
            Vector512<float> v4 = Avx512F.LoadVector512(x + i + 64), v5 = Avx512F.LoadVector512(x + i + 80);
            Vector512<float> v6 = Avx512F.LoadVector512(x + i + 96), v7 = Avx512F.LoadVector512(x + i + 112);
            a0 = Avx512F.FusedMultiplyAdd(v0, v0, a0);
            a1 = Avx512F.FusedMultiplyAdd(v1, v1, a1);
            a2 = Avx512F.FusedMultiplyAdd(v2, v2, a2);
            a3 = Avx512F.FusedMultiplyAdd(v3, v3, a3);
            a4 = Avx512F.FusedMultiplyAdd(v4, v4, a4);
            a5 = Avx512F.FusedMultiplyAdd(v5, v5, a5);
            a6 = Avx512F.FusedMultiplyAdd(v6, v6, a6);
            a7 = Avx512F.FusedMultiplyAdd(v7, v7, a7);
        }

        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
    }
}
