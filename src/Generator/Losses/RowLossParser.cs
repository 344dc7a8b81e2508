using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Losses;

/// <summary>Reads a [SphericalZLoss] or [MultiMarginLoss] declaration into a <see cref="RowLossModel"/> (or diagnostics).</summary>
internal static class RowLossParser
{
    /// <summary>Parses a [SphericalZLoss] (<paramref name="multiMargin"/> false) or [MultiMarginLoss] kernel.</summary>
    public static KernelResult<RowLossModel> Parse(GeneratorAttributeSyntaxContext context, bool multiMargin, CancellationToken cancellationToken)
    {
        string shortName = multiMargin ? "MultiMarginLoss" : "SphericalZLoss";
        var diagnostics = new List<DiagnosticInfo>();
        AttributeData attribute = context.Attributes[0];
        var reduction = ReductionKind.Mean;
        int ignoreIndex = -100;
        bool crammerSinger = false, squared = false, classWeights = false;

        // The defaults of the attributes: a = 0.1, b = 10; m = 1.
        double parameter1 = multiMargin ? 1 : 0.1, parameter2 = multiMargin ? 0 : 10;
        CommonOptions common = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch ((multiMargin, name))
            {
                case (_, "Reduction"):
                    reduction = (ReductionKind)(int)value;
                    return reduction is ReductionKind.Mean or ReductionKind.Sum or ReductionKind.None ? null : "it is not a LossReduction value";
                case (_, "IgnoreIndex"):
                    ignoreIndex = (int)value;
                    return null;
                case (false, "A"):
                    parameter1 = (double)value;
                    return parameter1 > 0 && !double.IsInfinity(parameter1) ? null : "a must be finite and greater than 0";
                case (false, "B"):
                    parameter2 = (double)value;
                    return !double.IsNaN(parameter2) && !double.IsInfinity(parameter2) ? null : "b must be finite";
                case (true, "Margin"):
                    parameter1 = (double)value;
                    return !double.IsNaN(parameter1) && !double.IsInfinity(parameter1) ? null : "the margin must be finite";
                case (true, "Form"):
                    int form = (int)value;
                    crammerSinger = form == 1;
                    return form is 0 or 1 ? null : "it is not a MultiMarginForm value";
                case (true, "Squared"):
                    squared = (bool)value;
                    return null;
                case (true, "ClassWeights"):
                    classWeights = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        // One row: T M(logits, int target[, classWeights][, gradient]). Many rows: T M(logits, targets[, classWeights]
        // [, gradient]), or with Reduction = None void M(logits, targets[, classWeights], losses[, gradient]). The gradient
        // is optional and always last: both lengths are tried.
        bool none = reduction == ReductionKind.None;
        var oneRow = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Target };
        var manyRows = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Targets };
        if (classWeights)
        {
            oneRow.Add(ParameterRole.ClassWeights);
            manyRows.Add(ParameterRole.ClassWeights);
        }

        if (none)
        {
            manyRows.Add(ParameterRole.Losses);
        }

        bool gradient = context.TargetSymbol is IMethodSymbol method
            && method.Parameters.Length == (method.Parameters.Length > 1 && method.Parameters[1].Type.SpecialType == SpecialType.System_Int32 ? oneRow.Count : manyRows.Count) + 1;
        if (gradient)
        {
            oneRow.Add(ParameterRole.Gradient);
            manyRows.Add(ParameterRole.Gradient);
        }

        string condition = $"for [{shortName}] with Reduction = {reduction}{(reduction == ReductionKind.Mean ? " (the default)" : string.Empty)}"
            + (classWeights ? ", ClassWeights = true" : string.Empty)
            + (gradient ? ", with a gradient" : ", without a gradient (add a trailing Span<T> gradient for one)");
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", new SignatureShape(oneRow, true, manyRows, !none, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<RowLossModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        RowLossKind kind = !multiMargin ? RowLossKind.SphericalZ : crammerSinger ? RowLossKind.CrammerSinger : RowLossKind.WestonWatkins;
        var model = new RowLossModel(
            hierarchy,
            signature,
            kind,
            reduction,
            ignoreIndex,
            parameter1,
            parameter2,
            squared,
            common.Width,
            common.Unroll,
            common.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<RowLossModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
