using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Reads a [BinaryCrossEntropy] declaration, or a [FocalLoss(Sigmoid = true)] one (the sigmoid focal loss takes the
/// binary cross-entropy's soft targets and shapes), into a <see cref="BinaryCrossEntropyModel"/> (or diagnostics).
/// </summary>
internal static class BinaryCrossEntropyParser
{
    /// <summary>True when a [FocalLoss] asks for the sigmoid form (Sigmoid = true): this parser's, not the cross-entropy passes'.</summary>
    public static bool IsSigmoidFocal(AttributeData attribute) =>
        attribute.NamedArguments.Any(static a => a.Key == "Sigmoid" && a.Value.Value is true);

    public static KernelResult<BinaryCrossEntropyModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, focal: false, cancellationToken);

    /// <summary>The [FocalLoss] pipeline's second reader: a model only for Sigmoid = true (the softmax form is the cross-entropy parser's).</summary>
    public static KernelResult<BinaryCrossEntropyModel> ParseSigmoidFocal(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        IsSigmoidFocal(context.Attributes[0])
            ? Parse(context, focal: true, cancellationToken)
            : new KernelResult<BinaryCrossEntropyModel>(null, EquatableArray<DiagnosticInfo>.Empty);

    private static KernelResult<BinaryCrossEntropyModel> Parse(GeneratorAttributeSyntaxContext context, bool focal, CancellationToken cancellationToken)
    {
        string shortName = focal ? "FocalLoss" : "BinaryCrossEntropy";
        var diagnostics = new List<DiagnosticInfo>();
        AttributeData attribute = context.Attributes[0];
        var reduction = ReductionKind.Mean;
        bool weights = false, posWeight = false;

        // torchvision's defaults for the sigmoid form: γ = 2, α = 0.25 (the softmax form's α = 1 would drop every negative).
        double gamma = 2, alpha = 0.25;
        CommonOptions common = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Reduction":
                    reduction = (ReductionKind)(int)value;
                    return reduction is ReductionKind.Mean or ReductionKind.Sum or ReductionKind.None ? null : "it is not a LossReduction value";
                case "Weights" when !focal:
                    weights = (bool)value;
                    return null;
                case "ClassWeights" when focal:
                    weights = (bool)value;
                    return null;
                case "PosWeight" when !focal:
                    posWeight = (bool)value;
                    return null;
                case "Gamma" when focal:
                    gamma = (double)value;
                    return gamma >= 0 && !double.IsInfinity(gamma) ? null : "γ must be finite and at least 0";
                case "Alpha" when focal:
                    alpha = (double)value;
                    return alpha <= 1 && !double.IsNaN(alpha) && !double.IsNegativeInfinity(alpha) ? null : "with Sigmoid = true, α must be in [0, 1] (or negative for none, as torchvision)";
                case "SampleWeights" when focal:
                    return (bool)value ? "the sigmoid form (Sigmoid = true) weighs elements by class (ClassWeights), not by row" : null;
                case "IgnoreIndex" when focal:
                    return "the sigmoid form (Sigmoid = true) takes soft targets, which have no ignore index";
                default:
                    return null;
            }
        }, cancellationToken);

        // T M(logits, targets[, weight][, posWeight]), or with Reduction = None void M(..., losses); the gradient is
        // optional and always last: both lengths are tried.
        bool none = reduction == ReductionKind.None;
        var roles = new List<ParameterRole> { ParameterRole.Input, ParameterRole.SoftTargets };
        if (weights)
        {
            roles.Add(ParameterRole.ClassWeights);
        }

        if (posWeight)
        {
            roles.Add(ParameterRole.PosWeight);
        }

        if (none)
        {
            roles.Add(ParameterRole.ElementLosses);
        }

        bool gradient = context.TargetSymbol is IMethodSymbol method && method.Parameters.Length == roles.Count + 1;
        if (gradient)
        {
            roles.Add(ParameterRole.Gradient);
        }

        var options = new List<string>();
        if (focal)
        {
            options.Add("Sigmoid = true");
        }

        if (weights)
        {
            options.Add(focal ? "ClassWeights = true" : "Weights = true");
        }

        if (posWeight)
        {
            options.Add("PosWeight = true");
        }

        string condition = $"for [{shortName}] with " + string.Join(", ", options.Concat(new[] { $"Reduction = {reduction}{(reduction == ReductionKind.Mean ? " (the default)" : string.Empty)}" }))
            + (gradient ? ", with a gradient" : ", without a gradient (add a trailing Span<T> gradient for one)");
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", new SignatureShape(null, false, roles, !none, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<BinaryCrossEntropyModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new BinaryCrossEntropyModel(
            hierarchy,
            signature,
            reduction,
            common.Unroll,
            common.Targets | CommonOptions.ScalarTarget,
            focal,
            focal ? gamma : 0,
            focal ? alpha : 0);
        return new KernelResult<BinaryCrossEntropyModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
