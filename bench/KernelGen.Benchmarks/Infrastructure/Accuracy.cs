using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// Worst error of an output against the double-precision reference, in the units of
/// testing.md §4: a softmax output's relative error divided by 2^-24·(1 + |x_i − max|), a
/// log-softmax output's absolute error divided by 2^-24·(1 + |y_i|); and in those of accuracy.md
/// "Normalizations": a LayerNorm output's absolute error divided by 2^-24·(|γ_i|·(1 + |x̂_i|) + |β_i|),
/// an RmsNorm output's relative error divided by 2^-24 (both at least 2^-149 absolute); and in those of
/// LossTests for cross-entropy: the mean loss's absolute error divided by 2^-24·max(1, max|z|), a gradient
/// element's absolute error divided by 2^-24·scale (scale = 1/rows that count).
/// </summary>
public static class Accuracy
{
    /// <summary>The unit roundoff of float, 2^-24.</summary>
    public const double Epsilon = 1.0 / 16777216.0;

    /// <summary>The smallest normal float, 2^-126: relative errors are taken against at least this.</summary>
    public static readonly double MinNormal = Math.ScaleB(1.0, -126);

    /// <summary>The smallest float, 2^-149: the normalizations' errors are measured in at least this unit.</summary>
    public static readonly double MinFloat = Math.ScaleB(1.0, -149);

    private static readonly ConcurrentDictionary<RowShape, RowReference[]> References = new();

    private static readonly ConcurrentDictionary<(Operation Operation, RowShape Shape), NormReference[]> NormReferences = new();

    /// <summary>A row's maximum and Σ exp(x − max), in double with a compensated (Neumaier) sum.</summary>
    /// <param name="Maximum">The row maximum.</param>
    /// <param name="Sum">Σ_j exp(x_j − max).</param>
    public readonly record struct RowReference(double Maximum, double Sum);

    /// <summary>A row's normalization: x̂ = (x − <paramref name="Mean"/>)·<paramref name="InverseDeviation"/>.</summary>
    /// <param name="Mean">LayerNorm: the row mean μ; RmsNorm: 0.</param>
    /// <param name="InverseDeviation">LayerNorm: 1/sqrt(σ² + ε); RmsNorm: 1/sqrt(mean(x²) + ε).</param>
    public readonly record struct NormReference(double Mean, double InverseDeviation);

    /// <summary>
    /// The worst error of <paramref name="output"/> over the cached input of <paramref name="shape"/>,
    /// in units; +∞ when an output is NaN or infinite where the reference is finite. The
    /// normalizations also take their weight row γ and (LayerNorm) bias row β; the fused residual ones their
    /// residual rows r as <paramref name="second"/> (the reference normalizes h = x + r, rounded to float as the
    /// kernel's h is); the masked softmax its mask row (the reference is the softmax of z = fl(fl(0.125·x) + mask),
    /// in the softmax's units of z).
    /// </summary>
    /// <summary>
    /// The margin softmax (ArcFace, s = 64, m = 0.5) against its generated double Reference: the loss in units of
    /// ε·(4s + |ℓ|), the gradient in units of ε·(scale·5s·max(1, 4s)/4), as MarginLossTests (docs/accuracy.md).
    /// </summary>
    public static (double Loss, double Gradient) MarginSoftmaxWorstUnits(float[] cosines, int[] targets, float loss, float[] gradient)
    {
        const double s = Kernels.BenchKernels.ArcFaceScale, u = 1.0 / (1 << 24);
        float[] reference = new float[gradient.Length];
        double expected = Kernels.BenchKernels.ArcFaceMeanGradientPaths.Reference(cosines, targets, reference);
        double scale = 1.0 / CrossEntropyTargets.Counted(targets);
        double lossUnits = Math.Abs(loss - expected) / (u * ((4 * s) + Math.Abs(expected)));
        double gradientUnit = u * scale * 5 * s * 4 * s / 4, gradientUnits = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            double error = Math.Abs(gradient[i] - (double)reference[i]) / gradientUnit;
            gradientUnits = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(gradientUnits, error);
        }

