using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Generator.Models;

/// <summary>
/// The parameters a kernel's signature must take, in order, as its family's options decide them: one
/// list for the one-row shape and one for the many-rows shape, and whether the method returns a T.
/// Not part of any model: it only guides the declaration parser and its messages.
/// </summary>
internal sealed class SignatureShape
{
    /// <summary>The shape of the span families: the spans, and for many rows the same with a trailing <c>int rowLength</c>.</summary>
    public SignatureShape(IReadOnlyList<ParameterRole> spans, string? condition)
        : this(spans, spans.Concat(new[] { ParameterRole.RowLength }).ToList(), returnsElement: false, condition)
    {
    }

    /// <summary>A shape whose two forms differ in more than a trailing row length (the losses: <c>int target</c> or <c>ReadOnlySpan&lt;int&gt; targets</c>).</summary>
    public SignatureShape(IReadOnlyList<ParameterRole> oneRow, IReadOnlyList<ParameterRole> manyRows, bool returnsElement, string? condition)
    {
        this.OneRow = oneRow;
        this.ManyRows = manyRows;
        this.ReturnsElement = returnsElement;
        this.Condition = condition;
    }

    /// <summary>The parameters of the one-row form, in declaration order (the first is always the input).</summary>
    public IReadOnlyList<ParameterRole> OneRow { get; }

    /// <summary>The parameters of the many-rows form, in declaration order.</summary>
    public IReadOnlyList<ParameterRole> ManyRows { get; }

    /// <summary>True when the method returns T (a reduced loss); false for void.</summary>
    public bool ReturnsElement { get; }

    /// <summary>The options that make this the expected shape (e.g. "for [LayerNorm] with Affine = true"), or null.</summary>
    public string? Condition { get; }

    /// <summary>The expected declarations, for the message of KG0006.</summary>
    public string Describe(string method)
    {
        string returns = this.ReturnsElement ? "T" : "void";
        string Form(IReadOnlyList<ParameterRole> roles) =>
            $"'{returns} {method}({string.Join(", ", roles.Select(static r => TypeText(r, "T") + " " + new KernelParameter(r, string.Empty).LocalName))})'";
        string text = $"{Form(this.OneRow)} or {Form(this.ManyRows)} with T float or double";
        return this.Condition is null ? text : text + " " + this.Condition;
    }

    /// <summary>The C# type a parameter of <paramref name="role"/> has, with <paramref name="t"/> the element type.</summary>
    public static string TypeText(ParameterRole role, string t) => role switch
    {
        ParameterRole.RowLength or ParameterRole.Target => "int",
        ParameterRole.Targets => "ReadOnlySpan<int>",
        _ => new KernelParameter(role, string.Empty).IsReadOnly ? $"ReadOnlySpan<{t}>" : $"Span<{t}>",
    };

    /// <summary>How a message names a role.</summary>
    public static string RoleText(ParameterRole role) => role switch
    {
        ParameterRole.Input => "input",
        ParameterRole.Residual => "residual r",
        ParameterRole.Sum => "sum h = x + r",
        ParameterRole.Weight => "weight γ",
        ParameterRole.Bias => "bias β",
        ParameterRole.Output => "output",
        ParameterRole.Target => "target class",
        ParameterRole.Targets => "target classes, one per row",
        ParameterRole.Losses => "losses, one per row",
        ParameterRole.Gradient => "gradient",
        _ => "row length",
    };
}
