using KernelGen.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator.Models;

// Every model here is immutable and compares by value: strings, primitives, enums, nested records
// and EquatableArray only. No ISymbol, SyntaxNode, Location or Compilation: holding any of them
// would break the incremental pipeline's caching (an edit anywhere would re-emit every kernel).

/// <summary>The element type of a kernel's spans.</summary>
internal enum ElementType
{
    Float,
    Double,
}

/// <summary>The signature shape of a kernel (api.md, "Signature shapes").</summary>
internal enum KernelShape
{
    /// <summary><c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output)</c>.</summary>
    OneRow,

    /// <summary><c>void M(ReadOnlySpan&lt;T&gt; input, Span&lt;T&gt; output, int rowLength)</c>.</summary>
    ManyRows,
}

/// <summary>One type that contains a kernel, outermost first in <see cref="HierarchyInfo.Types"/>.</summary>
internal sealed record ContainingTypeInfo(string Name);

/// <summary>Where a kernel lives: its namespace (null for the global namespace) and its containing types.</summary>
internal sealed record HierarchyInfo(string? Namespace, EquatableArray<ContainingTypeInfo> Types)
{
    /// <summary>The hint-name prefix: namespace and type names joined by dots.</summary>
    public string FullName => (this.Namespace is null ? string.Empty : this.Namespace + ".") + string.Join(".", System.Linq.Enumerable.Select(this.Types, static t => t.Name));
}

/// <summary>What a parameter of a kernel is for. The family's options decide which roles a signature has, in which order.</summary>
internal enum ParameterRole
{
    /// <summary>The input rows: <c>ReadOnlySpan&lt;T&gt;</c>, one element per element of the output.</summary>
    Input,

    /// <summary>A second input added to the input element by element (the residual r): <c>ReadOnlySpan&lt;T&gt;</c>, as long as the input.</summary>
    Residual,

    /// <summary>
    /// A run-time scalar of the element type that every element is multiplied by (DyT's learned α): <c>T</c>, not a
    /// span, right after the input. Not validated (a NaN or infinite value propagates, as in PyTorch); the row
    /// methods take it by value.
    /// </summary>
    Alpha,

    /// <summary>A per-column weight (γ): <c>ReadOnlySpan&lt;T&gt;</c> of one row's length, shared by every row.</summary>
    Weight,

    /// <summary>A per-column bias (β): <c>ReadOnlySpan&lt;T&gt;</c> of one row's length, shared by every row.</summary>
    Bias,

    /// <summary>
    /// SeeDNorm's β, the vector each row is dotted with (s = tanh(⟨x, β⟩)): <c>ReadOnlySpan&lt;T&gt;</c> of one row's
    /// length, shared by every row; right after the input.
    /// </summary>
    RescaleProjection,

    /// <summary>
    /// SeeDNorm's α, the per-column scale of the self-rescaling term s·α: <c>ReadOnlySpan&lt;T&gt;</c> of one row's
    /// length, shared by every row; after β, before the weight γ.
    /// </summary>
    RescaleWeight,

    /// <summary>A per-channel running mean μ (BatchNorm at inference): <c>ReadOnlySpan&lt;T&gt;</c> of one row's length, shared by every row.</summary>
    RunningMean,

    /// <summary>A per-channel running variance σ² (BatchNorm at inference): <c>ReadOnlySpan&lt;T&gt;</c> of one row's length, shared by every row.</summary>
    RunningVariance,

    /// <summary>A per-channel running quadratic mean ψ² (PowerNorm at inference): <c>ReadOnlySpan&lt;T&gt;</c> of one row's length, shared by every row.</summary>
    RunningQuadraticMean,

    /// <summary>[PowerNorm(Training = true)]'s running quadratic mean ψ²: <c>Span&lt;T&gt;</c>, C elements, read (the normalization uses it) and then updated with the batch's quadratic mean.</summary>
    UpdatedQuadraticMean,

    /// <summary>The output rows: <c>Span&lt;T&gt;</c>, as long as the input.</summary>
    Output,

    /// <summary>A second output, the sum h = x + r of a fused residual kernel: <c>Span&lt;T&gt;</c>, as long as the input.</summary>
    Sum,

    /// <summary>
    /// A forward normalization's per-row mean μ (LayerNorm's <c>StatisticsOutput</c>): <c>Span&lt;T&gt;</c>, one
    /// element per row, after the output (and the sum h).
    /// </summary>
    Mean,

