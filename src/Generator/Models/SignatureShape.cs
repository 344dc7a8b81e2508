using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Generator.Models;

/// <summary>
/// The parameters a kernel's signature must take, in order, as its family's options decide them: spans,
/// and for some families a scalar <c>T</c> (DyT's α); the many-rows shape adds a trailing <c>int rowLength</c>. Not part of any model: it only guides the
/// declaration parser and its messages.
/// </summary>
internal sealed class SignatureShape
{
    public SignatureShape(IReadOnlyList<ParameterRole> spans, string? condition)
    {
        this.Spans = spans;
        this.Condition = condition;
    }

    /// <summary>The roles of the parameters before the row length, in declaration order (the first is always the input).</summary>
    public IReadOnlyList<ParameterRole> Spans { get; }

    /// <summary>The options that make this the expected shape (e.g. "for [LayerNorm] with Affine = true"), or null.</summary>
    public string? Condition { get; }

    /// <summary>The expected declarations, for the message of KG0006.</summary>
    public string Describe(string method)
    {
        string spans = string.Join(", ", this.Spans.Select(static r => TypeText(r) + " " + new KernelParameter(r, string.Empty).LocalName));
        string text = $"'void {method}({spans})' or 'void {method}({spans}, int rowLength)' with T float or double";
        return this.Condition is null ? text : text + " " + this.Condition;
    }

    /// <summary>How a message writes the type of a role's parameter, with T for the element type.</summary>
    public static string TypeText(ParameterRole role, string element = "T")
    {
        var parameter = new KernelParameter(role, string.Empty);
        return parameter.IsScalar ? element : parameter.IsReadOnly ? $"ReadOnlySpan<{element}>" : $"Span<{element}>";
    }

    /// <summary>How a message names a role.</summary>
    public static string RoleText(ParameterRole role) => role switch
    {
        ParameterRole.Input => "input",
        ParameterRole.Residual => "residual r",
        ParameterRole.Alpha => "scalar α",
        ParameterRole.Sum => "sum h = x + r",
        ParameterRole.Weight => "weight γ",
        ParameterRole.Bias => "bias β",
        ParameterRole.Output => "output",
        _ => "row length",
    };
}
