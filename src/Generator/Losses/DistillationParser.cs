using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Losses;

/// <summary>Reads a [KLDivergence] or [DistillationLoss] declaration into a <see cref="DistillationModel"/> (or diagnostics).</summary>
internal static class DistillationParser
{
    public static KernelResult<DistillationModel> Parse(GeneratorAttributeSyntaxContext context, DistillationKind kind, CancellationToken cancellationToken)
    {
        string shortName = kind == DistillationKind.KLDivergence ? "KLDivergence" : "DistillationLoss";
        var diagnostics = new List<DiagnosticInfo>();
        var reduction = ReductionKind.Mean;
        double temperature = 1.0, beta = 0.5, alpha = kind == DistillationKind.KLDivergence ? 1.0 : 0.5;
        bool scaleBySquare = true, jsd = false;
        int ignoreIndex = -100;
        CommonOptions common = AttributeArgumentReader.Read(context.Attributes[0], shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Reduction":
                    reduction = (ReductionKind)(int)value;
                    return reduction is ReductionKind.Mean or ReductionKind.Sum or ReductionKind.None ? null : "it is not a LossReduction value";
                case "Temperature":
                    temperature = (double)value;
                    return temperature > 0 && !double.IsInfinity(temperature) ? null : "the temperature must be finite and greater than 0";
                case "ScaleByTemperatureSquared":
                    scaleBySquare = (bool)value;
                    return null;
                case "Jsd":
                    jsd = (bool)value;
                    return null;
                case "Beta":
                    beta = (double)value;
                    return beta >= 0 && beta <= 1 ? null : "β must be in [0, 1]";
                case "Alpha" when kind == DistillationKind.DistillationLoss:
                    alpha = (double)value;
                    return alpha >= 0 && alpha <= 1 ? null : "α must be in [0, 1]";
                case "IgnoreIndex":
                    ignoreIndex = (int)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        // [KLDivergence]: T M(student, teacher[, gradient]) or T M(student, teacher, int rowLength[, gradient]); with
        // Reduction = None the many-rows form is void M(student, teacher, int rowLength, losses[, gradient]).
        // [DistillationLoss]: T M(student, teacher, int target[, gradient]) or T M(student, teacher, ReadOnlySpan<int> targets
        // [, losses][, gradient]). The gradient is optional and always last: both lengths are tried.
        bool none = reduction == ReductionKind.None;
        var oneRow = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Teacher };
        var manyRows = new List<ParameterRole> { ParameterRole.Input, ParameterRole.Teacher };
        if (kind == DistillationKind.KLDivergence)
        {
            manyRows.Add(ParameterRole.RowLength);
        }
        else
        {
            oneRow.Add(ParameterRole.Target);
            manyRows.Add(ParameterRole.Targets);
        }

        if (none)
        {
            manyRows.Add(ParameterRole.Losses);
        }

        // Which form: the third parameter decides (an int row length or the one-row form's absent/gradient span for
        // [KLDivergence]; an int target or a span of targets for [DistillationLoss]).
        bool gradient = false;
        if (context.TargetSymbol is IMethodSymbol method)
        {
            bool thirdIsInt = method.Parameters.Length > 2 && method.Parameters[2].Type.SpecialType == SpecialType.System_Int32;
            bool isOneRow = kind == DistillationKind.KLDivergence ? !thirdIsInt : thirdIsInt;
            gradient = method.Parameters.Length == (isOneRow ? oneRow.Count : manyRows.Count) + 1;
        }

        if (gradient)
        {
            oneRow.Add(ParameterRole.Gradient);
            manyRows.Add(ParameterRole.Gradient);
        }

        string condition = $"for [{shortName}] with Reduction = {reduction}{(reduction == ReductionKind.Mean ? " (the default)" : string.Empty)}"
            + (gradient ? ", with a gradient" : ", without a gradient (add a trailing Span<T> gradient for one)");
        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(
            context, "KernelGen." + shortName + "Attribute", new SignatureShape(oneRow, true, manyRows, !none, condition), diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<DistillationModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        // LigerJSD's ends: β = 0 is the forward KL(q ‖ p), β = 1 the reverse KL(p ‖ q).
        DivergenceKind divergence = !jsd || beta == 0 ? DivergenceKind.Forward : beta == 1 ? DivergenceKind.Reverse : DivergenceKind.JensenShannon;
        var model = new DistillationModel(
            hierarchy,
            signature,
            kind,
            divergence,
            reduction,
            temperature,
            scaleBySquare,
            divergence == DivergenceKind.JensenShannon ? beta : 0.5,
            alpha,
            kind == DistillationKind.DistillationLoss ? ignoreIndex : -100,
            common.Width,
            common.Unroll,
            common.Targets | CommonOptions.ScalarTarget);
        return new KernelResult<DistillationModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }
}
