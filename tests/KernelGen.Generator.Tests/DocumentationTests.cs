using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// docs/diagnostics.md has a section for every descriptor, at the anchor its help link opens, with
/// its title and message; its "wrong" examples raise that ID and its fixes raise none.
/// </summary>
public sealed class DocumentationTests
{
    private static readonly string DiagnosticsPage = Path.Combine(TestPaths.RepositoryRoot, "docs", "diagnostics.md");

    public static TheoryData<string> Ids => new(KernelDiagnostics.All.Select(static d => d.Id));

    [Fact]
    public void Every_help_link_anchor_has_a_heading()
    {
        HashSet<string> anchors = Sections().Keys.Select(GitHubAnchor).ToHashSet();
        string docsUrl = Regex.Match(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "Directory.Build.props")), "<KernelGenDocsUrl>(.*)</KernelGenDocsUrl>").Groups[1].Value;
        Assert.NotEmpty(docsUrl);
        Assert.All(KernelDiagnostics.All, d =>
        {
            Assert.StartsWith(docsUrl + "/diagnostics.md#", d.HelpLinkUri, System.StringComparison.Ordinal);
            string anchor = d.HelpLinkUri.Substring(d.HelpLinkUri.IndexOf('#') + 1);
            Assert.True(anchors.Contains(anchor), $"{d.Id}: no heading in docs/diagnostics.md makes the anchor #{anchor}.");
        });
    }

    [Fact]
    public void Every_ID_section_documents_a_descriptor()
    {
        HashSet<string> ids = KernelDiagnostics.All.Select(static d => d.Id).ToHashSet();
        Assert.All(Sections().Keys.Where(static h => h.StartsWith("KG", System.StringComparison.Ordinal)), h => Assert.Contains(h, ids));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Section_has_message_cause_wrong_example_and_fix(string id)
    {
        DiagnosticDescriptor descriptor = KernelDiagnostics.Get(id);
        string section = Sections()[id];
        Assert.Contains("**" + descriptor.Title + "**", section, System.StringComparison.Ordinal);
        Assert.Contains(descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), section, System.StringComparison.Ordinal);
        Assert.Contains("**Cause.**", section, System.StringComparison.Ordinal);
        Assert.Contains("**Wrong:**", section, System.StringComparison.Ordinal);
        Assert.Contains("**Fix:**", section, System.StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Wrong_example_raises_the_ID_and_the_fix_raises_none(string id)
    {
        string section = Sections()[id];
        string wrong = CodeAfter(section, "**Wrong:**");
        string fix = CodeAfter(section, "**Fix:**");

        GeneratorOutput wrongRun = GeneratorHarness.Run(LanguageVersion.Latest, AsSource(wrong));
        wrongRun.AssertGeneratorDidNotThrow();
        Assert.Contains(wrongRun.GeneratorDiagnostics, d => d.Id == id);

        GeneratorOutput fixRun = GeneratorHarness.Run(LanguageVersion.Latest, AsSource(fix));
        fixRun.AssertGeneratorDidNotThrow();
        Assert.True(fixRun.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Describe(fixRun.GeneratorDiagnostics));
        Assert.NotEmpty(fixRun.Result.GeneratedSources);
        IReadOnlyList<Diagnostic> problems = fixRun.EmitProblems();
        Assert.True(problems.Count == 0, "The documented fix does not compile cleanly:\n" + GeneratorHarness.Describe(problems));
    }

    /// <summary>Heading text of every "## " section → its body.</summary>
    private static Dictionary<string, string> Sections()
    {
        Assert.True(File.Exists(DiagnosticsPage), $"Missing {DiagnosticsPage}.");
        string text = File.ReadAllText(DiagnosticsPage).Replace("\r\n", "\n");
        var sections = new Dictionary<string, string>();
        MatchCollection headings = Regex.Matches(text, "^## (.+)$", RegexOptions.Multiline);
        for (int i = 0; i < headings.Count; i++)
        {
            int start = headings[i].Index + headings[i].Length;
            int end = i + 1 < headings.Count ? headings[i + 1].Index : text.Length;
            sections.Add(headings[i].Groups[1].Value.Trim(), text.Substring(start, end - start));
        }

        return sections;
    }

    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    private static string GitHubAnchor(string heading) =>
        Regex.Replace(heading.ToLowerInvariant(), @"[^\p{L}\p{Nd}\s_-]", string.Empty).Replace(' ', '-');

    private static string CodeAfter(string section, string marker)
    {
        int at = section.IndexOf(marker, System.StringComparison.Ordinal);
        Assert.True(at >= 0, $"No {marker} in the section.");
        Match code = Regex.Match(section.Substring(at), "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(code.Success, $"No csharp block after {marker}.");
        return code.Groups[1].Value;
    }

    // Snippets are either whole types or members of a class.
    private static string AsSource(string snippet)
    {
        bool declaresTypes = Regex.IsMatch(snippet, @"^\S.*\b(class|struct|record|interface)\b", RegexOptions.Multiline);
        string body = declaresTypes ? snippet : "public static partial class Ops\n{\n" + snippet + "\n}\n";
        return "using System;\nusing KernelGen;\n\nnamespace Demo;\n\n" + body;
    }
}