    /// <summary>
    /// A forward normalization's per-row 1/sqrt(σ² + ε) (LayerNorm) or 1/RMS (RmsNorm), its <c>StatisticsOutput</c>:
    /// <c>Span&lt;T&gt;</c>, one element per row, after the mean (or the output).
    /// </summary>
    InverseStdDev,

    /// <summary>A backward kernel's incoming gradient dy = ∂L/∂y: <c>ReadOnlySpan&lt;T&gt;</c>, as long as the input.</summary>
    OutputGradient,

    /// <summary>A backward kernel's result dx = ∂L/∂x: <c>Span&lt;T&gt;</c>, as long as the input; may be the same memory as dy.</summary>
    InputGradient,

    /// <summary>
    /// A backward kernel's gradient of the run-time scalar α (DyT's dα): <c>Span&lt;T&gt;</c> of exactly one element,
    /// shared by every row, added into (+=), never overwritten; right after the input gradient dx.
    /// </summary>
    AlphaGradient,

    /// <summary>A backward kernel's dγ: <c>Span&lt;T&gt;</c> of one row's length, shared by every row, added into (+=), never overwritten.</summary>
    WeightGradient,

    /// <summary>A backward kernel's dβ: <c>Span&lt;T&gt;</c> of one row's length, shared by every row, added into (+=), never overwritten.</summary>
    BiasGradient,

    /// <summary>The row length of the many-rows shape: <c>int</c>, last.</summary>
    RowLength,

    /// <summary>The class index of a one-row loss: <c>int</c> (or the ignore index).</summary>
    Target,

    /// <summary>The class index of each row of a many-rows loss: <c>ReadOnlySpan&lt;int&gt;</c>, one per row.</summary>
    Targets,

    /// <summary>The per-row losses of a loss without reduction: <c>Span&lt;T&gt;</c>, one per row.</summary>
    Losses,

    /// <summary>The gradient of a loss with respect to its logits: <c>Span&lt;T&gt;</c>, as long as the logits.</summary>
    Gradient,

    /// <summary>A loss's per-class weights: <c>ReadOnlySpan&lt;T&gt;</c>, one per class, right after the target(s).</summary>
    ClassWeights,

    /// <summary>A many-rows loss's per-row weights: <c>ReadOnlySpan&lt;T&gt;</c>, one per row, after the class weights.</summary>
    SampleWeights,

    /// <summary>[MarginSoftmaxLoss]'s per-row margins (ElasticFace): <c>ReadOnlySpan&lt;T&gt;</c>, one per row, after the sample weights.</summary>
    SampleMargins,

    /// <summary>A many-rows loss's per-row log-sum-exp: <c>Span&lt;T&gt;</c>, one per row, after the losses.</summary>
    LseOutput,

    /// <summary>A many-rows loss's per-row argmax class: <c>Span&lt;int&gt;</c>, one per row, after the LSE.</summary>
    Predictions,

    /// <summary>A many-rows loss's per-row entropy −Σ p·log p: <c>Span&lt;T&gt;</c>, one per row, after the predictions.</summary>
    EntropyOutput,

    /// <summary>An attention softmax's additive mask: <c>ReadOnlySpan&lt;T&gt;</c> of whole rows (one, or one per row, or any count dividing the rows), right after the input.</summary>
    Mask,

    /// <summary>An attention softmax's sink logit: <c>T</c>, which enters the denominator only; after the mask (if any).</summary>
    Sink,

    /// <summary>The rows of one head of an attention softmax (its queries): <c>int</c>, after the row length.</summary>
    RowsPerHead,

    /// <summary>[GumbelSoftmax]'s uniform samples U in (0, 1): <c>ReadOnlySpan&lt;T&gt;</c>, as long as the input, right after it.</summary>
    Uniform,

    /// <summary>[GumbelSoftmax]'s seed of the counter-based noise: <c>ulong</c>, after the output.</summary>
    Seed,

    /// <summary>[TopKSoftmax]'s indices of the K largest logits of each row: <c>Span&lt;int&gt;</c>, K per row, after the weights.</summary>
    Indices,

    /// <summary>[BinaryCrossEntropy]'s soft targets y: <c>ReadOnlySpan&lt;T&gt;</c>, as long as the logits, right after them.</summary>
    SoftTargets,

    /// <summary>[BinaryCrossEntropy]'s per-class positive weight (PyTorch's pos_weight): <c>ReadOnlySpan&lt;T&gt;</c>, K elements, after the class weights.</summary>
    PosWeight,

