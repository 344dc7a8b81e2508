using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace KernelGen.Runtime;

/// <summary>
/// The row-parallel mode of the many-rows kernels declared with <c>Parallel = true</c>: a call's rows are cut into
/// contiguous blocks, one per thread, run on a pool of persistent worker threads plus the calling thread, which
/// waits for the others before it returns. A call allocates nothing: the kernel's block method is a cached static
/// delegate, the spans are pinned on the caller's stack for the call and handed over as pointers, and the workers
/// are started once (lazily) and then wait on their own events. Rows are independent, so the result is the same,
/// bit for bit, as the one-thread call on the same path.
/// </summary>
/// <remarks>
/// One parallel call runs at a time: a call made while another is running (from another thread) runs on its own
/// thread, serially, rather than queue. A call splits only when it has at least two rows and
/// <see cref="MinElementsPerThread"/> elements for each thread it would use; a smaller call runs serially (the
/// hand-off costs a few microseconds).
/// </remarks>
public static unsafe class RowParallel
{
    /// <summary>The fewest elements worth handing to a thread (smaller calls run serially): 32 768, about 10 µs of a softmax.</summary>
    public const int MinElementsPerThread = 1 << 15;

    /// <summary>The most spans a kernel hands over.</summary>
    public const int MaxSpans = 8;

    // How many spin steps a waiting thread takes before it blocks (as ManualResetEventSlim's largest spin count): back-to-back
    // calls then start and end without a kernel wake-up.
    private const int SpinCount = 2047;

    private static readonly object Gate = new();
    private static int maxThreads = Environment.ProcessorCount;
    private static Worker[] workers = Array.Empty<Worker>();

    // The job of the parallel call in progress (guarded by Gate): what each part runs, and how many parts are left.
    private static IJob? job;
    private static int pending;
    private static readonly Signal Done = new();
    private static Exception? failure;

    /// <summary>
    /// The most threads a parallel call uses, the calling thread included: by default the machine's processor
    /// count (<see cref="Environment.ProcessorCount"/>); 1 makes every call serial. Workers are started when a call
    /// first needs them and stay for the life of the process (background threads, waiting on an event when idle).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above 256.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref maxThreads);
        set
        {
            if (value is < 1 or > 256)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The threads of a parallel call: 1 (serial) to 256.");
            }

