using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Runtime;

/// <summary>
/// Software prefetch for the passes that read a row from memory for the first time. When every cache line
/// costs as much arithmetic as an exponential per element, the hardware prefetcher alone falls behind and the
/// pass waits for L3 or DRAM; asking for the data <see cref="AheadBytes"/> ahead hides that latency
/// (cross-entropy's forward over 1024 × 32000 floats: 0.62 → 0.37 ns/element, docs/benchmarks.md).
/// A prefetch is only a hint: it never faults, even past the end of the buffer, and changes no result.
/// On machines without SSE (Arm64) it compiles to nothing.
/// <para>
/// Streaming stores are the other half: an output much larger than the caches is written with non-temporal
/// stores, which skip the read-for-ownership of each line and do not evict the data still to be read
/// (cross-entropy's gradient over 1024 × 32000 floats, docs/benchmarks.md). They need addresses aligned to the
/// vector's size, so a pass first writes the <see cref="StreamingHead{T}(ref T, nint, int)"/> elements with an
/// ordinary masked store, and ends with <see cref="StreamingFence"/>.
/// </para>
/// </summary>
public static class CacheHints
{
    /// <summary>How far ahead of the element being read the prefetch asks for data (4 KiB: best of 1, 2, 4, 8 KiB and a row ahead, measured).</summary>
    public const int AheadBytes = 4096;

    /// <summary>
    /// Asks for the <paramref name="bytes"/> bytes (a constant; up to 512, whole 64-byte lines) that start
    /// <see cref="AheadBytes"/> past element <paramref name="index"/> of the buffer that starts at <paramref name="start"/>.
    /// </summary>
    /// <param name="start">The first element of the row (a valid reference: the address past it is formed as a raw pointer, never as a reference).</param>
    /// <param name="index">The element being read now.</param>
    /// <param name="bytes">The bytes the loop reads per iteration: 64, 128, 256 or 512 (one prefetch per 64-byte line).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchAhead<T>(ref T start, nint index, [ConstantExpected(Min = 64, Max = 512)] int bytes)
        where T : unmanaged =>
        PrefetchAt(ref start, index + (AheadBytes / sizeof(T)), bytes);

    /// <summary>
    /// Asks for the <paramref name="bytes"/> bytes (a constant; up to 512, whole 64-byte lines) that start at element
    /// <paramref name="index"/> of the buffer that starts at <paramref name="start"/>, which may be past its end. A pass
    /// over a row that reads its data from cache uses it to ask for the next row, at <c>index + n</c>, while it works
    /// (the norms' output pass when their output streams: RmsNorm over 4096 × 4096 floats, docs/benchmarks.md).
    /// </summary>
    /// <param name="start">The first element of the row (a valid reference: the address past it is formed as a raw pointer, never as a reference).</param>
    /// <param name="index">The first element asked for.</param>
    /// <param name="bytes">The bytes the loop reads per iteration: 64, 128, 256 or 512 (one prefetch per 64-byte line).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchAt<T>(ref T start, nint index, [ConstantExpected(Min = 64, Max = 512)] int bytes)
        where T : unmanaged
    {
        if (Sse.IsSupported)
        {
            byte* line = (byte*)Unsafe.AsPointer(ref start) + (index * sizeof(T));
            Sse.Prefetch0(line);
            if (bytes > 64)
            {
                Sse.Prefetch0(line + 64);
            }

            if (bytes > 128)
            {
                Sse.Prefetch0(line + 128);
                Sse.Prefetch0(line + 192);
            }

            if (bytes > 256)
            {
                Sse.Prefetch0(line + 256);
                Sse.Prefetch0(line + 320);
                Sse.Prefetch0(line + 384);
                Sse.Prefetch0(line + 448);
            }
        }
    }

