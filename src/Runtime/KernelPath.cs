namespace KernelGen;

/// <summary>The code paths a generated kernel can run; <c>MPaths.Selected</c> tells which one a kernel uses.</summary>
public enum KernelPath
{
    /// <summary>Plain scalar code (no SIMD).</summary>
    Scalar = 0,

    /// <summary>Portable 128-bit SIMD through <c>Vector128</c> (SSE on x86).</summary>
    Vector128 = 1,

    /// <summary>Arm64 AdvSimd (NEON), 128-bit, with fused multiply-add.</summary>
    Neon = 2,

    /// <summary>x86 AVX2 with FMA, 256-bit.</summary>
    Avx2 = 3,

    /// <summary>x86 AVX-512, 512-bit.</summary>
    Avx512 = 4,
}
