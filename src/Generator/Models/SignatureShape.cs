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
        : this(spans, false, spans.Concat(new[] { ParameterRole.RowLength }).ToList(), false, condition)
    {
    }

    /// <summary>
    /// A shape whose two forms differ in more than a trailing row length, and may return T (the losses:
    /// <c>int target</c> or <c>ReadOnlySpan&lt;int&gt; targets</c>; a loss value or per-row losses).
    /// </summary>
    public SignatureShape(IReadOnlyList<ParameterRole>? oneRow, bool oneRowReturns, IReadOnlyList<ParameterRole> manyRows, bool manyRowsReturn, string? condition)
    {
        this.OneRow = oneRow;
        this.OneRowReturns = oneRowReturns;
        this.ManyRows = manyRows;
        this.ManyRowsReturn = manyRowsReturn;
        this.Condition = condition;
    }

    /// <summary>The parameters of the one-row form, in declaration order (the first is always the input); null when the options allow only many rows.</summary>
    public IReadOnlyList<ParameterRole>? OneRow { get; }

    /// <summary>The parameters of the many-rows form, in declaration order.</summary>
    public IReadOnlyList<ParameterRole> ManyRows { get; }

    /// <summary>True when the one-row form returns T (a loss); false for void.</summary>
    public bool OneRowReturns { get; }

    /// <summary>True when the many-rows form returns T (a reduced loss); false for void.</summary>
    public bool ManyRowsReturn { get; }

    /// <summary>True when the form of <paramref name="shape"/> returns T.</summary>
    public bool Returns(KernelShape shape) => shape == KernelShape.OneRow ? this.OneRowReturns : this.ManyRowsReturn;

    /// <summary>The options that make this the expected shape (e.g. "for [LayerNorm] with Affine = true"), or null.</summary>
    public string? Condition { get; }

    /// <summary>The expected declarations, for the message of KG0006.</summary>
    public string Describe(string method)
    {
        string Form(IReadOnlyList<ParameterRole> roles, bool returns) =>
            $"'{(returns ? "T" : "void")} {method}({string.Join(", ", roles.Select(static r => TypeText(r, "T") + " " + new KernelParameter(r, string.Empty).LocalName))})'";
        string text = this.OneRow is null
            ? $"{Form(this.ManyRows, this.ManyRowsReturn)} with T float or double"
            : $"{Form(this.OneRow, this.OneRowReturns)} or {Form(this.ManyRows, this.ManyRowsReturn)} with T float or double";
        return this.Condition is null ? text : text + " " + this.Condition;
    }

    /// <summary>The C# type a parameter of <paramref name="role"/> has, with <paramref name="t"/> the element type.</summary>
    public static string TypeText(ParameterRole role, string t) => role switch
    {
        ParameterRole.RowLength or ParameterRole.Target or ParameterRole.RowsPerHead => "int",
        ParameterRole.Alpha or ParameterRole.Sink => t,
        ParameterRole.Targets => "ReadOnlySpan<int>",
        ParameterRole.Predictions or ParameterRole.Indices => "Span<int>",
        ParameterRole.Seed => "ulong",
        _ => new KernelParameter(role, string.Empty).IsReadOnly ? $"ReadOnlySpan<{t}>" : $"Span<{t}>",
    };

    /// <summary>How a message names a role.</summary>
    public static string RoleText(ParameterRole role) => role switch
    {
        ParameterRole.Input => "input",
        ParameterRole.Residual => "residual r",
        ParameterRole.Alpha => "scalar α",
        ParameterRole.Sum => "sum h = x + r",
        ParameterRole.Weight => "weight γ",
        ParameterRole.Bias => "bias β",
        ParameterRole.RescaleProjection => "projection β",
        ParameterRole.RescaleWeight => "rescale weight α",
        ParameterRole.RunningMean => "running mean μ",
        ParameterRole.RunningVariance => "running variance σ²",
        ParameterRole.RunningQuadraticMean => "running quadratic mean ψ²",
        ParameterRole.UpdatedQuadraticMean => "running quadratic mean ψ², updated by the call",
        ParameterRole.Output => "output",
        ParameterRole.Mean => "mean μ, one per row",
        ParameterRole.InverseStdDev => "inverse standard deviation 1/sqrt(σ² + ε), one per row",
        ParameterRole.Target => "target class",
        ParameterRole.Targets => "target classes, one per row",
        ParameterRole.Losses => "losses, one per row",
        ParameterRole.Gradient => "gradient",
        ParameterRole.OutputGradient => "output gradient dy",
        ParameterRole.InputGradient => "input gradient dx",
        ParameterRole.AlphaGradient => "α gradient dα, one element",
        ParameterRole.WeightGradient => "weight gradient dγ",
        ParameterRole.BiasGradient => "bias gradient dβ",
        ParameterRole.ClassWeights => "class weights, one per class",
        ParameterRole.SampleWeights => "sample weights, one per row",
        ParameterRole.SampleMargins => "margins, one per row",
        ParameterRole.LseOutput => "log-sum-exp, one per row",
        ParameterRole.Predictions => "predicted classes, one per row",
        ParameterRole.EntropyOutput => "entropy, one per row",
        ParameterRole.Mask => "additive mask",
        ParameterRole.Sink => "sink logit",
        ParameterRole.RowsPerHead => "rows per head",
        ParameterRole.Uniform => "uniform samples U",
        ParameterRole.Seed => "seed",
        ParameterRole.Indices => "indices of the K largest, K per row",
        ParameterRole.SoftTargets => "targets, one per logit",
        ParameterRole.PosWeight => "positive weights, one per class",
        ParameterRole.ElementLosses => "losses, one per logit",
        ParameterRole.Teacher => "teacher logits",
        _ => "row length",
    };
}