    /// <summary>An elementwise loss's losses without reduction: <c>Span&lt;T&gt;</c>, one per element (as long as the logits).</summary>
    ElementLosses,

    /// <summary>[KLDivergence]/[DistillationLoss]'s teacher logits: <c>ReadOnlySpan&lt;T&gt;</c>, as long as the input (the student's logits), right after it.</summary>
    Teacher,
}

/// <summary>One parameter of a kernel: its role and the user's name for it (escaped for C#).</summary>
internal sealed record KernelParameter(ParameterRole Role, string Name)
{
    /// <summary>True for the spans the kernel only reads.</summary>
    public bool IsReadOnly => this.Role is ParameterRole.Input or ParameterRole.Residual or ParameterRole.Weight or ParameterRole.Bias or ParameterRole.OutputGradient or ParameterRole.Targets
        or ParameterRole.RescaleProjection or ParameterRole.RescaleWeight
        or ParameterRole.ClassWeights or ParameterRole.SampleWeights or ParameterRole.SampleMargins
        or ParameterRole.RunningMean or ParameterRole.RunningVariance or ParameterRole.RunningQuadraticMean or ParameterRole.Mask or ParameterRole.Uniform
        or ParameterRole.SoftTargets or ParameterRole.PosWeight or ParameterRole.Teacher;

    /// <summary>True for the per-channel running statistics of an inference-time normalization (μ, σ², ψ²).</summary>
    public bool IsRunningStatistic => this.Role is ParameterRole.RunningMean or ParameterRole.RunningVariance or ParameterRole.RunningQuadraticMean or ParameterRole.UpdatedQuadraticMean;

    /// <summary>True for the per-row statistics a forward normalization writes (one element per row: the rows loop passes element <c>row</c>).</summary>
    public bool IsPerRow => this.Role is ParameterRole.Mean or ParameterRole.InverseStdDev;

    /// <summary>True for a parameter of the element type itself (not a span): passed by value down to the row methods.</summary>
    public bool IsScalar => this.Role is ParameterRole.Alpha or ParameterRole.Sink;

    /// <summary>True for the parameters that are spans (everything but the scalars and the row length).</summary>
    public bool IsSpan => !this.IsScalar && this.Role is not (ParameterRole.RowLength or ParameterRole.RowsPerHead or ParameterRole.Seed);

    /// <summary>True for the spans of one row's length that every row shares (the row loop passes them unmoved).</summary>
    public bool IsBroadcast => this.Role is ParameterRole.Weight or ParameterRole.Bias or ParameterRole.RescaleProjection or ParameterRole.RescaleWeight or ParameterRole.WeightGradient or ParameterRole.BiasGradient or ParameterRole.AlphaGradient || this.IsRunningStatistic;

    /// <summary>The name the generated helpers (the rows loop, the row methods) give this parameter: never a user name.</summary>
    public string LocalName => this.Role switch
    {
        ParameterRole.Input => "input",
        ParameterRole.Residual => "residual",
        ParameterRole.Alpha => "alpha",
        ParameterRole.Sum => "sum",
        ParameterRole.Weight => "weight",
        ParameterRole.Bias => "bias",
        ParameterRole.RescaleProjection => "beta",
        ParameterRole.RescaleWeight => "alpha",
        ParameterRole.RunningMean => "runningMean",
        ParameterRole.RunningVariance => "runningVariance",
        ParameterRole.RunningQuadraticMean or ParameterRole.UpdatedQuadraticMean => "runningQuadraticMean",
        ParameterRole.Output => "output",
        ParameterRole.Mean => "mean",
        ParameterRole.InverseStdDev => "inverseStdDev",
        ParameterRole.Target => "target",
        ParameterRole.Targets => "targets",
        ParameterRole.Losses => "losses",
        ParameterRole.Gradient => "gradient",
        ParameterRole.OutputGradient => "outputGradient",
        ParameterRole.InputGradient => "inputGradient",
        ParameterRole.AlphaGradient => "alphaGradient",
        ParameterRole.WeightGradient => "weightGradient",
        ParameterRole.BiasGradient => "biasGradient",
        ParameterRole.ClassWeights => "classWeights",
        ParameterRole.SampleWeights => "sampleWeights",
        ParameterRole.SampleMargins => "margins",
        ParameterRole.LseOutput => "lse",
        ParameterRole.Predictions => "predictions",
        ParameterRole.EntropyOutput => "entropy",
        ParameterRole.Mask => "mask",
        ParameterRole.Sink => "sink",
        ParameterRole.RowsPerHead => "rowsPerHead",
        ParameterRole.Uniform => "uniform",
        ParameterRole.Seed => "seed",
        ParameterRole.Indices => "indices",
        ParameterRole.SoftTargets => "targets",
        ParameterRole.PosWeight => "posWeight",
        ParameterRole.ElementLosses => "losses",
        ParameterRole.Teacher => "teacher",
        _ => "rowLength",
    };

