using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// Worst error of an output against the double-precision reference, in the units of
/// testing.md §4: a softmax output's relative error divided by 2^-24·(1 + |x_i − max|), a
/// log-softmax output's absolute error divided by 2^-24·(1 + |y_i|).
/// </summary>
public static class Accuracy
{
    /// <summary>The unit roundoff of float, 2^-24.</summary>
    public const double Epsilon = 1.0 / 16777216.0;

    /// <summary>The smallest normal float, 2^-126: relative errors are taken against at least this.</summary>
    public static readonly double MinNormal = Math.ScaleB(1.0, -126);

    private static readonly ConcurrentDictionary<RowShape, RowReference[]> References = new();

    /// <summary>A row's maximum and Σ exp(x − max), in double with a compensated (Neumaier) sum.</summary>
    /// <param name="Maximum">The row maximum.</param>
    /// <param name="Sum">Σ_j exp(x_j − max).</param>
    public readonly record struct RowReference(double Maximum, double Sum);

    /// <summary>
    /// The worst error of <paramref name="output"/> over the cached input of <paramref name="shape"/>,
    /// in units; +∞ when an output is NaN or infinite where the reference is finite.
    /// </summary>
    public static double WorstUnits(Operation operation, RowShape shape, float[] input, float[] output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (operation == Operation.Copy)
        {
            return input.AsSpan().SequenceEqual(output) ? 0 : double.PositiveInfinity;
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
}
