using System.Collections.Generic;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Emit;

/// <summary>
/// One code path of a kernel: its vector width and the runtime words it calls. The emitters are
/// written once over this description (one emitter parameterized by width), so a path is data,
/// not a copy of code.
/// </summary>
/// <param name="Name">The path method's name and the KernelPath/KernelTargets member.</param>
/// <param name="TargetFlag">The KernelTargets bit that asks for this path.</param>
/// <param name="Bits">The vector width in bits (0 for the scalar path).</param>
/// <param name="VectorType">The static vector class, e.g. Vector512.</param>
/// <param name="MathType">The runtime class with this width's words, e.g. VectorMath512.</param>
/// <param name="SupportCondition">True where the path's instructions exist (checked by the path method).</param>
/// <param name="DispatchCondition">True where the dispatcher should pick this path (a JIT-time constant).</param>
/// <param name="Description">A phrase for the XML docs.</param>
internal sealed record PathInfo(
    string Name,
    int TargetFlag,
    int Bits,
    string VectorType,
    string MathType,
    string SupportCondition,
    string DispatchCondition,
    string Description)
{
    public const string Intrinsics = "global::System.Runtime.Intrinsics";
    public const string Runtime = "global::KernelGen.Runtime";

    public static readonly PathInfo Avx512 = new(
        "Avx512", 16, 512, Intrinsics + ".Vector512", Runtime + ".VectorMath512",
        Runtime + ".VectorMath512.IsSupported",
        Intrinsics + ".Vector512.IsHardwareAccelerated && " + Runtime + ".VectorMath512.IsSupported",
        "AVX-512 path: 512-bit vectors (Vector512), FMA and vscalefps");

    public static readonly PathInfo Avx2 = new(
        "Avx2", 8, 256, Intrinsics + ".Vector256", Runtime + ".VectorMath256",
        Runtime + ".VectorMath256.IsSupported",
        Intrinsics + ".Vector256.IsHardwareAccelerated && " + Runtime + ".VectorMath256.IsSupported",
        "AVX2 path: 256-bit vectors (Vector256) with FMA");

    public static readonly PathInfo Neon = new(
        "Neon", 4, 128, Intrinsics + ".Vector128", Runtime + ".VectorMath128",
        Intrinsics + ".Arm.AdvSimd.Arm64.IsSupported",
        Intrinsics + ".Arm.AdvSimd.Arm64.IsSupported",
        "NEON path: 128-bit vectors (Vector128) on Arm64 AdvSimd, with fused multiply-add");

    public static readonly PathInfo Vector128 = new(
        "Vector128", 2, 128, Intrinsics + ".Vector128", Runtime + ".VectorMath128",
        Runtime + ".VectorMath128.IsSupported",
        Runtime + ".VectorMath128.IsSupported",
        "portable 128-bit path (Vector128: SSE on x86)");

    public static readonly PathInfo Scalar = new(
        "Scalar", 1, 0, string.Empty, string.Empty, "true", "true",
        "scalar path: no SIMD, the fallback on every machine");

    /// <summary>Every path, widest first: the dispatch order.</summary>
    public static readonly IReadOnlyList<PathInfo> All = new[] { Avx512, Avx2, Neon, Vector128, Scalar };

    public bool IsVector => this.Bits != 0;

    /// <summary>
    /// The vector registers the generator plans for: 32 on AVX-512, 16 on the other paths (AVX2 and SSE have 16; NEON's
    /// 32 are not counted on: its code is the portable 128-bit code's).
    /// </summary>
    public int VectorRegisters => this.Bits == 512 ? 32 : 16;

    /// <summary>
    /// The unroll when the attribute leaves it to the generator: a quarter of the registers, 8 vectors on AVX-512, whose 32
    /// registers hold eight exps in flight (measured 10% faster than 4 on rows of 1024 and 65536 floats; on rows
    /// of 64 it is slower — declare a Width there), and 4 on the paths with 16 registers (AVX2, SSE).
    /// </summary>
    public int DefaultUnroll => this.VectorRegisters / 4;

    /// <summary>Elements per vector.</summary>
    public int Lanes(ElementType element) => this.Bits / (element == ElementType.Float ? 32 : 64);

    /// <summary>
    /// True when a fixed row of <paramref name="width"/> elements (0: any length, never) is at most 16 vectors on
    /// AVX-512 (32 registers) or 8 on the 16-register paths: such rows are written fully unrolled, kept in registers.
    /// </summary>
    public bool KeepsRowInRegisters(int width, ElementType element) =>
        width != 0 && (width + this.Lanes(element) - 1) / this.Lanes(element) <= this.VectorRegisters / 2;

    /// <summary>The vector type of <paramref name="element"/>, e.g. <c>Vector512&lt;float&gt;</c>.</summary>
    public string Of(string element) => this.VectorType + "<" + element + ">";
}
