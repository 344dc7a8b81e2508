using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Test sources mark the span a diagnostic must point at with <c>[|</c> and <c>|]</c> (the
/// Roslyn testing convention); <see cref="Parse"/> removes the markers and returns the span.
/// </summary>
internal static class SourceMarkup
{
    private const string Open = "[|";
    private const string Close = "|]";

    public static (string Source, TextSpan Span) Parse(string markup)
    {
        int start = markup.IndexOf(Open, System.StringComparison.Ordinal);
        int end = markup.IndexOf(Close, System.StringComparison.Ordinal);
        if (start < 0 || end < start || markup.IndexOf(Open, start + 1, System.StringComparison.Ordinal) >= 0)
        {
            throw new System.ArgumentException("The source must hold exactly one [| ... |] span.", nameof(markup));
        }

        string source = markup.Remove(end, Close.Length).Remove(start, Open.Length);
        return (source, TextSpan.FromBounds(start, end - Open.Length));
    }
}
