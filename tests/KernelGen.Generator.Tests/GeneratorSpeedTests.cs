using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The corpus of bench/KernelGen.GeneratorSpeed (500 kernels of mixed kinds in 50 files, plus 50
/// unrelated files), checked for what the benchmark times: the first run generates every kernel
/// with no diagnostic, an unrelated edit leaves every step cached, and a kernel edit re-emits only
/// that kernel's file. No timing here: the times are the benchmark's (docs/benchmarks.md).
/// </summary>
public sealed class GeneratorSpeedTests
{
    private const int KernelCount = 500;

    private static readonly GeneratorSpeedCorpus Corpus = GeneratorSpeedCorpus.Create(KernelCount);

    // Drivers are immutable: every test starts from the same first run.
    private static readonly Lazy<(GeneratorDriver Driver, CSharpCompilation Compilation)> FirstRun = new(() =>
    {
        CSharpCompilation compilation = Corpus.CreateCompilation(GeneratorHarness.References, GeneratorHarness.ParseOptions(LanguageVersion.Latest));
        GeneratorDriver driver = GeneratorHarness.CreateDriver(LanguageVersion.Latest, trackSteps: true).RunGenerators(compilation);
        return (driver, compilation);
    });

    [Fact]
    public void Corpus_mixes_every_kind_type_shape_and_option()
    {
        Assert.Equal(KernelCount, Corpus.Kernels.Length);
        Assert.Equal(50, Corpus.KernelFiles.Length);
        Assert.Equal(50, Corpus.UnrelatedFiles.Length);
        Assert.Equal(KernelCount, Corpus.Kernels.Select(static k => k.Name).Distinct().Count());
        Assert.All(Corpus.UnrelatedFiles, static f => Assert.DoesNotContain("KernelGen", f.Text, StringComparison.Ordinal));

        // Every kind × element type × shape, in equal numbers.
        var groups = Corpus.Kernels.GroupBy(static k => (k.Kind, k.ElementType, k.ManyRows)).ToList();
        Assert.Equal(4 * 2 * 2, groups.Count);
        Assert.All(groups, static g => Assert.InRange(g.Count(), KernelCount / 16, (KernelCount / 16) + 1));

        // Every option, in some kernels and not in others.
        string[] options =
        {
            "Algorithm = SoftmaxAlgorithm.Auto", "Algorithm = SoftmaxAlgorithm.ThreePassReload", "Algorithm = SoftmaxAlgorithm.ThreePassRecompute",
            "Algorithm = SoftmaxAlgorithm.TwoPass", "Algorithm = SoftmaxAlgorithm.Online", "Temperature = ", "Epsilon = ",
            "Affine = false", "Bias = false", "WeightOffset = 1", "Width = ", "Unroll = ", "Targets = ",
        };
        foreach (string option in options)
        {
            int with = Corpus.Kernels.Count(k => k.Attribute.Contains(option, StringComparison.Ordinal));
            Assert.True(with is > 2 and < KernelCount, $"{option}: in {with} kernels");
        }

        Assert.Contains(Corpus.Kernels, static k => !k.Attribute.Contains('(', StringComparison.Ordinal)); // and some with no argument at all
        Assert.Contains(Corpus.Editable, static k => k.EditableArgument == "Temperature");
        Assert.Contains(Corpus.Editable, static k => k.EditableArgument == "Epsilon");
    }

    [Fact]
    public void Corpus_is_deterministic()
    {
        GeneratorSpeedCorpus again = GeneratorSpeedCorpus.Create(KernelCount);
        Assert.Equal(Corpus.KernelFiles, again.KernelFiles);
        Assert.Equal(Corpus.UnrelatedFiles, again.UnrelatedFiles);
    }

    [Fact]
    public void First_run_generates_one_file_per_kernel_and_no_diagnostic()
    {
        (GeneratorDriver driver, _) = FirstRun.Value;
        List<string> problems = GeneratorSpeedChecks.FirstRun(driver.GetRunResult(), Corpus);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Corpus_code_compiles_without_a_warning()
    {
        // The corpus's own code (the unrelated files, the kernel declarations and the calls into
        // the generated paths classes) compiles cleanly under every warning wave once the kernels
        // exist. Its files come from templates, so six kernel files (every layout: file-scoped or
        // block namespace, nested class or not) and six unrelated files stand for all of them;
        // binding the 500-kernel compilation would parse ~40 M characters of generated code.
        GeneratorSpeedCorpus small = GeneratorSpeedCorpus.Create(60);
        CSharpCompilation compilation = small.CreateCompilation(GeneratorHarness.References, GeneratorHarness.ParseOptions(LanguageVersion.Latest));
        GeneratorHarness.CreateDriver(LanguageVersion.Latest)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var driverDiagnostics, TestContext.Current.CancellationToken);
        Assert.Empty(driverDiagnostics);
        Assert.Equal(60, output.SyntaxTrees.Count() - compilation.SyntaxTrees.Count());
        var problems = compilation.SyntaxTrees
            .SelectMany(tree => output.GetSemanticModel(tree).GetDiagnostics(cancellationToken: TestContext.Current.CancellationToken))
            .Where(static d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
        Assert.True(problems.Count == 0, GeneratorHarness.Describe(problems));
    }

    [Fact]
    public void Unrelated_edits_leave_every_step_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun.Value;
        var edited = new HashSet<string>();

        // Four edits in a row: two appended comments and two changed constants, in different files.
        for (int edit = 0; edit < 4; edit++)
        {
            GeneratorRunResult before = driver.GetRunResult().Results.Single();
            compilation = Corpus.EditUnrelated(compilation, edit, out string path);
            edited.Add(path);
            driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
            List<string> problems = GeneratorSpeedChecks.UnrelatedEdit(before, driver.GetRunResult().Results.Single());
            Assert.True(problems.Count == 0, $"edit {edit} ({path}):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
        }

        Assert.Equal(4, edited.Count);
        Assert.Contains("public const int Revision = 1;", compilation.SyntaxTrees.Single(t => t.FilePath == GeneratorSpeedCorpus.UnrelatedFilePath(7)).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_edit_re_emits_only_that_kernel()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun.Value;
        var kinds = new HashSet<CorpusKernelKind>();

        // Six edits in a row, each to another kernel: Temperatures and Epsilons, in different files.
        for (int edit = 0; edit < 6; edit++)
        {
            GeneratorRunResult before = driver.GetRunResult().Results.Single();
            compilation = Corpus.EditKernel(compilation, edit, out CorpusKernel kernel);
            kinds.Add(kernel.Kind);
            driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
            List<string> problems = GeneratorSpeedChecks.KernelEdit(before, driver.GetRunResult().Results.Single(), kernel);
            Assert.True(problems.Count == 0, $"edit {edit} ({kernel.Name}):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
        }

        Assert.Contains(kinds, static k => k is CorpusKernelKind.Softmax or CorpusKernelKind.LogSoftmax);
        Assert.Contains(kinds, static k => k is CorpusKernelKind.LayerNorm or CorpusKernelKind.RmsNorm);
    }

    [Fact]
    public void The_checks_see_a_re_emit_and_a_wrong_file()
    {
        // The checks themselves: the kernel edit's result fails the unrelated-edit check, and a
        // kernel edit judged against another kernel fails the kernel-edit check.
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun.Value;
        GeneratorRunResult before = driver.GetRunResult().Results.Single();
        compilation = Corpus.EditKernel(compilation, 0, out CorpusKernel kernel);
        GeneratorRunResult after = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.Empty(GeneratorSpeedChecks.KernelEdit(before, after, kernel));
        Assert.NotEmpty(GeneratorSpeedChecks.UnrelatedEdit(before, after));
        CorpusKernel other = Corpus.Editable.First(k => k != kernel);
        Assert.NotEmpty(GeneratorSpeedChecks.KernelEdit(before, after, other));
    }
}