            Volatile.Write(ref maxThreads, value);
        }
    }

    /// <summary>
    /// The number of threads a call of <paramref name="rows"/> rows and <paramref name="elements"/> elements would use:
    /// 1 (serial) when <see cref="MaxThreads"/> is 1, the call has one row, or its elements are fewer than
    /// 2·<see cref="MinElementsPerThread"/>.
    /// </summary>
    /// <param name="rows">The rows of the call.</param>
    /// <param name="elements">The elements of the call (rows × row length).</param>
    /// <returns>How many blocks the rows would be cut into.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PartsFor(int rows, int elements)
    {
        int byElements = elements / MinElementsPerThread;
        return Math.Max(1, Math.Min(Math.Min(MaxThreads, rows), byElements));
    }

    /// <summary>
    /// Runs a kernel's block method over its rows in parallel. <paramref name="body"/> is called once per block with
    /// the block's rows (<see cref="RowBlock{T}.FirstRow"/>, <see cref="RowBlock{T}.RowCount"/>) and the spans, which
    /// it slices with <see cref="RowBlock{T}.Rows"/> (row-major data, <paramref name="rowLength"/> per row),
    /// <see cref="RowBlock{T}.PerRow"/> (one element per row) or <see cref="RowBlock{T}.Whole"/> (shared by every
    /// row). The spans are pinned for the call; the caller's thread runs the first block.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="body">The kernel's block method: a cached static delegate (no allocation per call).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="rowLength">The elements per row.</param>
    /// <param name="spans">The kernel's spans, in the order its block method reads them back.</param>
    public static void For<T>(RowsBody<T> body, int rows, int rowLength, in SpanList<T> spans)
        where T : unmanaged
        => For(body, rows, rowLength, PartsFor(rows, rows * rowLength), spans);

    /// <summary>
    /// Runs a kernel's block method over its rows in <paramref name="parts"/> blocks, as <see cref="For{T}(RowsBody{T}, int, int, in SpanList{T})"/>
    /// does with the count <see cref="PartsFor"/> gives: for a caller that has already asked <see cref="PartsFor"/> (the
    /// generated path methods, which run serially without the pool when it says 1), so the count is computed once per call.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="body">The kernel's block method: a cached static delegate (no allocation per call).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="rowLength">The elements per row.</param>
    /// <param name="parts">The number of blocks, as <see cref="PartsFor"/> gave it (at most <paramref name="rows"/> are used; 1 or less runs serially).</param>
    /// <param name="spans">The kernel's spans, in the order its block method reads them back.</param>
    public static void For<T>(RowsBody<T> body, int rows, int rowLength, int parts, in SpanList<T> spans)
        where T : unmanaged
    {
        int count = Math.Min(parts, rows);
        // Serial when one part is enough, when another call holds the workers, or (never from generated code) when a
        // block method itself calls a parallel kernel on the calling thread.
        if (count <= 1 || Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate))
        {
            RunSerial(body, rows, rowLength, spans);
            return;
        }

        try
        {
            fixed (T* p0 = spans.S0)
            fixed (T* p1 = spans.S1)
            fixed (T* p2 = spans.S2)
            fixed (T* p3 = spans.S3)
            fixed (T* p4 = spans.S4)
            fixed (T* p5 = spans.S5)
            fixed (T* p6 = spans.S6)
            fixed (T* p7 = spans.S7)
            {
                Job<T> current = Job<T>.Instance;
                current.Body = body;
                current.Rows = rows;
                current.RowLength = rowLength;
                current.Parts = count;
                current.Pointers[0] = (nint)p0;
                current.Pointers[1] = (nint)p1;
                current.Pointers[2] = (nint)p2;
                current.Pointers[3] = (nint)p3;
                current.Pointers[4] = (nint)p4;
                current.Pointers[5] = (nint)p5;
                current.Pointers[6] = (nint)p6;
                current.Pointers[7] = (nint)p7;
                current.Lengths[0] = spans.S0.Length;
                current.Lengths[1] = spans.S1.Length;
                current.Lengths[2] = spans.S2.Length;
                current.Lengths[3] = spans.S3.Length;
                current.Lengths[4] = spans.S4.Length;
                current.Lengths[5] = spans.S5.Length;
                current.Lengths[6] = spans.S6.Length;
                current.Lengths[7] = spans.S7.Length;
                Run(current, count);
                current.Body = null;
            }
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void RunSerial<T>(RowsBody<T> body, int rows, int rowLength, in SpanList<T> spans)
        where T : unmanaged
    {
        var block = new RowBlock<T>(0, rows, rowLength, spans);
        body(ref block);
    }

    // Under Gate: start the missing workers, hand each its part, run part 0 here, wait for the rest.
    private static void Run(IJob current, int count)
    {
        EnsureWorkers(count - 1);
        job = current;
        failure = null;
        Done.Reset();
        Volatile.Write(ref pending, count - 1);
        for (int w = 0; w < count - 1; w++)
        {
            workers[w].Start(w + 1);
        }

        try
        {
            current.RunPart(0);
        }
        finally
        {
            // Always wait: the workers read the caller's pinned memory until they are done. The count decides, not the
            // event: the previous call's last worker counts down before it sets the event, so a set may arrive late, in
            // this call (a stale wake-up is reset and the count checked again).
            while (Volatile.Read(ref pending) != 0)
            {
                Done.Wait();
                Done.Reset();
            }

            job = null;
        }

        if (failure is { } e)
        {
            failure = null;
            throw new AggregateException("A row block of a parallel kernel call failed.", e);
        }
    }

    private static void EnsureWorkers(int needed)
    {
        if (workers.Length >= needed)
        {
            return;
        }

        var grown = new Worker[needed];
        Array.Copy(workers, grown, workers.Length);
        for (int w = workers.Length; w < needed; w++)
        {
            grown[w] = new Worker(w + 1);
        }

        workers = grown;
    }

    /// <summary>A kernel's block method: runs the rows of <paramref name="block"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="block">The block's rows and the call's spans.</param>
    public delegate void RowsBody<T>(ref RowBlock<T> block)
        where T : unmanaged;

    /// <summary>Up to <see cref="MaxSpans"/> spans of a kernel call, handed to <see cref="For{T}(RowsBody{T}, int, int, in SpanList{T})"/> (unused ones default, empty).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    public readonly ref struct SpanList<T>
        where T : unmanaged
    {
        /// <summary>The spans in order.</summary>
        public readonly ReadOnlySpan<T> S0, S1, S2, S3, S4, S5, S6, S7;

        /// <summary>Lists the spans of a call; the kernel's block method reads them back by index.</summary>
        public SpanList(ReadOnlySpan<T> s0, ReadOnlySpan<T> s1 = default, ReadOnlySpan<T> s2 = default, ReadOnlySpan<T> s3 = default,
            ReadOnlySpan<T> s4 = default, ReadOnlySpan<T> s5 = default, ReadOnlySpan<T> s6 = default, ReadOnlySpan<T> s7 = default)
        {
            this.S0 = s0;
            this.S1 = s1;
            this.S2 = s2;
            this.S3 = s3;
            this.S4 = s4;
            this.S5 = s5;
            this.S6 = s6;
            this.S7 = s7;
        }
    }

    /// <summary>One block of rows of a parallel call, and the call's spans cut to it.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    public ref struct RowBlock<T>
        where T : unmanaged
    {
        private readonly Job<T>? job;
        private readonly SpanList<T> serial;

        internal RowBlock(int firstRow, int rowCount, int rowLength, in SpanList<T> spans)
        {
            this.FirstRow = firstRow;
            this.RowCount = rowCount;
            this.RowLength = rowLength;
            this.serial = spans;
            this.job = null;
        }

        internal RowBlock(int firstRow, int rowCount, Job<T> job)
        {
            this.FirstRow = firstRow;
            this.RowCount = rowCount;
            this.RowLength = job.RowLength;
            this.serial = default;
            this.job = job;
        }

        /// <summary>The block's first row.</summary>
        public int FirstRow { get; }

        /// <summary>The block's number of rows.</summary>
        public int RowCount { get; }

        /// <summary>The elements per row.</summary>
        public int RowLength { get; }

        /// <summary>Span <paramref name="index"/> as row-major rows: the block's rows of it.</summary>
        /// <param name="index">The span's place in the <see cref="SpanList{T}"/>.</param>
        /// <returns>Elements [FirstRow·RowLength, (FirstRow + RowCount)·RowLength) of the span.</returns>
        public readonly Span<T> Rows(int index) => this.Slice(index, this.FirstRow * this.RowLength, this.RowCount * this.RowLength);

        /// <summary>Span <paramref name="index"/> as one element per row: the block's elements of it.</summary>
        /// <param name="index">The span's place in the <see cref="SpanList{T}"/>.</param>
        /// <returns>Elements [FirstRow, FirstRow + RowCount) of the span.</returns>
        public readonly Span<T> PerRow(int index) => this.Slice(index, this.FirstRow, this.RowCount);

        /// <summary>Span <paramref name="index"/> whole (a parameter every row shares, such as γ).</summary>
        /// <param name="index">The span's place in the <see cref="SpanList{T}"/>.</param>
        /// <returns>The whole span.</returns>
        public readonly Span<T> Whole(int index) => this.Slice(index, 0, -1);

        private readonly Span<T> Slice(int index, int start, int length)
        {
            if (this.job is null)
            {
                ReadOnlySpan<T> s = index switch
                {
                    0 => this.serial.S0,
                    1 => this.serial.S1,
                    2 => this.serial.S2,
                    3 => this.serial.S3,
                    4 => this.serial.S4,
                    5 => this.serial.S5,
                    6 => this.serial.S6,
                    _ => this.serial.S7,
                };
                s = length < 0 ? s : s.Slice(start, length);
                return MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(s), s.Length);
            }

            int total = this.job.Lengths[index];
            return length < 0
                ? new Span<T>((T*)this.job.Pointers[index], total)
                : new Span<T>((T*)this.job.Pointers[index] + start, length);
        }
    }

    private interface IJob
    {
        void RunPart(int part);
    }

    internal sealed class Job<T> : IJob
        where T : unmanaged
    {
        public static readonly Job<T> Instance = new();

        public readonly nint[] Pointers = new nint[MaxSpans];
        public readonly int[] Lengths = new int[MaxSpans];
        public RowsBody<T>? Body;
        public int Rows;
        public int RowLength;
        public int Parts;

        public void RunPart(int part)
        {
            int first = (int)((long)this.Rows * part / this.Parts);
            int end = (int)((long)this.Rows * (part + 1) / this.Parts);
            var block = new RowBlock<T>(first, end - first, this);
            this.Body!(ref block);
        }
    }

    // A persistent background thread: waits for its event, runs its part of the current job, counts down.
    private sealed class Worker
    {
        private readonly Signal go = new();
        private int part;

        public Worker(int index)
        {
            var thread = new Thread(this.Loop) { IsBackground = true, Name = "KernelGen row worker " + index };
            thread.Start();
        }

        public void Start(int part)
        {
            this.part = part;
            this.go.Set();
        }

        private void Loop()
        {
            while (true)
            {
                this.go.Wait();
                this.go.Reset();
                try
                {
                    job!.RunPart(this.part);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    if (Interlocked.Decrement(ref pending) == 0)
                    {
                        Done.Set();
                    }
                }
            }
        }
    }

    // A reusable wake-up signal (Set, Wait, Reset) that never allocates: a waiter spins, then blocks on a monitor whose
    // object exists from construction. ManualResetEventSlim, used before, creates its lock object the first time a
    // thread blocks on it, so on a busy machine a call could allocate (24 bytes, once per event) when a wait first
    // spun out inside it (ParallelTests.AParallelCallAllocatesNothing caught it).
    private sealed class Signal
    {
        private readonly object gate = new();
        private volatile bool set;

        // Under the monitor, so a waiter that saw the signal unset before it blocked is always pulsed.
        public void Set()
        {
            lock (this.gate)
            {
                this.set = true;
                Monitor.PulseAll(this.gate);
            }
        }

        // A full fence after the store. The caller clears the done signal, then reads the count of blocks still running
        // (Run's wait loop); a store may pass a later load of another address (x86's store buffer does it; weaker models
        // too), so without the fence a worker could count down and set the signal between the two, and the caller's
        // clear, made visible last, would wipe the signal out: a caller waiting forever with nothing pending (it
        // happened, about once in 2–20 million calls of empty blocks: ParallelTests.EmptyBlocksBackToBackNeverHang).
        public void Reset()
        {
            this.set = false;
            Interlocked.MemoryBarrier();
        }

        public void Wait()
        {
            SpinWait spinner = default;
            while (!this.set)
            {
                if (spinner.Count >= SpinCount)
                {
                    lock (this.gate)
                    {
                        while (!this.set)
                        {
                            Monitor.Wait(this.gate);
                        }
                    }

                    return;
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }
}
