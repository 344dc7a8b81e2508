using System;

namespace KernelGen;

/// <summary>
/// The code paths the generator emits for a kernel. The scalar path is always emitted, since
/// it is the fallback on machines without SIMD.
/// </summary>
[Flags]
public enum KernelTargets
{
    /// <summary>Plain scalar code; always emitted.</summary>
    Scalar = 1,

    /// <summary>Portable 128-bit SIMD (<c>Vector128</c>): SSE on x86, AdvSimd on Arm64.</summary>
    Vector128 = 2,

    /// <summary>Arm64 AdvSimd (NEON) with fused multiply-add.</summary>
    Neon = 4,

    /// <summary>x86 AVX2 with FMA (<c>Vector256</c>).</summary>
    Avx2 = 8,

    /// <summary>x86 AVX-512 (<c>Vector512</c>), using AVX-512 instructions where they pay.</summary>
    Avx512 = 16,

    /// <summary>Every path.</summary>
    All = Scalar | Vector128 | Neon | Avx2 | Avx512,
}
