using System;
using System.Runtime.CompilerServices;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// Benchmark buffers that start on a 64-byte boundary (a cache line, and one AVX-512 vector), the same
/// for every method and peer. A <c>new float[]</c> starts wherever the GC put it (8-byte aligned), so a
/// 512-bit load could straddle two cache lines in one process and not in the next: part of the spread
/// between runs. The arrays live on the pinned object heap, so the alignment holds for their lifetime.
/// </summary>
public static class AlignedArray
{
    /// <summary>The alignment, in bytes.</summary>
    public const int Alignment = 64;

    /// <summary>A zeroed segment of <paramref name="length"/> floats starting on a 64-byte boundary.</summary>
    public static ArraySegment<float> Create(int length) => Create<float>(length);

    /// <summary>A zeroed segment of <paramref name="length"/> elements starting on a 64-byte boundary.</summary>
    public static unsafe ArraySegment<T> Create<T>(int length)
        where T : unmanaged
    {
        int slack = Alignment / sizeof(T);
        T[] array = GC.AllocateArray<T>(length + slack, pinned: true);
        return new ArraySegment<T>(array, OffsetToAlignment(array), length);
    }

    /// <summary>An aligned copy of <paramref name="values"/>.</summary>
    public static ArraySegment<float> CopyOf(ReadOnlySpan<float> values) => CopyOf<float>(values);

    /// <summary>An aligned copy of <paramref name="values"/>.</summary>
    public static ArraySegment<T> CopyOf<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ArraySegment<T> copy = Create<T>(values.Length);
        values.CopyTo(copy);
        return copy;
    }

    private static unsafe int OffsetToAlignment<T>(T[] array)
        where T : unmanaged
    {
        // The array is pinned (POH), so its address is stable.
        nuint address = (nuint)Unsafe.AsPointer(ref array[0]);
        int misalignment = (int)(address % Alignment);
        return misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(T);
    }
}
