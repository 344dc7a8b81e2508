using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

// This file is compiled by two projects: tests/KernelGen.Generator.Tests (GeneratorSpeedTests) and
// bench/KernelGen.GeneratorSpeed (linked), so the benchmark times exactly the corpus the test checks.
namespace KernelGen.Generator.Tests;

/// <summary>
/// The corpus of the generator-speed benchmark: <c>N</c> kernels of mixed kinds (the four
/// attributes, float and double, one row and many rows, varied options), ten per file, plus as
/// many files of ordinary code that has no kernel. Everything is deterministic: the same
/// <c>N</c> gives the same text.
/// </summary>
internal sealed class GeneratorSpeedCorpus
{
    public const int KernelsPerFile = 10;

    private GeneratorSpeedCorpus(ImmutableArray<CorpusKernel> kernels, ImmutableArray<CorpusFile> kernelFiles, ImmutableArray<CorpusFile> unrelatedFiles)
    {
        this.Kernels = kernels;
        this.KernelFiles = kernelFiles;
        this.UnrelatedFiles = unrelatedFiles;
        this.Editable = kernels.Where(static k => k.EditableArgument is not null).ToImmutableArray();
    }

    /// <summary>Every kernel, in declaration order.</summary>
    public ImmutableArray<CorpusKernel> Kernels { get; }

    /// <summary>The kernels with an explicit Temperature or Epsilon: the targets of <see cref="EditKernel"/>.</summary>
    public ImmutableArray<CorpusKernel> Editable { get; }

    /// <summary>The files of kernels, <see cref="KernelsPerFile"/> each (the last may have fewer).</summary>
    public ImmutableArray<CorpusFile> KernelFiles { get; }

    /// <summary>The files of ordinary code: no kernel attribute anywhere.</summary>
    public ImmutableArray<CorpusFile> UnrelatedFiles { get; }

