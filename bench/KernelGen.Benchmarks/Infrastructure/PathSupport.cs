using System;
using KernelGen.Benchmarks.Kernels;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>Which generated paths this machine (and the runtime's configuration) can run.</summary>
public static class PathSupport
{
    /// <summary>The path the dispatching entry points use here.</summary>
    public static KernelPath Selected => BenchKernels.SoftmaxAutoPaths.Selected;

    /// <summary>Whether calling <paramref name="path"/> works here (a missing path throws PlatformNotSupportedException).</summary>
    public static bool IsSupported(KernelPath path)
    {
        float[] input = [1, 2, 3, 4];
        float[] output = new float[4];
        try
        {
            switch (path)
            {
                case KernelPath.Avx512: BenchKernels.SoftmaxAutoPaths.Avx512(input, output, 4); break;
                case KernelPath.Avx2: BenchKernels.SoftmaxAutoPaths.Avx2(input, output, 4); break;
                case KernelPath.Neon: BenchKernels.SoftmaxAutoPaths.Neon(input, output, 4); break;
                case KernelPath.Vector128: BenchKernels.SoftmaxAutoPaths.Vector128(input, output, 4); break;
                default: BenchKernels.SoftmaxAutoPaths.Scalar(input, output, 4); break;
            }

            return true;
        }
        catch (PlatformNotSupportedException)
        {
            return false;
        }
    }
}
