using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KernelGen.Charts;

// Draws the benchmark charts from BenchmarkDotNet's CSV reports (see docs/benchmarks.md, "Charts"):
//   dotnet run -c Release --project bench/KernelGen.Charts -- [--results DIR] [--out DIR]
// DIR defaults: BenchmarkDotNet.Artifacts/results (where a benchmark run leaves its reports) and docs/benchmarks.
string results = Path.Combine("BenchmarkDotNet.Artifacts", "results");
string output = Path.Combine("docs", "benchmarks");
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--results" when i + 1 < args.Length:
            results = args[++i];
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: KernelGen.Charts [--results DIR] [--out DIR]");
            Console.WriteLine("  --results DIR  BenchmarkDotNet's *-report.csv files (default BenchmarkDotNet.Artifacts/results)");
            Console.WriteLine("  --out DIR      where the PNG files go (default docs/benchmarks)");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

if (!Directory.Exists(results))
{
    Console.Error.WriteLine($"no results directory '{results}': run the benchmarks first (docs/benchmarks.md), or pass --results DIR");
    return 1;
}

Directory.CreateDirectory(output);
List<BenchmarkReport> reports = Directory.EnumerateFiles(results, "*-report.csv")
    .Order(StringComparer.Ordinal)
    .Select(BenchmarkReport.Read)
    .Where(static r => r.Rows.Count != 0)
    .ToList();
if (reports.Count == 0)
{
    Console.Error.WriteLine($"no *-report.csv with rows in '{results}'");
    return 1;
}

int written = 0;
foreach (BenchmarkReport report in reports)
{
    string? file = report.IsNormalization
        ? Charts.SpeedupBars(report, output)
        : Charts.ThroughputLines(report, output);
    if (file is null)
    {
        Console.WriteLine($"{report.ClassName}: nothing to draw (no Copy row or no ns/elem column)");
        continue;
    }

    Console.WriteLine($"{report.ClassName}: {report.Rows.Count} rows -> {file}");
    written++;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{written} chart(s) written to {output}"));
return written == 0 ? 1 : 0;