        return (double.IsNaN(lossUnits) ? double.PositiveInfinity : lossUnits, gradientUnits);
    }

    /// <summary>
    /// Decoupled InfoNCE against its generated Reference, in the units of docs/accuracy.md: the loss in u·(4s + |ℓ|), the
    /// gradient in u·scale·s·4s (s = 1/τ, scale = 1/(rows with a positive)).
    /// </summary>
    public static (double Loss, double Gradient) InfoNceDecoupledWorstUnits(float[] similarities, int[] positives, float loss, float[] gradient)
    {
        const double s = 1 / Kernels.BenchKernels.InfoNceTemperature, u = 1.0 / (1 << 24);
        const int p = Kernels.BenchKernels.InfoNcePositives;
        float[] reference = new float[gradient.Length];
        double expected = Kernels.BenchKernels.InfoNceDecoupledMeanGradientPaths.Reference(similarities, positives, reference);
        int counted = 0;
        for (int row = 0; row < positives.Length / p; row++)
        {
            counted += positives.AsSpan(row * p, p).ContainsAnyExcept(CrossEntropyTargets.IgnoreIndex) ? 1 : 0;
        }

        double lossUnits = Math.Abs(loss - expected) / (u * ((4 * s) + Math.Abs(expected)));
        double gradientUnit = u * s * 4 * s / counted, gradientUnits = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            double error = Math.Abs(gradient[i] - (double)reference[i]) / gradientUnit;
            gradientUnits = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(gradientUnits, error);
        }

        return (double.IsNaN(lossUnits) ? double.PositiveInfinity : lossUnits, gradientUnits);
    }

    public static double WorstUnits(Operation operation, RowShape shape, float[] input, float[] output, float[]? weight = null, float[]? bias = null, float[]? second = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (operation == Operation.Copy)
        {
            return input.AsSpan().SequenceEqual(output) ? 0 : double.PositiveInfinity;
        }

        if (operation is Operation.LayerNorm or Operation.RmsNorm)
        {
            return NormWorstUnits(operation, shape, input, output, weight, bias);
        }

        if (operation is Operation.LayerNormResidual or Operation.RmsNormResidual)
        {
            ArgumentNullException.ThrowIfNull(second);
            float[] sum = new float[input.Length];
            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] = input[i] + second[i];
            }

            return NormWorstUnits(operation, shape, sum, output, weight, bias);
        }

        if (operation == Operation.MaskedSoftmax)
        {
            ArgumentNullException.ThrowIfNull(second);
            float[] scores = new float[input.Length];
            for (int i = 0; i < scores.Length; i++)
            {
                scores[i] = (input[i] * Kernels.BenchKernels.AttentionScale) + second[i % shape.RowLength];
            }

            // Not ReferencesOf: its cache holds the logits' references for this shape, and the scores differ.
            RowReference[] scoreReferences = Compute(shape, scores);
            double worstScore = 0;
            for (int row = 0; row < shape.Rows; row++)
            {
                int start = row * shape.RowLength;
                worstScore = Math.Max(worstScore, SoftmaxRowUnits(scores.AsSpan(start, shape.RowLength), output.AsSpan(start, shape.RowLength), scoreReferences[row]));
            }

            return worstScore;
        }

        if (operation is Operation.CrossEntropy or Operation.CrossEntropyGradient)
        {
            throw new ArgumentException("A cross-entropy result is measured by CrossEntropyWorstUnits (it needs the targets and the returned loss).", nameof(operation));
        }

        if (operation is Operation.StableMax or Operation.SigmoidNormalize)
        {
            return VariantWorstUnits(operation, shape, input, output);
        }

        if (operation == Operation.SoftmaxBackward)
        {
            return BackwardWorstUnits(shape, output);
        }

        if (operation is Operation.LogSoftmaxBackward or Operation.StableMaxBackward or Operation.SparsemaxBackward or Operation.Entmax15Backward)
        {
            return BackwardAgainstReferenceUnits(operation, shape, output);
        }

        if (operation is Operation.GumbelSoftmax or Operation.GumbelSoftmaxNoise or Operation.TopK2Softmax or Operation.TopK8Softmax
            or Operation.SoftplusNormalize or Operation.TaylorSoftmax or Operation.SphericalSoftmax)
        {
            return SamplingWorstUnits(operation, shape, input, output);
        }

        RowReference[] references = ReferencesOf(shape, input);
        double[] worst = new double[shape.Rows];
        Parallel.For(0, shape.Rows, row =>
        {
            int start = row * shape.RowLength;
            worst[row] = operation == Operation.Softmax
                ? SoftmaxRowUnits(input.AsSpan(start, shape.RowLength), output.AsSpan(start, shape.RowLength), references[row])
                : LogSoftmaxRowUnits(input.AsSpan(start, shape.RowLength), output.AsSpan(start, shape.RowLength), references[row]);
        });

        double result = 0;
        foreach (double value in worst)
        {
            result = Math.Max(result, value);
        }

        return result;
    }

    /// <summary>
    /// StableMax and sigmoid attention against their formulas in double: |y − r| / (2^-24·c·|r| + 2^-126), with c = 2 for
    /// StableMax (s and the sum each cost a rounding) and c = 1 + |x − log n| for σ (the rounding of x + b).
    /// </summary>
    private static double VariantWorstUnits(Operation operation, RowShape shape, float[] input, float[] output)
    {
        double worst = 0;
        int n = shape.RowLength;
        for (int start = 0; start < input.Length; start += n)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                double x = input[start + i];
                sum += x >= 0 ? x + 1 : 1 / (1 - x);
            }

            for (int i = 0; i < n; i++)
            {
                double x = input[start + i];
                double reference = operation == Operation.StableMax
                    ? (x >= 0 ? x + 1 : 1 / (1 - x)) / sum
                    : 1 / (1 + Math.Exp(-(x - Math.Log(n))));
                double condition = operation == Operation.StableMax ? 2 : 1 + Math.Abs(x - Math.Log(n));
                double units = Math.Abs(output[start + i] - reference) / ((Math.ScaleB(1.0, -24) * condition * Math.Abs(reference)) + MinNormal);
                if (!(units <= worst))
                {
                    worst = double.IsNaN(units) ? double.PositiveInfinity : units;
                }
            }
        }

        return worst;
    }

    /// <summary>
    /// The Gumbel-softmax, top-K gating, softplus, Taylor and spherical normalizers against their generated <c>Reference</c>
    /// (the same noise, the same selection; each Reference is checked against its formula by the runtime tests): |y − r| / (2^-24·(1 + |log r|)·|r| + 2^-126), where
    /// |log r| bounds |z − max z|, the rounding of the exponent's argument; a weight that should be 0 must be 0.
    /// </summary>
    private static double SamplingWorstUnits(Operation operation, RowShape shape, float[] input, float[] output)
    {
        var reference = new float[input.Length];
        var indices = new int[shape.Rows * 8];
        switch (operation)
        {
            case Operation.GumbelSoftmax:
                Kernels.BenchKernels.GumbelSeededPaths.Reference(input, reference, Kernels.BenchKernels.GumbelSeed, shape.RowLength);
                break;
            case Operation.GumbelSoftmaxNoise:
                Kernels.BenchKernels.GumbelNoisePaths.Reference(input, Kernels.BenchKernels.GumbelUniforms(input.Length), reference, shape.RowLength);
                break;
            case Operation.SoftplusNormalize:
                Kernels.BenchKernels.SoftplusNormalizePaths.Reference(input, reference, shape.RowLength);
                break;
            case Operation.TaylorSoftmax:
                Kernels.BenchKernels.TaylorSoftmaxPaths.Reference(input, reference, shape.RowLength);
                break;
            case Operation.SphericalSoftmax:
                Kernels.BenchKernels.SphericalSoftmaxPaths.Reference(input, reference, shape.RowLength);
                break;
            case Operation.TopK2Softmax:
                Kernels.BenchKernels.TopK2Paths.Reference(input, reference, indices.AsSpan(0, shape.Rows * 2), shape.RowLength);
                break;
            default:
                Kernels.BenchKernels.TopK8Paths.Reference(input, reference, indices, shape.RowLength);
                break;
        }

        double worst = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double r = reference[i];
            double units = r == 0
                ? (output[i] == 0 ? 0 : double.PositiveInfinity)
                : Math.Abs(output[i] - r) / ((Epsilon * (1 + Math.Abs(Math.Log(Math.Abs(r)))) * Math.Abs(r)) + MinNormal);
            if (!(units <= worst))
            {
                worst = double.IsNaN(units) ? double.PositiveInfinity : units;
            }
        }

        return worst;
    }

    /// <summary>
    /// Softmax's backward against the formula in double, dx = y(dy − s) with s = ⟨dy, y⟩ (compensated), in the units of
    /// accuracy.md "Softmax backward": |dx − r| / (2^-24·y·(|dy| + Σ|dy·y|) + 2^-126), the rounding of the dot product
    /// and of the difference, times y. y and dy are the benchmark's own (SoftmaxBackwardBenchmarks.Operands).
    /// </summary>
    private static double BackwardWorstUnits(RowShape shape, float[] output)
    {
        (float[] y, float[] dy) = SoftmaxBackwardBenchmarks.Operands(shape);
        double worst = 0;
        int n = shape.RowLength;
        for (int start = 0; start < y.Length; start += n)
        {
            var sum = default(CompensatedSum);
            double magnitude = 0;
            for (int i = start; i < start + n; i++)
            {
                sum.Add((double)y[i] * dy[i]);
                magnitude += Math.Abs((double)y[i] * dy[i]);
            }

            double s = sum.Value;
            for (int i = start; i < start + n; i++)
            {
                double reference = y[i] * (dy[i] - s);
                double units = Math.Abs(output[i] - reference) / ((Epsilon * Math.Abs(y[i]) * (Math.Abs(dy[i]) + magnitude)) + MinNormal);
                if (!(units <= worst))
                {
                    worst = double.IsNaN(units) ? double.PositiveInfinity : units;
                }
            }
        }

        return worst;
    }

    /// <summary>
    /// The other backward kernels against their generated <c>Reference</c> (checked against central finite differences
    /// of the forward by the runtime tests), row-wise: |dx − r| / (2^-24·(max_j |r_j| + Σ_j |dy_j|) + 2^-126): relative to
    /// the row's largest gradient plus the size of the row's reduction over dy (every element receives that sum's rounding
    /// times a weight of at most 1; an element-wise relative measure would blow up where the terms cancel). The first span and dy are the benchmark's own (SoftmaxBackwardBenchmarks.FirstSpan).
    /// </summary>
    private static double BackwardAgainstReferenceUnits(Operation operation, RowShape shape, float[] output)
    {
        float[] first = SoftmaxBackwardBenchmarks.FirstSpan(operation, shape);
        float[] dy = InputCache.Residuals(shape);
        float[] reference = new float[first.Length];
        switch (operation)
        {
            case Operation.LogSoftmaxBackward: Kernels.BenchKernels.LogSoftmaxBackwardPaths.Reference(first, dy, reference, shape.RowLength); break;
            case Operation.StableMaxBackward: Kernels.BenchKernels.StableMaxBackwardPaths.Reference(first, dy, reference, shape.RowLength); break;
            case Operation.SparsemaxBackward: Kernels.BenchKernels.SparsemaxBackwardPaths.Reference(first, dy, reference, shape.RowLength); break;
            default: Kernels.BenchKernels.Entmax15BackwardPaths.Reference(first, dy, reference, shape.RowLength); break;
        }

        double worst = 0;
        int n = shape.RowLength;
        for (int start = 0; start < first.Length; start += n)
        {
            double largest = 0, gradientSum = 0;
            for (int i = start; i < start + n; i++)
            {
                largest = Math.Max(largest, Math.Abs((double)reference[i]));
                gradientSum += Math.Abs((double)dy[i]);
            }

            largest += gradientSum;

            for (int i = start; i < start + n; i++)
            {
                double units = Math.Abs((double)output[i] - reference[i]) / ((Epsilon * largest) + MinNormal);
                if (!(units <= worst))
                {
                    worst = double.IsNaN(units) ? double.PositiveInfinity : units;
                }
            }
        }

        return worst;
    }

    /// <summary>The worst errors of a cross-entropy result, in units.</summary>
    /// <param name="Loss">The returned mean loss's error, in units of 2^-24·max(1, max|z|).</param>
    /// <param name="Gradient">The gradient's worst error, in units of 2^-24·scale (scale = 1/rows that count); 0 when there is no gradient.</param>
    public readonly record struct CrossEntropyUnits(double Loss, double Gradient)
    {
        /// <summary>The larger of the two.</summary>
        public double Worst => Math.Max(this.Loss, this.Gradient);
    }

    /// <summary>
    /// The worst error of a cross-entropy result over the cached logits and targets of <paramref name="shape"/>,
    /// against a double reference (the row's maximum and Σ exp(z − max) with a compensated sum; the mean
    /// of the rows' losses LSE − z_y with a compensated sum): the returned <paramref name="loss"/> in units of
    /// 2^-24·max(1, max|z|) (the logits' own rounding, as LossTests), and when <paramref name="gradient"/> is
    /// given each element of (softmax(z) − onehot(y))·scale, 0 on ignored rows, in units of 2^-24·scale with
    /// scale = 1/(rows that count). +∞ when a value is NaN or infinite where the reference is finite.
    /// </summary>
    /// <summary>
    /// The Z-loss and multi-margin rows against the kernels' generated Reference (double inside): the loss in units of
    /// 2^-24·max(1, |ℓ|), the gradient in units of 2^-24·max|g| (the largest reference element). +∞ for a NaN where the
    /// reference is finite.
    /// </summary>
    public static (double Loss, double Gradient) RowLossWorstUnits(Operation operation, float[] logits, int[] targets, float loss, float[]? gradient)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        float[] expectedGradient = new float[logits.Length];
        float expected = operation switch
        {
            Operation.SphericalZLossGradient => Kernels.BenchKernels.SphericalZLossMeanGradientPaths.Reference(logits, targets, expectedGradient),
            _ => Kernels.BenchKernels.MultiMarginLossMeanGradientPaths.Reference(logits, targets, expectedGradient),
        };
        return ReferenceUnits(expected, expectedGradient, loss, gradient);
    }

    /// <summary>
    /// [BinaryCrossEntropy] and [FocalLoss(Sigmoid = true)] against the kernels' generated Reference (double inside), in the
    /// units of <see cref="RowLossWorstUnits"/>; <paramref name="targets"/> has one per logit.
    /// </summary>
    public static (double Loss, double Gradient) BinaryLossWorstUnits(Operation operation, float[] logits, float[] targets, float loss, float[]? gradient)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        float[] expectedGradient = new float[logits.Length];
        float expected = operation == Operation.SigmoidFocalLossGradient
            ? Kernels.BenchKernels.SigmoidFocalLossMeanGradientPaths.Reference(logits, targets, expectedGradient)
            : Kernels.BenchKernels.BinaryCrossEntropyMeanGradientPaths.Reference(logits, targets, expectedGradient);
        return ReferenceUnits(expected, expectedGradient, loss, gradient);
    }

    // A loss in units of 2^-24·max(1, |expected|) and each gradient element in units of 2^-24·max|expected gradient|; +∞ for
    // a NaN or infinity where the reference is finite.
    private static (double Loss, double Gradient) ReferenceUnits(float expected, float[] expectedGradient, float loss, float[]? gradient)
    {
        const double Unit = 1.0 / (1 << 24);
        double lossUnits = float.IsFinite(expected) && !float.IsFinite(loss) ? double.PositiveInfinity : Math.Abs((double)loss - expected) / (Unit * Math.Max(1, Math.Abs(expected)));
        double gradientUnits = 0;
        if (gradient is not null)
        {
            double largest = 0;
            foreach (float g in expectedGradient)
            {
                largest = Math.Max(largest, Math.Abs(g));
            }

            for (int i = 0; i < gradient.Length; i++)
            {
                double units = float.IsFinite(expectedGradient[i]) && !float.IsFinite(gradient[i]) ? double.PositiveInfinity : Math.Abs((double)gradient[i] - expectedGradient[i]) / (Unit * largest);
                gradientUnits = Math.Max(gradientUnits, units);
            }
        }

        return (lossUnits, gradientUnits);
    }

    public static CrossEntropyUnits CrossEntropyWorstUnits(RowShape shape, float[] logits, int[] targets, float loss, float[]? gradient)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Length != shape.Rows || logits.Length != shape.Elements || (gradient is not null && gradient.Length != shape.Elements))
        {
            throw new ArgumentException($"Cross-entropy over {shape} needs {shape.Rows} targets and {shape.Elements} logits (and gradient elements).");
        }

        RowReference[] references = ReferencesOf(shape, logits);
        int n = shape.RowLength;
        int counted = CrossEntropyTargets.Counted(targets);
        double scale = 1.0 / counted;
        double[] rowLoss = new double[shape.Rows];
        double[] rowMagnitude = new double[shape.Rows];
        double[] rowGradient = new double[shape.Rows];
        Parallel.For(0, shape.Rows, row =>
        {
            ReadOnlySpan<float> z = logits.AsSpan(row * n, n);
            double magnitude = 0;
            foreach (float value in z)
            {
                magnitude = Math.Max(magnitude, Math.Abs(value));
            }

            rowMagnitude[row] = magnitude;
            int target = targets[row];
            RowReference reference = references[row];
            bool ignored = target == CrossEntropyTargets.IgnoreIndex;
            rowLoss[row] = ignored ? 0 : reference.Maximum + Math.Log(reference.Sum) - z[target];
            if (gradient is not null)
            {
                rowGradient[row] = GradientRowUnits(z, gradient.AsSpan(row * n, n), ignored ? -1 : target, reference, scale);
            }
        });

        var total = default(CompensatedSum);
        double largest = 1;
        double gradientUnits = 0;
        for (int row = 0; row < shape.Rows; row++)
        {
            total.Add(rowLoss[row]);
            largest = Math.Max(largest, rowMagnitude[row]);
            gradientUnits = Math.Max(gradientUnits, rowGradient[row]);
        }

        double expected = total.Value / counted;
        double lossUnits = Math.Abs(loss - expected) / (Epsilon * largest);
        return new CrossEntropyUnits(double.IsFinite(lossUnits) ? lossUnits : double.PositiveInfinity, gradientUnits);
    }

    /// <summary>
    /// The worst error of a [KLDivergence] result (T = <see cref="KLDivergenceBenchmarks.Temperature"/>, mean over the rows) against
    /// the generated double Reference of <c>BenchKernels.KLDivergenceMeanGradient</c>: the loss in units of 2^-24·T²·max(1, max|z|)
    /// (a log-probability is known to 2^-24·max|z|/T, the divergence is T² times their weighted difference), and each gradient
    /// element in units of 2^-24·T·max(1, max|z|)/rows. +∞ when a value is NaN or infinite where the Reference is finite.
    /// </summary>
    public static CrossEntropyUnits KLDivergenceWorstUnits(RowShape shape, float[] student, float[] teacher, float loss, float[]? gradient)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        float[] referenceGradient = new float[student.Length];
        double expected = Kernels.BenchKernels.KLDivergenceMeanGradientPaths.Reference(student, teacher, shape.RowLength, referenceGradient);
        double magnitude = 1;
        foreach (float value in student)
        {
            magnitude = Math.Max(magnitude, Math.Abs(value));
        }

        foreach (float value in teacher)
        {
            magnitude = Math.Max(magnitude, Math.Abs(value));
        }

        double t = KLDivergenceBenchmarks.Temperature;
        double lossUnits = Math.Abs(loss - expected) / (Epsilon * t * t * magnitude);
        double gradientUnits = 0;
        if (gradient is not null)
        {
            double unit = Epsilon * t * magnitude / shape.Rows;
            for (int i = 0; i < gradient.Length; i++)
            {
                double units = Math.Abs(gradient[i] - (double)referenceGradient[i]) / unit;
                gradientUnits = Math.Max(gradientUnits, double.IsFinite(units) ? units : double.PositiveInfinity);
            }
        }

        return new CrossEntropyUnits(double.IsFinite(lossUnits) ? lossUnits : double.PositiveInfinity, gradientUnits);
    }

    // One row of the gradient: scale·(exp(z_i − max)/Σ − [i = y]); all 0 on an ignored row (target −1 here).
    private static double GradientRowUnits(ReadOnlySpan<float> z, ReadOnlySpan<float> g, int target, RowReference reference, double scale)
    {
        double unit = Epsilon * scale;
        double worst = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double expected = target < 0 ? 0 : scale * ((Math.Exp(z[i] - reference.Maximum) / reference.Sum) - (i == target ? 1 : 0));
            double units = Math.Abs(g[i] - expected) / unit;
            if (!double.IsFinite(units))
            {
                return double.PositiveInfinity;
            }

            worst = Math.Max(worst, units);
        }

        return worst;
    }

    /// <summary>The per-row reference of an input (cached per shape: the input of a shape is always the same).</summary>
    public static RowReference[] ReferencesOf(RowShape shape, float[] input) =>
        References.GetOrAdd(shape, _ => Compute(shape, input));

    private static RowReference[] Compute(RowShape shape, float[] input)
    {
        var references = new RowReference[shape.Rows];
        Parallel.For(0, shape.Rows, row =>
        {
            ReadOnlySpan<float> x = input.AsSpan(row * shape.RowLength, shape.RowLength);
            double maximum = double.NegativeInfinity;
            foreach (float value in x)
            {
                maximum = Math.Max(maximum, value);
            }

            double sum = 0, compensation = 0;
            foreach (float value in x)
            {
                double term = Math.Exp(value - maximum);
                double next = sum + term;
                compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
                sum = next;
            }

            references[row] = new RowReference(maximum, sum + compensation);
        });
        return references;
    }

    private static double SoftmaxRowUnits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, RowReference reference)
    {
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double difference = x[i] - reference.Maximum;
            double expected = Math.Exp(difference) / reference.Sum;
            double relative = Math.Abs(y[i] - expected) / Math.Max(Math.Abs(expected), MinNormal);
            double units = relative / (Epsilon * (1 + Math.Abs(difference)));
            if (!double.IsFinite(units))
            {
                return double.PositiveInfinity;
            }

            worst = Math.Max(worst, units);
        }

        return worst;
    }

    private static double LogSoftmaxRowUnits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, RowReference reference)
    {
        double logSum = Math.Log(reference.Sum);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = (x[i] - reference.Maximum) - logSum;
            double units = Math.Abs(y[i] - expected) / (Epsilon * (1 + Math.Abs(expected)));
            if (!double.IsFinite(units))
            {
                return double.PositiveInfinity;
            }

            worst = Math.Max(worst, units);
        }

        return worst;
    }

    private static double NormWorstUnits(Operation operation, RowShape shape, float[] input, float[] output, float[]? weight, float[]? bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        bool layer = operation is Operation.LayerNorm or Operation.LayerNormResidual;
        if (weight.Length != shape.RowLength || (layer && bias?.Length != shape.RowLength))
        {
            throw new ArgumentException($"{operation} needs a weight{(layer ? " and a bias" : string.Empty)} row of {shape.RowLength} floats.");
        }

        NormReference[] references = NormReferences.GetOrAdd((operation, shape), key => ComputeNorm(key.Operation, key.Shape, input));
        double[] worst = new double[shape.Rows];
        Parallel.For(0, shape.Rows, row =>
        {
            int start = row * shape.RowLength;
            worst[row] = NormRowUnits(layer, input.AsSpan(start, shape.RowLength), output.AsSpan(start, shape.RowLength), weight, bias, references[row]);
        });

        double result = 0;
        foreach (double value in worst)
        {
            result = Math.Max(result, value);
        }

        return result;
    }

    // Two passes in double with compensated sums. LayerNorm: μ = Σx/n, then σ² = (Σd² − (Σd)²/n)/n with
    // d = x − μ (the corrected two-pass formula: the (Σd)² term removes what is left of μ's rounding).
    // RmsNorm: mean(x²), whose terms are exact in double (a float squared has at most 48 bits).
    private static NormReference[] ComputeNorm(Operation operation, RowShape shape, float[] input)
    {
        var references = new NormReference[shape.Rows];
        int n = shape.RowLength;
        Parallel.For(0, shape.Rows, row =>
        {
            ReadOnlySpan<float> x = input.AsSpan(row * n, n);
            if (operation is Operation.LayerNorm or Operation.LayerNormResidual)
            {
                var sum = default(CompensatedSum);
                foreach (float value in x)
                {
                    sum.Add(value);
                }

                double mean = sum.Value / n;
                var deviations = default(CompensatedSum);
                var squares = default(CompensatedSum);
                foreach (float value in x)
                {
                    double d = value - mean;
                    deviations.Add(d);
                    squares.Add(d * d);
                }

                double variance = Math.Max(squares.Value - (deviations.Value * deviations.Value / n), 0) / n;
                references[row] = new NormReference(mean, 1.0 / Math.Sqrt(variance + NormEpsilon.LayerNorm));
            }
            else
            {
                var squares = default(CompensatedSum);
                foreach (float value in x)
                {
                    squares.Add((double)value * value);
                }

                references[row] = new NormReference(0, 1.0 / Math.Sqrt((squares.Value / n) + NormEpsilon.RmsNorm));
            }
        });
        return references;
    }

    private static double NormRowUnits(bool layer, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float[] weight, float[]? bias, NormReference reference)
    {
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double normalized = (x[i] - reference.Mean) * reference.InverseDeviation;
            double gamma = weight[i];
            double beta = layer ? bias![i] : 0;
            double expected = (gamma * normalized) + beta;
            double unit = layer
                ? Epsilon * ((Math.Abs(gamma) * (1 + Math.Abs(normalized))) + Math.Abs(beta))
                : Epsilon * Math.Abs(expected);
            double units = y[i] == expected ? 0 : Math.Abs(y[i] - expected) / Math.Max(unit, MinFloat);
            if (!double.IsFinite(units))
            {
                return double.PositiveInfinity;
            }

            worst = Math.Max(worst, units);
        }

        return worst;
    }

    /// <summary>A Neumaier (compensated) sum in double.</summary>
    private struct CompensatedSum
    {
        private double sum;
        private double compensation;

        public readonly double Value => this.sum + this.compensation;

        public void Add(double term)
        {
            double next = this.sum + term;
            this.compensation += Math.Abs(this.sum) >= Math.Abs(term) ? (this.sum - next) + term : (term - next) + this.sum;
            this.sum = next;
        }
    }
}
