using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// The shapes (rows × row length) the benchmarks run over, and the optional <c>--shapes</c> selection.
/// </summary>
/// <remarks>
/// The shape is a string parameter ("1024x1024") on purpose: BenchmarkDotNet writes string
/// parameter values into the child process's code as literals, so narrowing the list in the host
/// (with <c>--shapes</c>) never disagrees with what the child process runs.
/// </remarks>
public static class BenchShapes
{
    /// <summary>The softmax shapes: attention / vocabulary batches, L1 to L2 rows, and rows far out of cache.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "4096x64",      // 1 MiB: many short rows (attention heads)
        "1024x1024",    // 4 MiB: rows in L1
        "64x4096",      // 1 MiB: rows of 16 KiB
        "1x65536",      // 256 KiB: one row in L2
        "4x262144",     // 4 MiB: rows of 1 MiB (L2-sized)
        "1x1048576",    // 4 MiB: one row of 4 MiB (L3)
        "1x16777216",   // 64 MiB: one row out of cache
        "256x65536",    // 64 MiB: many L2-sized rows, the batch out of cache
    ];

    /// <summary>The normalizations' shapes: LLM hidden sizes, the batch in cache and out of it.</summary>
    public static readonly IReadOnlyList<string> Normalizations =
    [
        "256x4096",     // 4 MiB: 256 tokens of hidden size 4096, the batch in L3
        "4096x1024",    // 16 MiB: rows of 4 KiB, the batch at the edge of L3
        "4096x4096",    // 64 MiB: 4096 tokens of hidden size 4096, the batch out of cache
    ];

    /// <summary>The cross-entropy shapes: tokens × vocabulary (classes).</summary>
    public static readonly IReadOnlyList<string> CrossEntropy =
    [
        "1024x32000",   // 125 MiB: 1024 tokens of a 32000-word vocabulary (LLaMA's), out of cache; the headline
        "64x32000",     // 7.8 MiB: a small batch of the same vocabulary, rows of 125 KiB (L2)
        "4096x1024",    // 16 MiB: many short rows (1024 classes, 4 KiB rows in L1)
    ];

    /// <summary>The <c>--shapes</c> selection, or null for no selection.</summary>
    public static IReadOnlySet<string>? Selection { get; private set; }

    /// <summary>Restricts every benchmark class to these shapes (the ones a class does not offer are ignored).</summary>
    public static void Select(IEnumerable<string> shapes)
    {
        var selection = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string shape in shapes)
        {
            selection.Add(RowShape.Parse(shape.Trim()).ToString());
        }

        Selection = selection;
    }

    /// <summary>The shapes of <paramref name="offered"/> that the selection keeps.</summary>
    public static IEnumerable<string> Filter(IEnumerable<string> offered) =>
        Selection is null ? offered : offered.Where(shape => Selection.Contains(shape));
}