    /// <summary>The compilation options of the corpus (those of GeneratorHarness: every warning wave).</summary>
    public static CSharpCompilationOptions CompilationOptions { get; } = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        allowUnsafe: true,
        warningLevel: 9999,
        deterministic: true);

    /// <summary>
    /// <paramref name="kernelCount"/> kernels in ceil(kernelCount / 10) files, and as many unrelated
    /// files unless <paramref name="unrelatedFileCount"/> says otherwise.
    /// </summary>
    public static GeneratorSpeedCorpus Create(int kernelCount, int? unrelatedFileCount = null)
    {
        if (kernelCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelCount), "at least one kernel");
        }

        int fileCount = (kernelCount + KernelsPerFile - 1) / KernelsPerFile;
        var random = new Random(20250611); // seeded System.Random: the same sequence on every run
        var kernels = ImmutableArray.CreateBuilder<CorpusKernel>(kernelCount);
        var kernelFiles = ImmutableArray.CreateBuilder<CorpusFile>(fileCount);
        for (int file = 0; file < fileCount; file++)
        {
            int first = file * KernelsPerFile;
            int count = Math.Min(KernelsPerFile, kernelCount - first);
            var specs = new List<CorpusKernel>(count);
            for (int k = 0; k < count; k++)
            {
                specs.Add(NewKernel(first + k, file, random, forceEditable: k == 0));
            }

            kernels.AddRange(specs);
            kernelFiles.Add(new CorpusFile(KernelFilePath(file), KernelFileText(file, specs)));
        }

        int unrelated = unrelatedFileCount ?? fileCount;
        var unrelatedFiles = ImmutableArray.CreateBuilder<CorpusFile>(unrelated);
        for (int file = 0; file < unrelated; file++)
        {
            unrelatedFiles.Add(new CorpusFile(UnrelatedFilePath(file), UnrelatedFileText(file)));
        }

        return new GeneratorSpeedCorpus(kernels.MoveToImmutable(), kernelFiles.MoveToImmutable(), unrelatedFiles.MoveToImmutable());
    }

    public static string KernelFilePath(int file) => $"Kernels/KernelFile{file:D3}.cs";

    public static string UnrelatedFilePath(int file) => $"App/Module{file:D3}.cs";

    /// <summary>Parses every file (kernel files first) into a new compilation.</summary>
    public CSharpCompilation CreateCompilation(IEnumerable<MetadataReference> references, CSharpParseOptions parseOptions) =>
        CSharpCompilation.Create(
            "KernelGen.GeneratorSpeed.Corpus",
            this.KernelFiles.Concat(this.UnrelatedFiles)
                .Select(f => CSharpSyntaxTree.ParseText(SourceText.From(f.Text, Encoding.UTF8), parseOptions, f.Path)),
            references,
            CompilationOptions);

    /// <summary>
    /// Edit number <paramref name="edit"/> to an unrelated file, as a small typed change (the tree
    /// is re-parsed incrementally): even edits append a comment, odd ones change a constant.
    /// Successive edits visit the files in a spread order.
    /// </summary>
    public CSharpCompilation EditUnrelated(CSharpCompilation compilation, int edit, out string path)
    {
        path = this.UnrelatedFiles[(int)((edit * 7L) % this.UnrelatedFiles.Length)].Path;
        SyntaxTree old = Tree(compilation, path);
        SourceText text = old.GetText();
        string content = text.ToString();
        TextChange change;
        if (edit % 2 == 0)
        {
            change = new TextChange(new TextSpan(text.Length, 0), $"// edit {edit}: a note at the end of the file{Environment.NewLine}");
        }
        else
        {
            const string Marker = "public const int Revision = ";
            int start = content.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
            int end = content.IndexOf(';', start);
            int revision = int.Parse(content.Substring(start, end - start), CultureInfo.InvariantCulture);
            change = new TextChange(TextSpan.FromBounds(start, end), (revision + 1).ToString(CultureInfo.InvariantCulture));
        }

        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(text.WithChanges(change)));
    }

    /// <summary>
    /// Edit number <paramref name="edit"/> to one kernel's attribute: its Temperature or Epsilon
    /// doubles (so its generated file must change, and no other). Successive edits visit the
    /// editable kernels in a spread order.
    /// </summary>
    public CSharpCompilation EditKernel(CSharpCompilation compilation, int edit, out CorpusKernel kernel)
    {
        kernel = this.Editable[(int)((edit * 13L) % this.Editable.Length)];
        SyntaxTree old = Tree(compilation, kernel.FilePath);
        SourceText text = old.GetText();
        string content = text.ToString();
        string argument = kernel.EditableArgument + " = ";
        int method = content.IndexOf(" " + kernel.Name + "(", StringComparison.Ordinal);

        // The argument is the last one of its name before the method, with no ';' (an earlier declaration) between.
        int start = content.LastIndexOf(argument, method, StringComparison.Ordinal) + argument.Length;
        int end = content.IndexOfAny(new[] { ',', ')' }, start);
        if (method < 0 || start < argument.Length || content.IndexOf(';', start, method - start) >= 0)
        {
            throw new InvalidOperationException($"{kernel.Name}: no {kernel.EditableArgument} argument in its attribute.");
        }

        double value = double.Parse(content.Substring(start, end - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        TextChange change = new(TextSpan.FromBounds(start, end), Literal(value * 2));
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(text.WithChanges(change)));
    }

    private static SyntaxTree Tree(Compilation compilation, string path) =>
        compilation.SyntaxTrees.Single(t => t.FilePath == path);

    private static string Literal(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    private static CorpusKernel NewKernel(int index, int file, Random random, bool forceEditable)
    {
        // The kind, the element type and the shape cycle, so every combination is present in
        // equal numbers; the options are drawn.
        var kind = (CorpusKernelKind)(index % 4);
        string type = (index / 4) % 2 == 0 ? "float" : "double";
        bool manyRows = (index / 8) % 2 == 1;
        string name = $"K{index:D4}_{kind}{(type == "float" ? "F" : "D")}{(manyRows ? "Rows" : "Row")}";
        var arguments = new List<string>();
        string? editable = null;
        var parameters = new List<string> { $"ReadOnlySpan<{type}> input" };

        if (kind is CorpusKernelKind.Softmax or CorpusKernelKind.LogSoftmax)
        {
            if (random.Next(3) != 0)
            {
                arguments.Add("Algorithm = SoftmaxAlgorithm." + Pick(random, "Auto", "ThreePassReload", "ThreePassRecompute", "TwoPass", "Online"));
            }

            if (forceEditable || random.Next(3) == 0)
            {
                arguments.Add("Temperature = " + Pick(random, "0.5", "0.7", "0.75", "1.5", "2", "4"));
                editable = "Temperature";
            }
        }
        else
        {
            bool affine = random.Next(4) != 0;
            if (!affine)
            {
                arguments.Add("Affine = false");
            }

            if (forceEditable || random.Next(2) == 0)
            {
                arguments.Add("Epsilon = " + Pick(random, "1E-05", "1E-06", "1E-12", "0.001", "0.0625"));
                editable = "Epsilon";
            }

            bool bias = kind == CorpusKernelKind.LayerNorm && affine;
            if (bias && random.Next(4) == 0)
            {
                arguments.Add("Bias = false");
                bias = false;
            }

            if (kind == CorpusKernelKind.RmsNorm && affine && random.Next(4) == 0)
            {
                arguments.Add("WeightOffset = 1");
            }

            if (affine)
            {
                parameters.Add($"ReadOnlySpan<{type}> weight");
            }

            if (bias)
            {
                parameters.Add($"ReadOnlySpan<{type}> bias");
            }
        }

        if (random.Next(4) == 0)
        {
            arguments.Add("Width = " + Pick(random, "16", "64", "100", "256", "1024", "4096"));
        }

        if (random.Next(3) == 0)
        {
            arguments.Add("Unroll = " + random.Next(1, 9).ToString(CultureInfo.InvariantCulture));
        }

        if (random.Next(6) == 0)
        {
            arguments.Add("Targets = " + Pick(random, "KernelTargets.Scalar", "KernelTargets.Avx2 | KernelTargets.Neon", "KernelTargets.Avx512", "KernelTargets.Vector128 | KernelTargets.Avx2"));
        }

        // The arguments in a drawn order, as people write them.
        arguments = arguments.OrderBy(_ => random.Next()).ToList();
        parameters.Add($"Span<{type}> output");
        if (manyRows)
        {
            parameters.Add("int rowLength");
        }

        string attribute = arguments.Count == 0 ? $"[{kind}]" : $"[{kind}({string.Join(", ", arguments)})]";
        string accessibility = random.Next(4) == 0 ? "internal" : "public";
        string declaration = $"{accessibility} static partial void {name}({string.Join(", ", parameters)});";
        return new CorpusKernel(index, name, kind, type, manyRows, KernelFilePath(file), attribute, declaration, editable);
    }

    private static string KernelFileText(int file, IReadOnlyList<CorpusKernel> kernels)
    {
        // Even files use a file-scoped namespace, odd ones a block; every third file nests its
        // kernels in a partial class inside the partial class.
        bool fileScoped = file % 2 == 0;
        bool nested = file % 3 == 2;
        string indent = (fileScoped ? string.Empty : "    ") + (nested ? "    " : string.Empty);
        var s = new StringBuilder();
        s.AppendLine("// A file of kernels: ten declarations and a method that calls one of them.");
        s.AppendLine("using System;");
        s.AppendLine("using KernelGen;");
        s.AppendLine();
        string ns = $"Corpus.Kernels.Group{file / 10:D2}";
        string outerIndent = fileScoped ? string.Empty : "    ";
        if (fileScoped)
        {
            s.AppendLine($"namespace {ns};").AppendLine();
        }
        else
        {
            s.AppendLine($"namespace {ns}").AppendLine("{");
        }

        s.AppendLine($"{outerIndent}/// <summary>Kernels of file {file}.</summary>");
        s.AppendLine($"{outerIndent}public static partial class KernelFile{file:D3}");
        s.AppendLine($"{outerIndent}{{");
        if (nested)
        {
            s.AppendLine($"{outerIndent}    public static partial class Nested");
            s.AppendLine($"{outerIndent}    {{");
        }

        foreach (CorpusKernel kernel in kernels)
        {
            s.AppendLine($"{indent}    /// <summary>Kernel {kernel.Index}: {kernel.Kind} over {kernel.ElementType} {(kernel.ManyRows ? "rows" : "a row")}.</summary>");
            s.AppendLine($"{indent}    {kernel.Attribute}");
            s.AppendLine($"{indent}    {kernel.Declaration}");
            s.AppendLine();
        }

        // An ordinary member beside the kernels, calling the generated paths class of the first.
        CorpusKernel called = kernels[0];
        s.AppendLine($"{indent}    /// <summary>The path the first kernel of this file takes here.</summary>");
        s.AppendLine($"{indent}    public static string FirstPath() => {called.Name}Paths.Selected.ToString();");
        if (nested)
        {
            s.AppendLine($"{outerIndent}    }}");
        }

        s.AppendLine($"{outerIndent}}}");
        if (!fileScoped)
        {
            s.AppendLine("}");
        }

        return s.ToString();
    }

    private static string UnrelatedFileText(int file)
    {
        // Ordinary application code: records, an interface, an enum with [Flags], LINQ, a switch,
        // string formatting, an [Obsolete] member (an attribute the generator must look past).
        string n = file.ToString("D3", CultureInfo.InvariantCulture);
        return $$"""
            // Ordinary code: no kernel here.
            using System;
            using System.Collections.Generic;
            using System.Globalization;
            using System.Linq;
            using System.Text;

            namespace Corpus.App.Module{{n}};

            /// <summary>Flags of module {{n}}.</summary>
            [Flags]
            public enum Options{{n}}
            {
                None = 0,
                Fast = 1,
                Careful = 2,
                Verbose = 4,
            }

            /// <summary>An order line.</summary>
            public sealed record Line{{n}}(string Sku, int Quantity, decimal Price)
            {
                public decimal Total => this.Quantity * this.Price;
            }

            /// <summary>A store of lines.</summary>
            public interface IStore{{n}}
            {
                IReadOnlyList<Line{{n}}> Lines { get; }

                void Add(Line{{n}} line);
            }

            /// <summary>A store in memory.</summary>
            public sealed class MemoryStore{{n}} : IStore{{n}}
            {
                private readonly List<Line{{n}}> lines = new();

                public IReadOnlyList<Line{{n}}> Lines => this.lines;

                public void Add(Line{{n}} line) => this.lines.Add(line ?? throw new ArgumentNullException(nameof(line)));
            }

            /// <summary>Services of module {{n}}.</summary>
            public static class Service{{n}}
            {
                public const int Revision = 0;

                public static decimal Total(IStore{{n}} store) => store.Lines.Sum(static l => l.Total);

                public static IEnumerable<string> Skus(IStore{{n}} store, decimal minimum) =>
                    store.Lines.Where(l => l.Total >= minimum).OrderByDescending(static l => l.Total).Select(static l => l.Sku).Distinct();

                public static string Describe(Options{{n}} options) => options switch
                {
                    Options{{n}}.None => "none",
                    Options{{n}}.Fast | Options{{n}}.Verbose => "fast and loud",
                    _ when options.HasFlag(Options{{n}}.Careful) => "careful",
                    _ => options.ToString(),
                };

                public static string Report(IStore{{n}} store)
                {
                    var text = new StringBuilder();
                    foreach (Line{{n}} line in store.Lines)
                    {
                        text.Append(line.Sku).Append(": ").AppendLine(line.Total.ToString("F2", CultureInfo.InvariantCulture));
                    }

                    text.Append("revision ").Append(Revision);
                    return text.ToString();
                }

                public static int Checksum(string text)
                {
                    int hash = 17;
                    foreach (char c in text)
                    {
                        hash = unchecked((hash * 31) + c);
                    }

                    return hash;
                }

                [Obsolete("Use Report.")]
                public static string OldReport(IStore{{n}} store) => Report(store);
            }
            """;
    }
}

/// <summary>One source file of the corpus.</summary>
internal sealed record CorpusFile(string Path, string Text);

/// <summary>The four kernel attributes; the names are the attributes' short names.</summary>
internal enum CorpusKernelKind
{
    Softmax,
    LogSoftmax,
    LayerNorm,
    RmsNorm,
}

/// <summary>One kernel of the corpus: its attribute and declaration as written in <see cref="FilePath"/>.</summary>
internal sealed record CorpusKernel(
    int Index,
    string Name,
    CorpusKernelKind Kind,
    string ElementType,
    bool ManyRows,
    string FilePath,
    string Attribute,
    string Declaration,
    string? EditableArgument)
{
    /// <summary>Whether <paramref name="hintName"/> is this kernel's generated file (names are unique in the corpus).</summary>
    public bool Owns(string hintName) => hintName.EndsWith("." + this.Name + ".g.cs", StringComparison.Ordinal);
}

/// <summary>
/// The incrementality checks of the generator-speed benchmark and its test. Each returns the
/// problems it found (empty: all good), so the benchmark can print them and the test assert them.
/// </summary>
internal static class GeneratorSpeedChecks
{
    /// <summary>The ForAttributeWithMetadataName transforms, one per attribute.</summary>
    public static readonly string[] TransformSteps =
    {
        TrackingNames.SoftmaxTransform,
        TrackingNames.LogSoftmaxTransform,
        TrackingNames.LayerNormTransform,
        TrackingNames.RmsNormTransform,
    };

    /// <summary>Every named step (Diagnostics has no outputs, and is not recorded, in a corpus without mistakes).</summary>
    public static readonly string[] AllSteps = TransformSteps.Concat(new[] { TrackingNames.Models, TrackingNames.Diagnostics }).ToArray();

    /// <summary>The first run: no exception, no diagnostic, one file per kernel, each named after its kernel.</summary>
    public static List<string> FirstRun(GeneratorDriverRunResult run, GeneratorSpeedCorpus corpus)
    {
        var problems = new List<string>();
        GeneratorRunResult result = run.Results.Single();
        if (result.Exception is not null)
        {
            problems.Add("the generator threw: " + result.Exception);
        }

        problems.AddRange(run.Diagnostics.Concat(result.Diagnostics).Select(static d => "diagnostic: " + d));
        if (result.GeneratedSources.Length != corpus.Kernels.Length)
        {
            problems.Add($"{result.GeneratedSources.Length} generated files for {corpus.Kernels.Length} kernels");
        }

        var hints = new HashSet<string>(result.GeneratedSources.Select(static s => s.HintName), StringComparer.Ordinal);
        problems.AddRange(corpus.Kernels
            .Where(k => !hints.Any(k.Owns))
            .Take(10)
            .Select(static k => $"no generated file for {k.Name}"));
        return problems;
    }

    /// <summary>
    /// After an edit to an unrelated file: every named step's outputs are Cached or Unchanged,
    /// every source output is Cached (nothing re-added), and the generated texts are the very same.
    /// </summary>
    public static List<string> UnrelatedEdit(GeneratorRunResult before, GeneratorRunResult after)
    {
        var problems = new List<string>();
        if (after.Exception is not null)
        {
            problems.Add("the generator threw: " + after.Exception);
        }

        if (after.TrackedSteps.IsEmpty)
        {
            problems.Add("no tracked steps: the driver must be created with trackIncrementalGeneratorSteps: true");
        }

        foreach (string name in AllSteps)
        {
            if (!after.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps))
            {
                // A Where step that passes nothing is not recorded: Diagnostics, when no kernel is wrong.
                if (name != TrackingNames.Diagnostics)
                {
                    problems.Add($"no step named {name} ran");
                }

                continue;
            }

            var outputs = steps.SelectMany(static s => s.Outputs).ToList();
            if (outputs.Count == 0 && name != TrackingNames.Diagnostics)
            {
                problems.Add($"the step {name} has no outputs: the check would prove nothing");
            }

            problems.AddRange(outputs
                .Where(static o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                .Take(5)
                .Select(o => $"{name}: {o.Reason} for {o.Value}"));
        }

        var outputSteps = after.TrackedOutputSteps.SelectMany(static p => p.Value).SelectMany(static s => s.Outputs).ToList();
        if (outputSteps.Count == 0)
        {
            problems.Add("no tracked source output steps");
        }

        int reAdded = outputSteps.Count(static o => o.Reason != IncrementalStepRunReason.Cached);
        if (reAdded != 0)
        {
            problems.Add($"{reAdded} source outputs ran again (not Cached)");
        }

        problems.AddRange(ChangedSources(before, after).Select(static c => $"{c.HintName}: {c.Change}"));
        return problems;
    }

    /// <summary>
    /// After an edit to <paramref name="kernel"/>'s attribute: one model and one transform output
    /// Modified, one source output re-run, and exactly one generated text changed: the kernel's.
    /// </summary>
    public static List<string> KernelEdit(GeneratorRunResult before, GeneratorRunResult after, CorpusKernel kernel)
    {
        var problems = new List<string>();
        if (after.Exception is not null)
        {
            problems.Add("the generator threw: " + after.Exception);
        }

        if (after.Diagnostics.Length != 0)
        {
            problems.Add("diagnostics: " + string.Join("; ", after.Diagnostics));
        }

        if (after.TrackedSteps.IsEmpty)
        {
            problems.Add("no tracked steps: the driver must be created with trackIncrementalGeneratorSteps: true");
        }

        foreach ((string what, string[] names) in new[] { ("transform", TransformSteps), ("model", new[] { TrackingNames.Models }) })
        {
            var reasons = names
                .SelectMany(n => after.TrackedSteps.TryGetValue(n, out ImmutableArray<IncrementalGeneratorRunStep> s) ? s : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
                .SelectMany(static s => s.Outputs)
                .Select(static o => o.Reason)
                .ToList();
            int modified = reasons.Count(static r => r == IncrementalStepRunReason.Modified);
            int other = reasons.Count(static r => r is not (IncrementalStepRunReason.Modified or IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
            if (modified != 1 || other != 0)
            {
                problems.Add($"{what} outputs: {modified} Modified and {other} New or Removed, of {reasons.Count} (expected exactly 1 Modified)");
            }
        }

        var outputs = after.TrackedOutputSteps.SelectMany(static p => p.Value).SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
        int rerun = outputs.Count(static r => r != IncrementalStepRunReason.Cached);
        if (rerun != 1)
        {
            problems.Add($"{rerun} source outputs ran again (expected 1)");
        }

        var changed = ChangedSources(before, after);
        if (changed.Count != 1 || !kernel.Owns(changed[0].HintName) || changed[0].Change != "text changed")
        {
            problems.Add($"the changed files are [{string.Join(", ", changed.Select(static c => c.HintName + ": " + c.Change))}]; expected only {kernel.Name}'s text");
        }

        return problems;
    }

    /// <summary>
    /// The generated files of <paramref name="after"/> that are not the very SourceText of
    /// <paramref name="before"/>: added, removed, re-created with the same text, or changed.
    /// </summary>
    public static List<(string HintName, string Change)> ChangedSources(GeneratorRunResult before, GeneratorRunResult after)
    {
        Dictionary<string, SourceText> old = before.GeneratedSources.ToDictionary(static s => s.HintName, static s => s.SourceText, StringComparer.Ordinal);
        var changes = new List<(string, string)>();
        foreach (GeneratedSourceResult source in after.GeneratedSources)
        {
            if (!old.Remove(source.HintName, out SourceText? previous))
            {
                changes.Add((source.HintName, "added"));
            }
            else if (!ReferenceEquals(previous, source.SourceText))
            {
                changes.Add((source.HintName, previous.ContentEquals(source.SourceText) ? "re-created with the same text" : "text changed"));
            }
        }

        changes.AddRange(old.Keys.Select(static k => (k, "removed")));
        return changes;
    }
}
