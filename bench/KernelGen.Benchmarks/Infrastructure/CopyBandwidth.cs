using System;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// The fallback copy bandwidth of the roofline column, measured once per size in this process with a
/// Stopwatch (the best of a few <c>Span.CopyTo</c> runs). The Copy benchmark of the same run is preferred.
/// </summary>
public static class CopyBandwidth
{
    private static readonly ConcurrentDictionary<int, double> Measured = new();

    /// <summary>GB/s of copying <paramref name="elements"/> floats, counting 4 bytes read and 4 written per element.</summary>
    public static double GigabytesPerSecond(int elements) => Measured.GetOrAdd(elements, Measure);

    private static double Measure(int elements)
    {
        float[] source = new float[elements];
        float[] destination = new float[elements];
        source.AsSpan().Fill(1);
        destination.AsSpan().Fill(1);
        int repetitions = Math.Max(1, (1 << 26) / elements);
        double best = double.MaxValue;
        for (int trial = 0; trial < 7; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < repetitions; i++)
            {
                source.AsSpan().CopyTo(destination);
            }

            double nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds / repetitions;
            best = Math.Min(best, nanoseconds);
        }

        return 8.0 * elements / best;
    }
}
