using System;
using System.Runtime.CompilerServices;

namespace KernelGen.Runtime;

/// <summary>
/// A per-thread scratch buffer for the kernels that keep a few rows of intermediate values in cache while they work: the
/// cross-entropy gradient's pipeline of rows, which holds the exponentials of two rows in flight there (docs/benchmarks.md,
/// session 12), and the softmax's rows in flight out of cache, which hold two rows of exponentials there while the output
/// is streamed (session 13). It is allocated on a thread's first use and replaced by a larger one when a longer one is asked for, so a
/// kernel called again with rows of the same length allocates nothing. It lives on the pinned object heap: its start stays
/// 64-byte aligned. A kernel takes it, uses it and returns before another kernel can run on the same thread (kernels do
/// not call each other), so one buffer per thread is enough.
/// </summary>
public static class ScratchRows
{
    /// <summary>
    /// The longest row (in bytes) that a pipeline of rows keeps in scratch: 256 KiB. Its three working scratch rows and the two
    /// rows of input it reads from cache then take 1.25 MiB at most, about the L2 of the machines measured (1 MiB per core);
    /// longer rows are worked one at a time. (The cross-entropy pipeline has a fourth scratch row, of zeros, that only its
    /// ignored rows read.)
    /// </summary>
    public const int PipelineRowBytes = 256 << 10;

    private const int Alignment = 64;

    [ThreadStatic]
    private static byte[]? buffer;

    /// <summary>
    /// The first of <paramref name="length"/> elements of this thread's scratch, 64-byte aligned. Its contents are whatever
    /// the last user left (nothing is cleared). Valid until the next call of this method on the same thread.
    /// </summary>
    /// <param name="length">The elements needed (non-negative).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="OverflowException">The bytes needed exceed what an array can hold.</exception>
    public static unsafe ref T Get<T>(int length)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int bytes = checked((length * sizeof(T)) + Alignment);
        byte[]? scratch = buffer;
        if (scratch is null || scratch.Length < bytes)
        {
            buffer = scratch = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        }

        // Pinned: the address, and so the offset to the next 64-byte boundary, never changes.
        nuint address = (nuint)Unsafe.AsPointer(ref scratch[0]);
        int offset = (int)((Alignment - (address % Alignment)) % Alignment);
        return ref Unsafe.As<byte, T>(ref scratch[offset]);
    }
}
