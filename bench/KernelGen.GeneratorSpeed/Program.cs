using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using KernelGen.Generator;
using KernelGen.Generator.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.GeneratorSpeed;

/// <summary>
/// Times KernelGenerator the way an IDE runs it: a CSharpGeneratorDriver over a compilation of
/// 500 kernels (the first run, then small edits), and checks on every edit that the pipeline
/// caches what it should. Exit code: 0 all good; 1 an incrementality check failed; 2 a time
/// target was missed; 64 bad arguments.
/// </summary>
internal static class Program
{
    private const double FirstRunTargetMs = 2000;
    private const double UnrelatedEditTargetMs = 50;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static int Main(string[] args)
    {
        if (!Options.TryParse(args, out Options options, out string? error))
        {
            if (error is not null)
            {
                Console.Error.WriteLine(error);
            }

            Console.Error.WriteLine(Options.Usage);
            return error is null ? 0 : 64;
        }

        // The corpus and its compilation: parsed before any timing (the IDE has its trees already).
        var parse = Stopwatch.StartNew();
        GeneratorSpeedCorpus corpus = GeneratorSpeedCorpus.Create(options.Kernels);
        CSharpCompilation compilation = corpus.CreateCompilation(References(), ParseOptions);
        parse.Stop();

        // (a) The first run of a new driver: in this fresh process (cold: the generator and the
        // driver are not jitted yet), then of a second new driver over a fresh compilation of the
        // same trees (warm: jitted code, but no symbol or semantic model built yet).
        var watch = Stopwatch.StartNew();
        GeneratorDriver timed = NewDriver(trackSteps: false).RunGenerators(compilation);
        watch.Stop();
        double coldMs = watch.Elapsed.TotalMilliseconds;

        // The timed drivers track no steps, as in the IDE; a driver with step tracking runs after
        // the timed one over the same compilations, and the checks read both.
        GeneratorDriver tracked = NewDriver(trackSteps: true).RunGenerators(compilation);
        var session = new EditSession(corpus, compilation, timed, tracked, options.Verbose);
        session.Problems.AddRange(GeneratorSpeedChecks.FirstRun(timed.GetRunResult(), corpus).Select(static p => "first run (timed driver): " + p));
        session.Problems.AddRange(GeneratorSpeedChecks.FirstRun(tracked.GetRunResult(), corpus).Select(static p => "first run (tracked driver): " + p));
        ImmutableArray<GeneratedSourceResult> generated = timed.GetRunResult().Results.Single().GeneratedSources;
        long generatedChars = generated.Sum(static s => (long)s.SourceText.Length);

        CSharpCompilation fresh = compilation.Clone();
        watch.Restart();
        NewDriver(trackSteps: false).RunGenerators(fresh);
        watch.Stop();
        double warmMs = watch.Elapsed.TotalMilliseconds;

        // Warm-up: the first edits after the first run, alternately to an unrelated file and to a
        // kernel, while the incremental paths are still being jitted. Timed and checked, reported apart.
        var warmUp = new EditTimes();
        for (int edit = 0; edit < options.WarmUp; edit++)
        {
            warmUp.Add(session.EditUnrelated(edit));
            warmUp.Add(session.EditKernel(edit));
        }

        // (b) Edits to unrelated files: an appended comment or a changed constant, one file each time;
        // (c) edits to one kernel's attribute argument (its Temperature or Epsilon), another kernel
        // each time. They alternate, so that both series see the same jitted code and the same heap.
        var unrelated = new EditTimes();
        var kernel = new EditTimes();
        var binding = new List<double>();
        for (int edit = options.WarmUp; edit < options.WarmUp + options.Edits; edit++)
        {
            unrelated.Add(session.EditUnrelated(edit));
            binding.Add(session.BindKernelDeclarations());
            kernel.Add(session.EditKernel(edit));
        }

        // The report.
        Console.WriteLine("KernelGen generator speed");
        Console.WriteLine($"  corpus     {Describe(corpus)}");
        Console.WriteLine($"  generated  {generated.Length} files, {generatedChars / 1e6:F1} M characters of C#");
        Console.WriteLine($"  machine    {CpuModel()}, {Environment.ProcessorCount} logical cores, load average {LoadAverage()}; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; Roslyn {RoslynVersion()}");
        Console.WriteLine("  drivers    timed: CSharpGeneratorDriver without step tracking (as in the IDE), one RunGenerators per");
        Console.WriteLine("             run or edit; the checks read a second driver, with trackIncrementalGeneratorSteps,");
        Console.WriteLine("             run after the timed one over the same compilations.");
        Console.WriteLine();

        var rows = new List<(string Run, string Time, string Target, string Result)>
        {
            ($"parse the corpus ({corpus.KernelFiles.Length + corpus.UnrelatedFiles.Length} files; not the generator)", Ms(parse.Elapsed.TotalMilliseconds), "-", "info"),
            ("first run, new driver, cold process", Ms(coldMs), $"< {FirstRunTargetMs:F0} ms", Verdict(coldMs < FirstRunTargetMs)),
            ("first run, second new driver, warm process", Ms(warmMs), $"< {FirstRunTargetMs:F0} ms", Verdict(warmMs < FirstRunTargetMs)),
        };
        if (options.WarmUp > 0)
        {
            rows.Add(($"warm-up: first {2 * options.WarmUp} edits (both kinds, still jitting), median", Ms(warmUp.Median), "-", "info"));
        }

        rows.AddRange(new[]
        {
            ($"unrelated-file edit, median of {options.Edits}", Ms(unrelated.Median), $"< {UnrelatedEditTargetMs:F0} ms", Verdict(unrelated.Median < UnrelatedEditTargetMs)),
            ($"unrelated-file edit, max of {options.Edits}", Ms(unrelated.Max), "-", "info"),
            ($"kernel edit, median of {options.Edits}", Ms(kernel.Median), "-", "info"),
            ($"kernel edit, max of {options.Edits}", Ms(kernel.Max), "-", "info"),
            ("  of an unrelated edit: Roslyn binding the kernels again, median", Ms(EditTimes.MedianOf(binding)), "-", "info"),
            ("  of an unrelated edit: KernelGen's transforms, symbols bound, median", Ms(unrelated.MedianTransforms), "-", "info"),
            ("unrelated edits: every step Cached/Unchanged, nothing re-added", $"{session.UnrelatedPassed}/{session.UnrelatedEdits}", "all", Verdict(session.UnrelatedPassed == session.UnrelatedEdits)),
            ("kernel edits: only the edited kernel's file changed", $"{session.KernelPassed}/{session.KernelEdits}", "all", Verdict(session.KernelPassed == session.KernelEdits)),
        });
        PrintTable(rows);
        Console.WriteLine();
        Console.WriteLine("On any edit ForAttributeWithMetadataName runs every kernel's transform again (the compilation changed):");
        Console.WriteLine("Roslyn binds each kernel's symbol and attributes in the new compilation (timed alone on a copy of the");
        Console.WriteLine("edited compilation: semantic model, declared symbol, attributes), then KernelGen re-reads them (the");
        Console.WriteLine("tracked driver's four transform steps; it runs second, so the symbols are bound by then). The models");
        Console.WriteLine("compare equal, so nothing is emitted again.");

        foreach (string problem in session.Problems.Take(40))
        {
            Console.WriteLine("  problem: " + problem);
        }

        bool timesMet = coldMs < FirstRunTargetMs && warmMs < FirstRunTargetMs && unrelated.Median < UnrelatedEditTargetMs;
        string summary = $"first run {Ms(coldMs)} cold, {Ms(warmMs)} warm (target < {FirstRunTargetMs:F0} ms); unrelated edit median {Ms(unrelated.Median)} " +
            $"(target < {UnrelatedEditTargetMs:F0} ms); kernel edit median {Ms(kernel.Median)}; incrementality " +
            $"{session.UnrelatedPassed + session.KernelPassed}/{session.UnrelatedEdits + session.KernelEdits} edits";
        Console.WriteLine();
        if (session.Problems.Count != 0)
        {
            Console.WriteLine($"FAIL (incrementality: {session.Problems.Count} problems): {summary}");
            return 1;
        }

        Console.WriteLine((timesMet ? "PASS: " : "FAIL (time target missed): ") + summary);
        return timesMet ? 0 : 2;
    }