    /// <summary>The name of the <c>ref T</c> that a row method takes for this span (x, w, b, y; SeeDNorm's β as p and α as a; dy, dx, da, dw, db; mu, sigma2, psi2; savedMean, savedInverse), or of the <c>T</c> it takes for a scalar.</summary>
    public string RowName => this.Role switch
    {
        ParameterRole.RunningMean => "mu",
        ParameterRole.RunningVariance => "sigma2",
        ParameterRole.RunningQuadraticMean or ParameterRole.UpdatedQuadraticMean => "psi2",
        ParameterRole.Mean => "savedMean",
        ParameterRole.InverseStdDev => "savedInverse",
        ParameterRole.OutputGradient => "dy",
        ParameterRole.InputGradient => "dx",
        ParameterRole.AlphaGradient => "da",
        ParameterRole.WeightGradient => "dw",
        ParameterRole.BiasGradient => "db",
        ParameterRole.Input => "x",
        ParameterRole.Residual => "r",
        ParameterRole.Alpha => "alpha",
        ParameterRole.Sum => "h",
        ParameterRole.Weight => "w",
        ParameterRole.Bias => "b",
        ParameterRole.RescaleProjection => "p",
        ParameterRole.RescaleWeight => "a",
        ParameterRole.Gradient => "g",
        ParameterRole.Mask => "m",
        ParameterRole.Sink => "sink",
        ParameterRole.Uniform => "u",
        ParameterRole.Seed => "seed",
        ParameterRole.Indices => "indices",
        ParameterRole.Teacher => "t",
        _ => "y",
    };
}

/// <summary>The parts of a kernel's declaration that its implementation must repeat.</summary>
/// <param name="MethodName">The method's name.</param>
/// <param name="Modifiers">The declared accessibility keywords and the modifiers the implementation must repeat (new, unsafe); "" when there are none.</param>
/// <param name="PathsAccessibility">The accessibility of the nested paths class (the method's effective one).</param>
/// <param name="Element">float or double.</param>
/// <param name="Shape">One row or many rows.</param>
/// <param name="Parameters">The parameters in declaration order, with their roles.</param>
/// <param name="ReturnsElement">True when the method returns a T (a reduced loss), false when it returns void.</param>
internal sealed record KernelSignature(
    string MethodName,
    string Modifiers,
    string PathsAccessibility,
    ElementType Element,
    KernelShape Shape,
    EquatableArray<KernelParameter> Parameters,
    bool ReturnsElement = false)
{
    /// <summary>The input parameter's name, escaped for C#.</summary>
    public string InputName => this.NameOf(ParameterRole.Input)!;

    /// <summary>
    /// The name of the span that has one element per input element and is written: the output, or for a
    /// backward kernel the input gradient dx. Argument checks measure it against the input.
    /// </summary>
    public string OutputName => this.NameOf(ParameterRole.Output) ?? this.NameOf(ParameterRole.InputGradient)!;

    /// <summary>True for a backward kernel (it writes an input gradient).</summary>
    public bool IsBackward => this.Has(ParameterRole.InputGradient);

    /// <summary>The row-length parameter's name for <see cref="KernelShape.ManyRows"/>, else null.</summary>
    public string? RowLengthName => this.NameOf(ParameterRole.RowLength);

    /// <summary>True when the signature has a parameter of <paramref name="role"/>.</summary>
    public bool Has(ParameterRole role) => this.NameOf(role) is not null;

    /// <summary>The user's (escaped) name of the parameter of <paramref name="role"/>, or null.</summary>
    public string? NameOf(ParameterRole role)
    {
        foreach (KernelParameter parameter in this.Parameters)
        {
            if (parameter.Role == role)
            {
                return parameter.Name;
            }
        }

        return null;
    }
}

/// <summary>A source location that compares by value (file path, span and line span).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(this.FilePath, this.Span, this.LineSpan);
}

/// <summary>A diagnostic as plain data: created in the transform, turned into a <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), new EquatableArray<string>(arguments));
}
