using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Losses;

/// <summary>
/// Reads a [CrossEntropy] declaration, or one of the losses of the target probability alone ([CompSumLoss],
/// [FocalLoss], [DiceLoss]: the cross-entropy shapes without its smoothing, z-loss, soft cap and extra outputs),
/// into a <see cref="CrossEntropyModel"/> (or diagnostics).
/// </summary>
internal static class CrossEntropyParser
{
    public static KernelResult<CrossEntropyModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(context, TargetLossKind.CrossEntropy, cancellationToken);

    public static KernelResult<CrossEntropyModel> Parse(GeneratorAttributeSyntaxContext context, TargetLossKind kind, CancellationToken cancellationToken)
    {
        // [FocalLoss(Sigmoid = true)] is an elementwise loss on soft targets: the binary cross-entropy parser reads it.
        if (kind == TargetLossKind.Focal && BinaryCrossEntropyParser.IsSigmoidFocal(context.Attributes[0]))
        {
            return new KernelResult<CrossEntropyModel>(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        string shortName = kind switch
        {
            TargetLossKind.CompSum => "CompSumLoss",
            TargetLossKind.Focal => "FocalLoss",
            TargetLossKind.Dice => "DiceLoss",
            TargetLossKind.MarginSoftmax => "MarginSoftmaxLoss",
            TargetLossKind.InfoNce => "InfoNceLoss",
            _ => "CrossEntropy",
        };

        // The defaults of the attributes: τ = 1; γ = 2, α = 1; α = 0, γ = 1.
        double parameter1 = kind switch { TargetLossKind.CompSum => 1, TargetLossKind.Focal => 2, _ => 0 };
        double parameter2 = kind switch { TargetLossKind.Focal => 1, TargetLossKind.Dice => 1, _ => 0 };
        var diagnostics = new List<DiagnosticInfo>();
        AttributeData attribute = context.Attributes[0];
        var reduction = ReductionKind.Mean;
        int ignoreIndex = -100;
        double smoothing = 0, zLoss = 0, softcap = 0;
        double scale = 64, m1 = 1, m2 = 0, m3 = 0, temperature = 0.07;
        int perRowMargin = 0;
        bool decoupled = false;
        int positives = 1;
        bool positivesSet = false;
        bool classWeights = false, sampleWeights = false, lseOutput = false, predictionOutput = false, entropyOutput = false;
        CommonOptions common = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch ((kind, name))
            {
                case (TargetLossKind.CompSum, "Tau"):
                    parameter1 = (double)value;
                    return parameter1 >= 0 && !double.IsInfinity(parameter1) ? null : "τ must be finite and at least 0";
                case (TargetLossKind.Focal, "Gamma"):
                    parameter1 = (double)value;
                    return parameter1 >= 0 && !double.IsInfinity(parameter1) ? null : "γ must be finite and at least 0";
                case (TargetLossKind.Focal, "Alpha"):
                    parameter2 = (double)value;
                    return parameter2 > 0 && !double.IsInfinity(parameter2) ? null : "α must be finite and greater than 0";
                case (TargetLossKind.Dice, "Alpha"):
                    parameter1 = (double)value;
                    return parameter1 >= 0 && !double.IsInfinity(parameter1) ? null : "α must be finite and at least 0";
                case (TargetLossKind.Dice, "Gamma"):
                    parameter2 = (double)value;
                    return parameter2 >= 0 && !double.IsInfinity(parameter2) ? null : "γ must be finite and at least 0";
                case (TargetLossKind.MarginSoftmax, "Scale"):
                    scale = (double)value;
                    return scale > 0 && !double.IsInfinity(scale) ? null : "s must be finite and greater than 0";
                case (TargetLossKind.MarginSoftmax, "M1"):
                    m1 = (double)value;
                    return m1 > 0 && !double.IsInfinity(m1) ? null : "m1 must be finite and greater than 0";
                case (TargetLossKind.MarginSoftmax, "M2"):
                    m2 = (double)value;
                    return m2 >= 0 && m2 < System.Math.PI ? null : "m2 must be in [0, π)";
                case (TargetLossKind.MarginSoftmax, "M3"):
                    m3 = (double)value;
                    return !double.IsNaN(m3) && !double.IsInfinity(m3) ? null : "m3 must be finite";
                case (TargetLossKind.MarginSoftmax, "SampleMargins"):
                    // An invalid value adds no margins span (one diagnostic, not a second one about the shape).
                    perRowMargin = (int)value is >= 0 and <= 2 ? (int)value : 0;
                    return (int)value is >= 0 and <= 2 ? null : "it is not a SampleMargin value";
                case (TargetLossKind.InfoNce, "Temperature"):
                    temperature = (double)value;
                    return temperature > 0 && !double.IsInfinity(temperature) ? null : "τ must be finite and greater than 0";
                case (TargetLossKind.InfoNce, "Decoupled"):
                    decoupled = (bool)value;
                    return null;
                case (TargetLossKind.InfoNce, "Positives"):
                    positives = (int)value;
                    positivesSet = true;
                    return positives is >= 1 and <= MaxPositives ? null : "P must be between 1 and 1024 (a row's positives are sorted in a stack buffer)";
                case (_, "Tau" or "Gamma" or "Alpha" or "Scale" or "M1" or "M2" or "M3" or "SampleMargins" or "Temperature"):
                    return null;
            }

            switch (name)
            {
                case "Reduction":
                    reduction = (ReductionKind)(int)value;
                    return reduction is ReductionKind.Mean or ReductionKind.Sum or ReductionKind.None ? null : "it is not a LossReduction value";
                case "IgnoreIndex":
                    ignoreIndex = (int)value;
                    return null;
                case "LabelSmoothing":
                    smoothing = (double)value;
                    return smoothing >= 0 && smoothing <= 1 ? null : "ε must be in [0, 1]";
                case "ZLoss":
                    zLoss = (double)value;
                    return zLoss >= 0 && !double.IsInfinity(zLoss) ? null : "the coefficient must be finite and at least 0";
                case "Softcap":
                    softcap = (double)value;
                    return softcap >= 0 && !double.IsInfinity(softcap) ? null : "the cap must be finite and greater than 0 (or 0 for none)";
                case "ClassWeights":
                    classWeights = (bool)value;
                    return null;
                case "SampleWeights":
                    sampleWeights = (bool)value;
                    return null;
                case "LseOutput":
                    lseOutput = (bool)value;
                    return null;
                case "PredictionOutput":
                    predictionOutput = (bool)value;
                    return null;
                case "EntropyOutput":
                    entropyOutput = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        // [InfoNceLoss(Decoupled = true)]: the options it cannot honour are reported at the argument that asks for them.
        if (kind == TargetLossKind.InfoNce)
        {
            if (positivesSet && !decoupled && positives is >= 1 and <= MaxPositives)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    KernelDiagnostics.InvalidAttributeArgument,
                    AttributeArgumentReader.ArgumentLocation(attribute, "Positives", 0, cancellationToken),
                    "Positives",
                    AttributeArgumentReader.Format(positives),
                    shortName,
                    "Positives needs Decoupled = true (without it each row has one positive, its target)"));
            }

            if (decoupled && classWeights)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    KernelDiagnostics.InvalidAttributeArgument,
                    AttributeArgumentReader.ArgumentLocation(attribute, "ClassWeights", 0, cancellationToken),
                    "ClassWeights",
                    "true",
                    shortName,
                    "not with Decoupled = true (a row has several positive classes, so there is no one class weight to scale it by; use SampleWeights)"));
            }
        }

        // One row: T M(logits, int target[, classWeights][, gradient]). Many rows: T M(logits, targets[, classWeights]
        // [, sampleWeights][, gradient]), or with Reduction = None void M(logits, targets, ..., losses[, gradient]); the
        // per-row outputs (lse, predictions, entropy) come after the losses, in that order, and exist only for many rows
        // (as do the sample weights). The gradient is optional and always last: both lengths are tried.
        bool none = reduction == ReductionKind.None;
        bool manyRowsOnly = decoupled || sampleWeights || perRowMargin != 0 || lseOutput || predictionOutput || entropyOutput;
        List<ParameterRole>? oneRow = manyRowsOnly ? null : new List<ParameterRole> { ParameterRole.Input, ParameterRole.Target };
        var manyRows = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Targets };
        if (classWeights)
        {
            oneRow?.Add(ParameterRole.ClassWeights);
            manyRows.Add(ParameterRole.ClassWeights);
        }

        if (sampleWeights)
        {
            manyRows.Add(ParameterRole.SampleWeights);
        }

        if (perRowMargin != 0)
        {
            manyRows.Add(ParameterRole.SampleMargins);
        }

        if (none)
        {
            manyRows.Add(ParameterRole.Losses);
        }

        if (lseOutput)
        {
            manyRows.Add(ParameterRole.LseOutput);
        }

        if (predictionOutput)
        {
            manyRows.Add(ParameterRole.Predictions);
        }

        if (entropyOutput)
        {
            manyRows.Add(ParameterRole.EntropyOutput);
        }

        bool gradient = context.TargetSymbol is IMethodSymbol method
            && method.Parameters.Length == (oneRow is not null && method.Parameters.Length > 1 && IsInt(method.Parameters[1].Type) ? oneRow.Count : manyRows.Count) + 1;
        if (gradient)
        {
            oneRow?.Add(ParameterRole.Gradient);
            manyRows.Add(ParameterRole.Gradient);
        }

        var options = new List<string>();
        if (decoupled)
        {
            options.Add($"Decoupled = true, Positives = {positives} (the positives span holds {positives} class indices per row)");
        }

        if (classWeights)
        {
            options.Add("ClassWeights = true");
        }

        if (sampleWeights)
        {
            options.Add("SampleWeights = true");
        }

        if (perRowMargin != 0)
        {
            options.Add("SampleMargins = " + (perRowMargin == 1 ? "SampleMargin.Angular" : "SampleMargin.Cosine"));
        }

        if (lseOutput)
        {
            options.Add("LseOutput = true");
        }

        if (predictionOutput)
        {
            options.Add("PredictionOutput = true");
        }

        if (entropyOutput)
        {
            options.Add("EntropyOutput = true");
        }

        string condition = $"for [{shortName}] with Reduction = {reduction}{(reduction == ReductionKind.Mean ? " (the default)" : string.Empty)}"
            + string.Concat(options.Select(static o => ", " + o))
            + (gradient ? ", with a gradient" : ", without a gradient (add a trailing Span<T> gradient for one)")
            + (manyRowsOnly ? " (these options need the many-rows form)" : string.Empty);
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", new SignatureShape(oneRow, true, manyRows, !none, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<CrossEntropyModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new CrossEntropyModel(
            hierarchy,
            signature,
            reduction,
            ignoreIndex,
            smoothing,
            zLoss,
            softcap,
            common.Width,
            common.Unroll,
            common.Targets | CommonOptions.ScalarTarget,
            kind,
            parameter1,
            parameter2,
            kind switch
            {
                TargetLossKind.MarginSoftmax => new MarginOptions(scale, m1, m2, m3, perRowMargin),
                TargetLossKind.InfoNce => new MarginOptions(1.0 / temperature, 1, 0, 0, 0),
                _ => null,
            },
            decoupled ? positives : 0);
        return new KernelResult<CrossEntropyModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>The largest P of [InfoNceLoss(Decoupled = true)]: the rows loop sorts a row's positives in a stack buffer of P ints.</summary>
    public const int MaxPositives = 1024;

    private static bool IsInt(ITypeSymbol type) => type.SpecialType == SpecialType.System_Int32;
}
