using System;
using System.IO;
using System.Text;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Compares generated text with a committed <c>Snapshots/{test}.{hint name}.verified.cs</c> file
/// (Verify's file convention, so that a later switch to Verify.SourceGenerators is a rename).
/// On a mismatch it writes <c>*.received.cs</c> beside it and fails with the first differing
/// lines; <c>KERNELGEN_ACCEPT_SNAPSHOTS=1</c> overwrites the verified file instead.
/// </summary>
internal static class SnapshotAssert
{
    public const string AcceptVariable = "KERNELGEN_ACCEPT_SNAPSHOTS";

    private const int ContextLines = 3;
    private const int ShownDifferences = 12;

    /// <summary>Returns null when <paramref name="actual"/> matches (or was accepted), else the failure message.</summary>
    public static string? Check(string testName, string hintName, string actual)
    {
        // "Ops.Softmax.g.cs" -> "Ops.Softmax.g": the verified file carries the .cs extension itself.
        string stem = hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - 3) : hintName;
        string verifiedPath = Path.Combine(TestPaths.SnapshotDirectory, $"{testName}.{stem}.verified.cs");
        string receivedPath = Path.Combine(TestPaths.SnapshotDirectory, $"{testName}.{stem}.received.cs");
        string received = Normalize(actual);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(TestPaths.SnapshotDirectory);
            File.WriteAllText(verifiedPath, received, new UTF8Encoding(false));
            File.Delete(receivedPath);
            return null;
        }

        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (verified == received)
        {
            File.Delete(receivedPath);
            return null;
        }

        Directory.CreateDirectory(TestPaths.SnapshotDirectory);
        File.WriteAllText(receivedPath, received, new UTF8Encoding(false));
        return verified is null
            ? $"No verified snapshot {verifiedPath}. Wrote {receivedPath}; read it, then rename it or run with {AcceptVariable}=1."
            : $"The generated {hintName} differs from {verifiedPath}. Wrote {receivedPath}; accept with {AcceptVariable}=1.{Environment.NewLine}{Diff(verified, received)}";
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    /// <summary>The first differing lines, with a few lines of context, in unified-diff style.</summary>
    internal static string Diff(string expected, string actual)
    {
        string[] a = expected.Split('\n');
        string[] b = actual.Split('\n');
        int first = 0;
        while (first < a.Length && first < b.Length && a[first] == b[first])
        {
            first++;
        }

        // Skip the common tail so that an inserted block shows as an insertion, not as a shifted file.
        int tailA = a.Length - 1, tailB = b.Length - 1;
        while (tailA >= first && tailB >= first && a[tailA] == b[tailB])
        {
            tailA--;
            tailB--;
        }

        var builder = new StringBuilder();
        builder.AppendLine($"@@ verified line {first + 1}, received line {first + 1} @@ ({a.Length} vs {b.Length} lines)");
        for (int i = Math.Max(0, first - ContextLines); i < first; i++)
        {
            builder.AppendLine("  " + a[i]);
        }

        for (int i = first; i <= tailA && i < first + ShownDifferences; i++)
        {
            builder.AppendLine("- " + a[i]);
        }

        for (int i = first; i <= tailB && i < first + ShownDifferences; i++)
        {
            builder.AppendLine("+ " + b[i]);
        }

        if (tailA - first >= ShownDifferences || tailB - first >= ShownDifferences)
        {
            builder.AppendLine("  ... (more differences)");
        }

        return builder.ToString();
    }
}
