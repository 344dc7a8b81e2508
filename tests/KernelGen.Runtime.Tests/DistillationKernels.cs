// The distillation kernels under test ([KLDivergence], [DistillationLoss]): each shape, reduction and divergence,
// float and double, with and without the T² factor; DistillationTests finds them by reflection.
using System;

namespace KernelGen.Tests;

/// <summary>KL, JSD and distillation kernels; <see cref="DistillationCatalog"/> finds them by reflection.</summary>
public static partial class DistillationKernels
{
    [KLDivergence]
    public static partial float KLF(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher);

    [KLDivergence(Temperature = 2)]
    public static partial float KLT2GradF(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, Span<float> gradient);

    [KLDivergence(Temperature = 4)]
    public static partial float KLT4MeanGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient);

    [KLDivergence(Temperature = 2)]
    public static partial double KLT2MeanGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> gradient);

    [KLDivergence(Temperature = 2, Reduction = LossReduction.Sum, Unroll = 3)]
    public static partial double KLT2SumGradDU3Rows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> gradient);

    [KLDivergence(Reduction = LossReduction.None)]
    public static partial void KLNoneGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> losses, Span<float> gradient);

    [KLDivergence(Temperature = 3, ScaleByTemperatureSquared = false)]
    public static partial double KLT3NoSquareGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> gradient);

    [KLDivergence(Temperature = 0.5, Width = 19)]
    public static partial float KLT05Width19GradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient);

    [KLDivergence(Temperature = 1000)]
    public static partial double KLT1000GradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> gradient);

    [KLDivergence(Jsd = true, Temperature = 2)]
    public static partial float JsdT2MeanGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient);

    [KLDivergence(Jsd = true, Beta = 0.3)]
    public static partial double JsdBeta03MeanGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> gradient);

    [KLDivergence(Jsd = true, Reduction = LossReduction.None)]
    public static partial void JsdNoneDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> losses);

    [KLDivergence(Jsd = true, Beta = 0, Temperature = 2)]
    public static partial double JsdBeta0GradD(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, Span<double> gradient);

    [KLDivergence(Temperature = 2)]
    public static partial double KLT2GradD(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, Span<double> gradient);

    [KLDivergence(Jsd = true, Beta = 1, Temperature = 1.5)]
    public static partial float ReverseT15MeanGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int rowLength, Span<float> gradient);

    [KLDivergence(Jsd = true, Beta = 1, Reduction = LossReduction.Sum)]
    public static partial double ReverseSumGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int rowLength, Span<double> gradient);

    [DistillationLoss(Temperature = 2)]
    public static partial float DistillT2F(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, int target);

    [DistillationLoss(Alpha = 0.25)]
    public static partial double DistillGradD(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, int target, Span<double> gradient);

    [DistillationLoss(Temperature = 4, Alpha = 0.7)]
    public static partial float DistillT4MeanGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, ReadOnlySpan<int> targets, Span<float> gradient);

    [DistillationLoss(Temperature = 2)]
    public static partial double DistillT2MeanGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, ReadOnlySpan<int> targets, Span<double> gradient);

    [DistillationLoss(Reduction = LossReduction.Sum)]
    public static partial double DistillSumGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, ReadOnlySpan<int> targets, Span<double> gradient);

    [DistillationLoss(Temperature = 2, Reduction = LossReduction.None, IgnoreIndex = -1)]
    public static partial void DistillT2NoneGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, ReadOnlySpan<int> targets, Span<float> losses, Span<float> gradient);

    [DistillationLoss(Jsd = true, Temperature = 2)]
    public static partial double DistillJsdT2MeanGradDRows(ReadOnlySpan<double> student, ReadOnlySpan<double> teacher, ReadOnlySpan<int> targets, Span<double> gradient);

    [DistillationLoss(Jsd = true, Beta = 1, Alpha = 0.6)]
    public static partial float DistillReverseMeanGradFRows(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, ReadOnlySpan<int> targets, Span<float> gradient);
}