    /// <summary>
    /// The size of this machine's L1 data cache, in bytes, read once from the processor (x86: CPUID, leaf 4 on Intel,
    /// leaf 80000005h on AMD and Hygon); 0 where it cannot be known (Arm64, or a processor or hypervisor
    /// that does not report it). A kernel uses it to decide whether a row's working set fits in L1: RmsNorm's in-cache
    /// pass 1 asks for γ's lines only when x, γ and y of a row fit (docs/attributes.md).
    /// </summary>
    public static readonly int L1DataBytes = ReadL1DataBytes();

    /// <summary>Outputs at least this large (8 MiB: four times this machine's L2, a small part of its L3) are written with streaming stores.</summary>
    public const int StreamingThresholdBytes = 8 << 20;

    private static volatile bool streamingStores = true;

    /// <summary>
    /// Whether kernels may write large outputs with streaming stores (true by default; see <see cref="ShouldStream{T}(ReadOnlySpan{T}, Span{T})"/>).
    /// Set it to false, for the whole process, when a large output is read again right away (the next layer's kernel
    /// over the same 8+ MiB) and should stay in cache rather than go to memory; the results are the same bits either way,
    /// only the stores differ. The benchmarks use it to time both forms in one run.
    /// </summary>
    public static bool StreamingStores
    {
        get => streamingStores;
        set => streamingStores = value;
    }

