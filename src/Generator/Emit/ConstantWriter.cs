using KernelGen.Generator.Helpers;

namespace KernelGen.Generator.Emit;

/// <summary>
/// The constants of a kernel's paths class (<see cref="IKernelRowWriter.WriteConstants"/>): each a private const under its
/// one-line summary, so that a reader of the generated code sees the options the kernel was built with.
/// </summary>
internal static class ConstantWriter
{
    /// <summary>The summary of a loss's IgnoreIndex constant.</summary>
    public const string IgnoreIndexSummary = "A target equal to this is ignored: its row adds no loss and gets a zero gradient.";

    /// <summary>The header of a loss over rows of classes: Width (the fixed number of classes), then IgnoreIndex when given.</summary>
    /// <param name="writer">The paths class.</param>
    /// <param name="width">The Width option (0: any number of classes).</param>
    /// <param name="ignoreIndex">The IgnoreIndex option, or null when the targets are not indices.</param>
    /// <param name="ignoreSummary">The summary of IgnoreIndex, when the family says more than <see cref="IgnoreIndexSummary"/>.</param>
    public static void WriteClassHeader(IndentedWriter writer, int width, int? ignoreIndex, string ignoreSummary = IgnoreIndexSummary)
    {
        Constant(writer, "The fixed number of classes (0: any number).", "Width", width);
        if (ignoreIndex is { } ignore)
        {
            Constant(writer, ignoreSummary, "IgnoreIndex", ignore);
        }
    }

    /// <summary>Writes <c>private const int</c> <paramref name="name"/> under its summary.</summary>
    public static void Constant(IndentedWriter writer, string summary, string name, int value)
    {
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Line($"private const int {name} = {value};");
    }

    /// <summary>Writes <c>private const double</c> <paramref name="name"/> under its summary (a round-trip literal).</summary>
    public static void Constant(IndentedWriter writer, string summary, string name, double value)
    {
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Line($"private const double {name} = {CSharpLiteral.Of(value)};");
    }
}
