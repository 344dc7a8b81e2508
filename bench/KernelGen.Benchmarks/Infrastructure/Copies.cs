using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Runtime;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>The copies that serve as floors of the benchmarks (beside <see cref="RowBenchmark.Copy"/>'s <c>Span.CopyTo</c>).</summary>
public static class Copies
{
    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (the same length) with 512-bit streaming stores
    /// once the destination is 64-byte aligned, ordinary stores for the head and the tail; <c>Span.CopyTo</c> without AVX-512.
    /// No read-for-ownership of the destination's lines: 4 bytes read and 4 written per element.
    /// </summary>
    /// <param name="source">The elements to copy.</param>
    /// <param name="destination">Where they go (as long as <paramref name="source"/>).</param>
    public static void Streaming(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (!Vector512.IsHardwareAccelerated || source.Length != destination.Length)
        {
            source.CopyTo(destination);
            return;
        }

        ref float x = ref MemoryMarshal.GetReference(source);
        ref float y = ref MemoryMarshal.GetReference(destination);
        nint n = source.Length;
        nint head = CacheHints.StreamingHead(ref y, n, 64);
        source[..(int)head].CopyTo(destination);
        nint i = head;
        for (; i <= n - 64; i += 64)
        {
            CacheHints.StoreStreaming(Vector512.LoadUnsafe(ref x, (nuint)i), ref y, (nuint)i);
            CacheHints.StoreStreaming(Vector512.LoadUnsafe(ref x, (nuint)(i + 16)), ref y, (nuint)(i + 16));
            CacheHints.StoreStreaming(Vector512.LoadUnsafe(ref x, (nuint)(i + 32)), ref y, (nuint)(i + 32));
            CacheHints.StoreStreaming(Vector512.LoadUnsafe(ref x, (nuint)(i + 48)), ref y, (nuint)(i + 48));
        }

        source[(int)i..].CopyTo(destination[(int)i..]);
        CacheHints.StreamingFence();
    }
}