    // AMD and Hygon report L1's size in KiB in CPUID leaf 80000005h, ECX[31:24] (this machine's hypervisor leaves the
    // newer leaf 8000001Dh empty). Intel lists its caches in leaf 4, one per subleaf until type 0: EAX[4:0] type
    // (1: data), EAX[7:5] level; size = ways · partitions · line size · sets, each field stored as its value − 1
    // (EBX[31:22], EBX[21:12], EBX[11:0], ECX).
    private static int ReadL1DataBytes()
    {
        if (!X86Base.IsSupported)
        {
            return 0;
        }

        (int maxBasic, int vendor0, int vendor2, int vendor1) = X86Base.CpuId(0, 0);
        if ((vendor0, vendor1, vendor2) is (0x68747541, 0x69746E65, 0x444D4163)   // "AuthenticAMD"
            or (0x6F677948, 0x6E65476E, 0x656E6975))                               // "HygonGenuine"
        {
            bool hasLeaf = (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax >= 0x80000005;
            return hasLeaf ? (int)((uint)X86Base.CpuId(unchecked((int)0x80000005), 0).Ecx >> 24) * 1024 : 0;
        }

        for (int subleaf = 0; maxBasic >= 4 && subleaf < 16; subleaf++)
        {
            (int eax, int ebx, int ecx, _) = X86Base.CpuId(4, subleaf);
            int type = eax & 0x1F;
            if (type == 0)
            {
                break;
            }

            if (type == 1 && ((eax >> 5) & 7) == 1)
            {
                long bytes = (long)(((ebx >> 22) & 0x3FF) + 1) * (((ebx >> 12) & 0x3FF) + 1) * ((ebx & 0xFFF) + 1) * ((long)(uint)ecx + 1);
                return bytes <= (1 << 24) ? (int)bytes : 0;
            }
        }

        return 0;
    }

    /// <summary>
    /// True when a pass that reads <paramref name="source"/> and writes <paramref name="destination"/> should write with
    /// streaming stores: <see cref="StreamingStores"/> is on, the output is at least <see cref="StreamingThresholdBytes"/>, the two do not overlap (an in-place
    /// output is in cache already), the output's address is a multiple of the element's size (a span cast from an odd
    /// place in a byte buffer is not: no streaming store reaches it, see <see cref="StreamingHead{T}(ref T, nint, int)"/>),
    /// and the machine has non-temporal stores (x86).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool ShouldStream<T>(ReadOnlySpan<T> source, Span<T> destination)
        where T : unmanaged =>
        Sse.IsSupported
        && streamingStores
        && (long)destination.Length * sizeof(T) >= StreamingThresholdBytes
        && IsElementAligned(ref MemoryMarshal.GetReference(destination))
        && !source.Overlaps(destination);

    /// <summary>
    /// True when <paramref name="destination"/>'s address is a multiple of the element's size. The answer does not change
    /// when the GC moves the buffer (objects move by multiples of 8 bytes), so it can be decided once per call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool IsElementAligned<T>(ref T destination)
        where T : unmanaged =>
        (nuint)Unsafe.AsPointer(ref destination) % (nuint)sizeof(T) == 0;

    /// <summary>
    /// The number of elements (fewer than one vector, at most <paramref name="n"/>) before the first address of
    /// <paramref name="destination"/> aligned to <paramref name="vectorBytes"/>; <paramref name="n"/> when the address is not even
    /// aligned to the element's size (no aligned address is ever reached). Only for a destination that
    /// <see cref="ShouldStream{T}(ReadOnlySpan{T}, Span{T})"/> accepted, which excludes such addresses: a pass writes its
    /// head as one masked vector, which holds fewer elements than a whole row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe nint StreamingHead<T>(ref T destination, nint n, [ConstantExpected(Min = 16, Max = 64)] int vectorBytes)
        where T : unmanaged
    {
        nuint address = (nuint)Unsafe.AsPointer(ref destination);
        if (address % (nuint)sizeof(T) != 0)
        {
            return n;
        }

        nint head = (nint)(((nuint)vectorBytes - (address % (nuint)vectorBytes)) % (nuint)vectorBytes) / sizeof(T);
        return head < n ? head : n;
    }

    /// <summary>
    /// Stores <paramref name="value"/> at element <paramref name="index"/> of <paramref name="destination"/> without keeping it
    /// in cache when that address is aligned to 64 bytes, and with an ordinary store when it is not (a second output
    /// streamed beside the first one, whose alignment decided the pass's head, may sit at another alignment; the GC may
    /// move a buffer by a multiple of 8 bytes between two stores). Never faults on alignment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming<T>(Vector512<T> value, ref T destination, nuint index)
        where T : unmanaged
    {
        // Pinned for the one instruction: a raw address must not outlive a move of the buffer by the GC.
        fixed (T* start = &destination)
        {
            T* address = start + index;
            if ((nuint)address % 64 == 0)
            {
                Vector512.StoreAlignedNonTemporal(value, address);
            }
            else
            {
                Vector512.Store(value, address);
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="value"/> at element <paramref name="index"/> of <paramref name="destination"/> without keeping it
    /// in cache when that address is aligned to 32 bytes, and with an ordinary store when it is not (a second output
    /// streamed beside the first one, whose alignment decided the pass's head, may sit at another alignment; the GC may
    /// move a buffer by a multiple of 8 bytes between two stores). Never faults on alignment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming<T>(Vector256<T> value, ref T destination, nuint index)
        where T : unmanaged
    {
        fixed (T* start = &destination)
        {
            T* address = start + index;
            if ((nuint)address % 32 == 0)
            {
                Vector256.StoreAlignedNonTemporal(value, address);
            }
            else
            {
                Vector256.Store(value, address);
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="value"/> at element <paramref name="index"/> of <paramref name="destination"/> without keeping it
    /// in cache (an ordinary store on Arm64) when that address is aligned to 16 bytes, and with an ordinary store when it is not (a second output
    /// streamed beside the first one, whose alignment decided the pass's head, may sit at another alignment; the GC may
    /// move a buffer by a multiple of 8 bytes between two stores). Never faults on alignment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreStreaming<T>(Vector128<T> value, ref T destination, nuint index)
        where T : unmanaged
    {
        fixed (T* start = &destination)
        {
            T* address = start + index;
            if ((nuint)address % 16 == 0)
            {
                Vector128.StoreAlignedNonTemporal(value, address);
            }
            else
            {
                Vector128.Store(value, address);
            }
        }
    }

    /// <summary>Orders the streaming stores before every later store (sfence): called once at the end of a streaming pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StreamingFence()
    {
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }
}
