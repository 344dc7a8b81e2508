using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace KernelGen.Generator.Tests;

/// <summary>Finds this project's source folder (for the snapshots) and the repository root (for docs/).</summary>
internal static class TestPaths
{
    private const string ProjectFolder = "KernelGen.Generator.Tests";

    /// <summary>The folder of this project's sources: where Snapshots/ lives.</summary>
    public static string ProjectDirectory { get; } = FindProjectDirectory();

    /// <summary>The repository root (two levels above the project).</summary>
    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(ProjectDirectory, "..", ".."));

    /// <summary>The committed snapshots.</summary>
    public static string SnapshotDirectory => Path.Combine(ProjectDirectory, "Snapshots");

    private static string FindProjectDirectory([CallerFilePath] string thisFile = "")
    {
        // The compiler records this file's path; it is the source tree unless a path map rewrote it
        // (deterministic CI builds), in which case the folder is found above the test binaries.
        string? fromSource = Path.GetDirectoryName(thisFile);
        if (fromSource is not null && File.Exists(Path.Combine(fromSource, ProjectFolder + ".csproj")))
        {
            return fromSource;
        }

        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", ProjectFolder);
            if (File.Exists(Path.Combine(candidate, ProjectFolder + ".csproj")))
            {
                return candidate;
            }

            if (File.Exists(Path.Combine(directory.FullName, ProjectFolder + ".csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Cannot find the {ProjectFolder} source folder from '{thisFile}' or '{AppContext.BaseDirectory}'.");
    }
}
