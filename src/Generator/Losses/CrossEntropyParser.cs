using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Losses;

/// <summary>Reads a [CrossEntropy] declaration into a <see cref="CrossEntropyModel"/> (or diagnostics).</summary>
internal static class CrossEntropyParser
{
    public static KernelResult<CrossEntropyModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        const string ShortName = "CrossEntropy";
        var diagnostics = new List<DiagnosticInfo>();
        AttributeData attribute = context.Attributes[0];
        var reduction = ReductionKind.Mean;
        int ignoreIndex = -100;
        double smoothing = 0, zLoss = 0;
        CommonOptions common = AttributeArgumentReader.Read(attribute, ShortName, diagnostics, (name, value) =>
        {
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
                default:
                    return null;
            }
        }, cancellationToken);

        // One row: T M(logits, int target[, gradient]). Many rows: T M(logits, targets[, gradient]), or with
        // Reduction = None void M(logits, targets, losses[, gradient]). The gradient is optional: both lengths are tried.
        bool none = reduction == ReductionKind.None;
        var oneRow = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Target };
        var manyRows = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Targets };
        if (none)
        {
            manyRows.Add(ParameterRole.Losses);
        }

        bool gradient = context.TargetSymbol is IMethodSymbol method
            && method.Parameters.Length == (method.Parameters.Length > 1 && IsInt(method.Parameters[1].Type) ? oneRow.Count : manyRows.Count) + 1;
        if (gradient)
        {
            oneRow.Add(ParameterRole.Gradient);
            manyRows.Add(ParameterRole.Gradient);
        }

        string condition = $"for [CrossEntropy] with Reduction = {reduction}{(reduction == ReductionKind.Mean ? " (the default)" : string.Empty)}"
            + (gradient ? ", with a gradient" : ", without a gradient (add a trailing Span<T> gradient for one)");
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen.CrossEntropyAttribute", new SignatureShape(oneRow, true, manyRows, !none, condition), diagnostics, cancellationToken);
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
            common.Width,
            common.Unroll,
            common.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<CrossEntropyModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static bool IsInt(ITypeSymbol type) => type.SpecialType == SpecialType.System_Int32;
}