    internal static GeneratorDriver NewDriver(bool trackSteps) =>
        CSharpGeneratorDriver.Create(
            new[] { new KernelGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>.NET 10's reference assemblies plus KernelGen.Attributes and KernelGen.Runtime, as in GeneratorHarness.</summary>
    private static IEnumerable<MetadataReference> References() =>
        Basic.Reference.Assemblies.Net100.References.All
            .Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(KernelGen.SoftmaxAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(KernelGen.KernelPath).Assembly.Location));

    private static string Describe(GeneratorSpeedCorpus corpus)
    {
        string Count<TKey>(Func<CorpusKernel, TKey> key, Func<TKey, string> name) where TKey : notnull =>
            string.Join(", ", corpus.Kernels.GroupBy(key).OrderBy(static g => g.Key).Select(g => $"{name(g.Key)} {g.Count()}"));
        return $"{corpus.Kernels.Length} kernels ({Count(static k => k.Kind, static k => k.ToString())}; " +
            $"{Count(static k => k.ElementType, static t => t)}; {Count(static k => k.ManyRows, static m => m ? "many rows" : "one row")}) " +
            $"in {corpus.KernelFiles.Length} files of up to {GeneratorSpeedCorpus.KernelsPerFile}, and {corpus.UnrelatedFiles.Length} files of unrelated code";
    }

    private static void PrintTable(List<(string Run, string Time, string Target, string Result)> rows)
    {
        int run = Math.Max("run".Length, rows.Max(static r => r.Run.Length));
        int time = Math.Max("time".Length, rows.Max(static r => r.Time.Length));
        int target = Math.Max("target".Length, rows.Max(static r => r.Target.Length));
        int result = Math.Max("result".Length, rows.Max(static r => r.Result.Length));
        Console.WriteLine($"| {"run".PadRight(run)} | {"time".PadLeft(time)} | {"target".PadRight(target)} | {"result".PadRight(result)} |");
        Console.WriteLine($"|{new string('-', run + 2)}|{new string('-', time + 1)}:|{new string('-', target + 2)}|{new string('-', result + 2)}|");
        foreach ((string r, string t, string g, string v) in rows)
        {
            Console.WriteLine($"| {r.PadRight(run)} | {t.PadLeft(time)} | {g.PadRight(target)} | {v.PadRight(result)} |");
        }
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    internal static string Ms(double ms) => ms < 100
        ? ms.ToString("F1", CultureInfo.InvariantCulture) + " ms"
        : ms.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    private static string CpuModel()
    {
        try
        {
            string? line = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(static l => l.StartsWith("model name", StringComparison.Ordinal))
                : null;
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    // Other work on the machine slows every number here: say how busy it was.
    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string RoslynVersion()
    {
        string? version = typeof(CSharpCompilation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return version is null ? "?" : version.Split('+')[0];
    }
}

/// <summary>The command line: <c>--kernels N</c>, <c>--edits N</c>, <c>--warmup N</c>, <c>--verbose</c>.</summary>
internal sealed class Options
{
    public const string Usage =
        "usage: dotnet run -c Release --project bench/KernelGen.GeneratorSpeed [-- [--kernels N] [--edits N] [--warmup N] [--verbose]]\n" +
        "  --kernels N  kernels in the corpus, 10 per file, plus as many unrelated files as kernel files (default 500)\n" +
        "  --edits N    timed edits of each kind: to an unrelated file, to a kernel's attribute (default 20)\n" +
        "  --warmup N   edits of each kind before the timed ones, reported apart (default 20; 0 for none)\n" +
        "  --verbose    print every edit's time";

    public int Kernels { get; private set; } = 500;

    public int Edits { get; private set; } = 20;

    public int WarmUp { get; private set; } = 20;

    public bool Verbose { get; private set; }

    public static bool TryParse(string[] args, out Options options, out string? error)
    {
        options = new Options();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--kernels" or "--edits" or "--warmup":
                    int minimum = args[i] == "--warmup" ? 0 : 1;
                    if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
                    {
                        error = $"{args[i]} takes an integer of at least {minimum}";
                        return false;
                    }

                    if (args[i] == "--kernels")
                    {
                        options.Kernels = value;
                    }
                    else if (args[i] == "--edits")
                    {
                        options.Edits = value;
                    }
                    else
                    {
                        options.WarmUp = value;
                    }

                    i++;
                    break;
                case "--verbose":
                    options.Verbose = true;
                    break;
                case "-h" or "--help" or "-?":
                    return false;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return false;
            }
        }

        return true;
    }
}

/// <summary>The times of a series of edits.</summary>
internal sealed class EditTimes
{
    private readonly List<double> times = new();
    private readonly List<double> transforms = new();

    public double Median => MedianOf(this.times);

    public double Max => this.times.Count == 0 ? double.NaN : this.times.Max();

    /// <summary>The median, over the edits, of the tracked driver's transform steps.</summary>
    public double MedianTransforms => MedianOf(this.transforms);

    public void Add((double Ms, double TransformsMs) edit)
    {
        this.times.Add(edit.Ms);
        this.transforms.Add(edit.TransformsMs);
    }

    public static double MedianOf(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(static v => v).ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>
/// The compilation as it is edited, the timed driver (no step tracking) and the tracked driver
/// that the checks read. Each edit is timed on the timed driver, then checked on both.
/// </summary>
internal sealed class EditSession
{
    private readonly GeneratorSpeedCorpus corpus;
    private readonly bool verbose;
    private readonly Stopwatch watch = new();
    private CSharpCompilation compilation;
    private GeneratorDriver timed;
    private GeneratorDriver tracked;

    public EditSession(GeneratorSpeedCorpus corpus, CSharpCompilation compilation, GeneratorDriver timed, GeneratorDriver tracked, bool verbose)
    {
        this.corpus = corpus;
        this.compilation = compilation;
        this.timed = timed;
        this.tracked = tracked;
        this.verbose = verbose;
    }

    public List<string> Problems { get; } = new();

    public int UnrelatedEdits { get; private set; }

    public int UnrelatedPassed { get; private set; }

    public int KernelEdits { get; private set; }

    public int KernelPassed { get; private set; }

    /// <summary>Edit <paramref name="edit"/> to an unrelated file; returns the timed run's and the tracked transforms' milliseconds.</summary>
    public (double Ms, double TransformsMs) EditUnrelated(int edit)
    {
        this.compilation = this.corpus.EditUnrelated(this.compilation, edit, out string path);
        (double ms, GeneratorRunResult timedBefore, GeneratorRunResult trackedBefore) = this.Run();
        GeneratorRunResult trackedAfter = this.tracked.GetRunResult().Results.Single();
        List<string> found = GeneratorSpeedChecks.UnrelatedEdit(trackedBefore, trackedAfter);
        found.AddRange(GeneratorSpeedChecks.ChangedSources(timedBefore, this.timed.GetRunResult().Results.Single())
            .Select(static c => $"timed driver: {c.HintName}: {c.Change}"));
        this.UnrelatedEdits++;
        this.UnrelatedPassed += found.Count == 0 ? 1 : 0;
        this.Problems.AddRange(found.Select(p => $"unrelated edit {edit} ({path}): {p}"));
        return this.Report("unrelated", edit, path, ms, trackedAfter);
    }

    /// <summary>Edit <paramref name="edit"/> to a kernel's attribute; returns the timed run's and the tracked transforms' milliseconds.</summary>
    public (double Ms, double TransformsMs) EditKernel(int edit)
    {
        this.compilation = this.corpus.EditKernel(this.compilation, edit, out CorpusKernel kernel);
        (double ms, GeneratorRunResult timedBefore, GeneratorRunResult trackedBefore) = this.Run();
        GeneratorRunResult trackedAfter = this.tracked.GetRunResult().Results.Single();
        List<string> found = GeneratorSpeedChecks.KernelEdit(trackedBefore, trackedAfter, kernel);
        List<(string HintName, string Change)> changed = GeneratorSpeedChecks.ChangedSources(timedBefore, this.timed.GetRunResult().Results.Single());
        if (changed.Count != 1 || !kernel.Owns(changed[0].HintName) || changed[0].Change != "text changed")
        {
            found.Add("timed driver: the changed files are [" + string.Join(", ", changed.Select(static c => c.HintName + ": " + c.Change)) + "]");
        }

        this.KernelEdits++;
        this.KernelPassed += found.Count == 0 ? 1 : 0;
        this.Problems.AddRange(found.Select(p => $"kernel edit {edit} ({kernel.Name}): {p}"));
        return this.Report("kernel", edit, kernel.Name, ms, trackedAfter);
    }

    /// <summary>
    /// Times what Roslyn does for the kernels on any edit, before a transform runs: in a copy of the
    /// current compilation (new symbols, the same trees) the semantic model of each kernel file, and
    /// each kernel method's declared symbol and attributes.
    /// </summary>
    public double BindKernelDeclarations()
    {
        CSharpCompilation copy = this.compilation.Clone();
        var methods = copy.SyntaxTrees
            .Where(t => this.corpus.KernelFiles.Any(f => f.Path == t.FilePath))
            .Select(static t => (Tree: t, Methods: t.GetRoot().DescendantNodes()
                .OfType<MethodDeclarationSyntax>()
                .Where(static m => m.AttributeLists.Count != 0)
                .ToList()))
            .ToList();
        this.watch.Restart();
        foreach ((SyntaxTree tree, List<MethodDeclarationSyntax> declarations) in methods)
        {
            SemanticModel model = copy.GetSemanticModel(tree);
            foreach (MethodDeclarationSyntax declaration in declarations)
            {
                _ = model.GetDeclaredSymbol(declaration)?.GetAttributes();
            }
        }

        this.watch.Stop();
        return this.watch.Elapsed.TotalMilliseconds;
    }

    private (double Ms, GeneratorRunResult TimedBefore, GeneratorRunResult TrackedBefore) Run()
    {
        GeneratorRunResult timedBefore = this.timed.GetRunResult().Results.Single();
        GeneratorRunResult trackedBefore = this.tracked.GetRunResult().Results.Single();
        this.watch.Restart();
        this.timed = this.timed.RunGenerators(this.compilation);
        this.watch.Stop();
        this.tracked = this.tracked.RunGenerators(this.compilation);
        return (this.watch.Elapsed.TotalMilliseconds, timedBefore, trackedBefore);
    }

    private (double Ms, double TransformsMs) Report(string kind, int edit, string what, double ms, GeneratorRunResult trackedAfter)
    {
        List<IncrementalGeneratorRunStep> steps = GeneratorSpeedChecks.TransformSteps
            .SelectMany(n => trackedAfter.TrackedSteps.TryGetValue(n, out ImmutableArray<IncrementalGeneratorRunStep> s) ? s : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
            .ToList();
        double transforms = steps.Sum(static s => s.ElapsedTime.TotalMilliseconds);
        if (this.verbose)
        {
            string reasons = string.Join(", ", steps.SelectMany(static s => s.Outputs).GroupBy(static o => o.Reason).Select(static g => $"{g.Count()} {g.Key}"));
            Console.WriteLine($"  {kind} edit {edit} ({what}): {Program.Ms(ms)}; tracked driver's transforms {Program.Ms(transforms)} ({reasons}); " +
                $"GC gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        }

        return (ms, transforms);
    }
}
