using System.Globalization;

namespace KernelGen.Generator.Emit;

/// <summary>Numbers written into generated code: round-trip precision, invariant culture, always a valid literal.</summary>
internal static class CSharpLiteral
{
    /// <summary>A double literal that reads back as exactly <paramref name="value"/> (finite values only).</summary>
    public static string Of(double value) => value.ToString("R", CultureInfo.InvariantCulture) is var text && (text.Contains(".") || text.Contains("E")) ? text : text + ".0";

    /// <summary>A float literal that reads back as exactly <paramref name="value"/> (finite values only).</summary>
    public static string Of(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
