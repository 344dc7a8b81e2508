using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Tests;

/// <summary>Runs <see cref="KernelGenerator"/> in memory over C# sources.</summary>
internal static class GeneratorHarness
{
    /// <summary>The language version of the .NET 8 SDK's compiler: generated code must compile with it.</summary>
    public const LanguageVersion OldestSupported = LanguageVersion.CSharp12;

    /// <summary>.NET 10's reference assemblies plus KernelGen.Attributes and KernelGen.Runtime.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = Basic.Reference.Assemblies.Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(KernelGen.SoftmaxAttribute).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(KernelGen.KernelPath).Assembly.Location))
        .ToImmutableArray();

    public static CSharpParseOptions ParseOptions(LanguageVersion version) => new(version);

    /// <summary>A compilation of <paramref name="sources"/> named Source0.cs, Source1.cs, ... .</summary>
    public static CSharpCompilation CreateCompilation(LanguageVersion version, params string[] sources)
    {
        CSharpParseOptions options = ParseOptions(version);
        IEnumerable<SyntaxTree> trees = sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, options, path: $"Source{i}.cs"));
        return CSharpCompilation.Create(
            "KernelGen.GeneratorTests.Input",
            trees,
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                // Every warning wave: generated code must be warning-free however strict the project.
                warningLevel: 9999,
                deterministic: true));
    }

    public static GeneratorDriver CreateDriver(LanguageVersion version, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new KernelGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions(version),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once over <paramref name="sources"/>.</summary>
    public static GeneratorOutput Run(LanguageVersion version, params string[] sources)
    {
        CSharpCompilation input = CreateCompilation(version, sources);
        GeneratorDriver driver = CreateDriver(version).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        return new GeneratorOutput(input, output, driverDiagnostics, driver.GetRunResult());
    }

    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(static d => "  " + d));
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorOutput(
    Compilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> DriverDiagnostics,
    GeneratorDriverRunResult RunResult)
{
    public GeneratorRunResult Result => this.RunResult.Results.Single();

    /// <summary>The KGxxxx diagnostics the generator reported.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => this.Result.Diagnostics;

    /// <summary>Fails when the generator threw (CS8785) instead of reporting.</summary>
    public void AssertGeneratorDidNotThrow()
    {
        Xunit.Assert.True(this.Result.Exception is null, "The generator threw: " + this.Result.Exception);
        Xunit.Assert.DoesNotContain(this.DriverDiagnostics, static d => d.Id == "CS8785");
        Xunit.Assert.DoesNotContain(this.RunResult.Diagnostics, static d => d.Id == "CS8785");
    }

    /// <summary>Emits the output compilation and returns every warning and error (the generator's included).</summary>
    public IReadOnlyList<Diagnostic> EmitProblems()
    {
        using var stream = new System.IO.MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emit = this.Output.Emit(stream);
        return this.DriverDiagnostics.Concat(emit.Diagnostics)
            .Where(static d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
    }
}
