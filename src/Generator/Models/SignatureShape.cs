using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Generator.Models;

/// <summary>
/// The spans a kernel's signature must take, in order, as its family's options decide them; the
/// many-rows shape adds a trailing <c>int rowLength</c>. Not part of any model: it only guides the
/// declaration parser and its messages.
/// </summary>
internal sealed class SignatureShape
{
    public SignatureShape(IReadOnlyList<ParameterRole> spans, string? condition)
    {
        this.Spans = spans;
        this.Condition = condition;
    }

    /// <summary>The span roles, in declaration order (the first is always the input).</summary>
    public IReadOnlyList<ParameterRole> Spans { get; }

    /// <summary>The options that make this the expected shape (e.g. "for [LayerNorm] with Affine = true"), or null.</summary>
    public string? Condition { get; }

    /// <summary>The expected declarations, for the message of KG0006.</summary>
    public string Describe(string method)
    {
        string spans = string.Join(", ", this.Spans.Select(static r =>
            (new KernelParameter(r, string.Empty).IsReadOnly ? "ReadOnlySpan<T> " : "Span<T> ") + new KernelParameter(r, string.Empty).LocalName));
        string text = $"'void {method}({spans})' or 'void {method}({spans}, int rowLength)' with T float or double";
        return this.Condition is null ? text : text + " " + this.Condition;
    }

    /// <summary>How a message names a role.</summary>
    public static string RoleText(ParameterRole role) => role switch
    {
        ParameterRole.Input => "input",
        ParameterRole.Residual => "residual r",
        ParameterRole.Sum => "sum h = x + r",
        ParameterRole.Weight => "weight γ",
        ParameterRole.Bias => "bias β",
        ParameterRole.Output => "output",
        ParameterRole.OutputGradient => "output gradient dy",
        ParameterRole.InputGradient => "input gradient dx",
        ParameterRole.WeightGradient => "weight gradient dγ",
        ParameterRole.BiasGradient => "bias gradient dβ",
        _ => "row length",
    };
}
