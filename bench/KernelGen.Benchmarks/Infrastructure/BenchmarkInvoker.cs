using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>
/// Runs one benchmark method once, in this process, the way BenchmarkDotNet would (parameters set,
/// the matching [GlobalSetup] and [GlobalCleanup] called), and measures the output's worst error.
/// The accuracy column and <c>--check</c> both use it, so what is checked is what is timed.
/// </summary>
public static class BenchmarkInvoker
{
    /// <summary>The outcome of one run.</summary>
    /// <param name="WorstUnits">The worst error in units (0 and exact for the copy).</param>
    /// <param name="InputModified">Whether the method wrote to its input (or to a normalization's weight or bias row, or a loss's targets).</param>
    /// <param name="Detail">What the worst error is made of, when it combines several results (cross-entropy: the loss's and the gradient's), or null.</param>
    public readonly record struct Outcome(double WorstUnits, bool InputModified, string? Detail = null);

    /// <summary>Every benchmark method of a benchmark class, in declaration order, base class methods last.</summary>
    public static IEnumerable<MethodInfo> BenchmarkMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .OrderBy(method => Depth(method.DeclaringType!))
            .ThenBy(method => method.MetadataToken);

    /// <summary>Every concrete benchmark class in this assembly.</summary>
    public static IEnumerable<Type> BenchmarkTypes() =>
        typeof(RowBenchmark).Assembly.GetTypes()
            .Where(type => !type.IsAbstract && typeof(RowBenchmark).IsAssignableFrom(type))
            .OrderBy(type => type.Name, StringComparer.Ordinal);

    /// <summary>Runs <paramref name="method"/> of <paramref name="type"/> once with these parameter values. A method with
    /// neither [KernelBenchmark] nor [PeerBenchmark] (a floor of a <c>--ratios</c> ceiling row) is run and its input checked,
    /// with a worst error of 0.</summary>
    public static Outcome Run(Type type, MethodInfo method, IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(parameters);
        BenchmarkMethodInfo? info = BenchmarkMethodInfo.Of(method);
        RowBenchmark benchmark = CreateAndSetUp(type, method, parameters);
        try
        {
            ArraySegment<float> output = benchmark.Output;
            float[]? weight = (benchmark as NormBenchmark)?.Weight.ToArray();
            float[]? bias = (benchmark as NormBenchmark)?.Bias.ToArray();
            int[]? targets = (benchmark as LossBenchmark)?.Targets.ToArray();

            // NaN everywhere first, so an output the method fails to write shows as an error.
            output.AsSpan().Fill(float.NaN);
            ulong before = Fingerprint(benchmark.Input.ToArray(), weight, bias) ^ Fingerprint(targets);
            object? returned = method.Invoke(benchmark, null);
            float[] input = benchmark.Input.ToArray();
            bool modified = (Fingerprint(input, (benchmark as NormBenchmark)?.Weight.ToArray(), (benchmark as NormBenchmark)?.Bias.ToArray())
                ^ Fingerprint((benchmark as LossBenchmark)?.Targets.ToArray())) != before;
            if (info is null)
            {
                // A floor (SoftmaxTwoPassFloor, CrossEntropyFloor): it writes one row of the output, so there is no batch
                // result to measure; it ran, and it left its input alone.
                return new Outcome(0, modified, "a floor: ran once, no accuracy of its own");
            }

            if (info.Operation is Operation.CrossEntropy or Operation.CrossEntropyGradient)
            {
                // The loss is the method's return value; the gradient (if any) is the output.
                float loss = returned as float? ?? throw new InvalidOperationException($"{type.Name}.{method.Name} must return the loss as a float.");
                Accuracy.CrossEntropyUnits units = Accuracy.CrossEntropyWorstUnits(
                    benchmark.RowShape, input, targets!, loss, info.Operation == Operation.CrossEntropyGradient ? output.ToArray() : null);
                string detail = info.Operation == Operation.CrossEntropyGradient
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {units.Loss:0.00}, gradient {units.Gradient:0.00}")
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {units.Loss:0.00}");
                return new Outcome(units.Worst, modified, detail);
            }

            if (info.Operation == Operation.MarginSoftmaxGradient)
            {
                float loss = returned as float? ?? throw new InvalidOperationException($"{type.Name}.{method.Name} must return the loss as a float.");
                (double lossUnits, double gradientUnits) = Accuracy.MarginSoftmaxWorstUnits(input, targets!, loss, output.ToArray());
                string detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {lossUnits:0.00}, gradient {gradientUnits:0.00}");
                return new Outcome(Math.Max(lossUnits, gradientUnits), modified, detail);
            }

            if (info.Operation == Operation.InfoNceDecoupledGradient)
            {
                float loss = returned as float? ?? throw new InvalidOperationException($"{type.Name}.{method.Name} must return the loss as a float.");
                int[] positives = ((MarginSoftmaxBenchmarks)benchmark).Positives;
                (double lossUnits, double gradientUnits) = Accuracy.InfoNceDecoupledWorstUnits(input, positives, loss, output.ToArray());
                string detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {lossUnits:0.00}, gradient {gradientUnits:0.00}");
                return new Outcome(Math.Max(lossUnits, gradientUnits), modified, detail);
            }

            if (info.Operation is Operation.SphericalZLossGradient or Operation.MultiMarginLoss or Operation.MultiMarginLossGradient)
            {
                float loss = returned as float? ?? throw new InvalidOperationException($"{type.Name}.{method.Name} must return the loss as a float.");
                (double lossUnits, double gradientUnits) = Accuracy.RowLossWorstUnits(info.Operation, input, targets!, loss, info.Operation == Operation.MultiMarginLoss ? null : output.ToArray());
                string detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {lossUnits:0.00}, gradient {gradientUnits:0.00}");
                return new Outcome(Math.Max(lossUnits, gradientUnits), modified, detail);
            }

            if (info.Operation is Operation.BinaryCrossEntropy or Operation.BinaryCrossEntropyGradient or Operation.SigmoidFocalLossGradient)
            {
                // The targets are the class's second input; the gradient (if any) the output.
                float loss = returned as float? ?? throw new InvalidOperationException($"{type.Name}.{method.Name} must return the loss as a float.");
                (double lossUnits, double gradientUnits) = Accuracy.BinaryLossWorstUnits(
                    info.Operation, input, benchmark.SecondInput.ToArray(), loss, info.Operation == Operation.BinaryCrossEntropy ? null : output.ToArray());
                string detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {lossUnits:0.00}, gradient {gradientUnits:0.00}");
                return new Outcome(Math.Max(lossUnits, gradientUnits), modified, detail);
            }

            if (info.Operation is Operation.KLDivergence or Operation.KLDivergenceGradient)
            {
                // The loss is the method's return value, the teacher the class's second input, the gradient (if any) the output.
                float loss = returned as float? ?? throw new InvalidOperationException($"{type.Name}.{method.Name} must return the loss as a float.");
                Accuracy.CrossEntropyUnits units = Accuracy.KLDivergenceWorstUnits(
                    benchmark.RowShape, input, benchmark.SecondInput.ToArray(), loss, info.Operation == Operation.KLDivergenceGradient ? output.ToArray() : null);
                string detail = info.Operation == Operation.KLDivergenceGradient
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {units.Loss:0.00}, gradient {units.Gradient:0.00}")
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {units.Loss:0.00}");
                return new Outcome(units.Worst, modified, detail);
            }

            float[]? second = benchmark.SecondInput.Count != 0 ? benchmark.SecondInput.ToArray() : null;
            return new Outcome(Accuracy.WorstUnits(info.Operation, benchmark.RowShape, input, output.ToArray(), weight, bias, second), modified);
        }
        finally
        {
            Invoke(benchmark, Matching<GlobalCleanupAttribute>(type, method));
        }
    }

    /// <summary>
    /// A benchmark method ready to call repeatedly, as BenchmarkDotNet prepares it: a new instance of <paramref name="type"/>
    /// with its <c>Shape</c> set and the [GlobalSetup] that matches <paramref name="method"/> run. Dispose runs the matching
    /// [GlobalCleanup].
    /// </summary>
    public sealed class Prepared : IDisposable
    {
        private readonly object instance;
        private readonly IEnumerable<MethodInfo> cleanup;

        internal Prepared(Type type, MethodInfo method, string shape)
        {
            this.instance = CreateAndSetUp(type, method, [new(nameof(RowBenchmark.Shape), shape)]);
            this.cleanup = Matching<GlobalCleanupAttribute>(type, method);
            this.Call = method.ReturnType == typeof(void)
                ? method.CreateDelegate<Action>(this.instance)
                : method.ReturnType == typeof(float)
                    ? Wrap(method.CreateDelegate<Func<float>>(this.instance))
                    : throw new InvalidOperationException($"{type.Name}.{method.Name} returns {method.ReturnType.Name}: only void and float are timed.");
        }

        /// <summary>One call of the method (a float result is dropped).</summary>
        public Action Call { get; }

        /// <inheritdoc/>
        public void Dispose() => Invoke(this.instance, this.cleanup);

        private static Action Wrap(Func<float> call) => () => call();
    }

    /// <summary>Prepares method <paramref name="methodName"/> of <paramref name="type"/> at <paramref name="shape"/> (see <see cref="Prepared"/>).</summary>
    public static Prepared Prepare(Type type, string methodName, string shape)
    {
        ArgumentNullException.ThrowIfNull(type);
        MethodInfo method = BenchmarkMethods(type).SingleOrDefault(m => m.Name == methodName)
            ?? throw new ArgumentException($"{type.Name} has no benchmark method {methodName}.", nameof(methodName));
        return new Prepared(type, method, shape);
    }

    // A new instance with these parameter values (properties or fields), and the [GlobalSetup] that matches the method run.
    private static RowBenchmark CreateAndSetUp(Type type, MethodInfo method, IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var benchmark = (RowBenchmark)Activator.CreateInstance(type)!;
        foreach (KeyValuePair<string, object?> parameter in parameters)
        {
            PropertyInfo? property = type.GetProperty(parameter.Key, BindingFlags.Public | BindingFlags.Instance);
            if (property is not null)
            {
                property.SetValue(benchmark, parameter.Value);
            }
            else
            {
                type.GetField(parameter.Key, BindingFlags.Public | BindingFlags.Instance)?.SetValue(benchmark, parameter.Value);
            }
        }

        Invoke(benchmark, Matching<GlobalSetupAttribute>(type, method));
        return benchmark;
    }

    // BenchmarkDotNet runs the setup (cleanup) that targets the method, or else the untargeted one.
    private static IEnumerable<MethodInfo> Matching<TAttribute>(Type type, MethodInfo benchmark)
        where TAttribute : TargetedAttribute
    {
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<TAttribute>()))
            .Where(pair => pair.Attribute is not null)
            .ToList();
        var targeted = candidates.Where(pair => pair.Attribute!.Targets is { Length: > 0 } targets && targets.Contains(benchmark.Name)).ToList();
        return (targeted.Count != 0 ? targeted : candidates.Where(pair => pair.Attribute!.Targets is not { Length: > 0 }))
            .Select(pair => pair.Method);
    }

    private static void Invoke(object target, IEnumerable<MethodInfo> methods)
    {
        foreach (MethodInfo method in methods)
        {
            method.Invoke(target, null);
        }
    }

    private static int Depth(Type type)
    {
        int depth = 0;
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            depth--;
        }

        return depth;
    }

    private static ulong Fingerprint(int[]? values)
    {
        ulong hash = 14695981039346656037;
        foreach (int value in values ?? [])
        {
            hash = (hash ^ (uint)value) * 1099511628211;
        }

        return hash;
    }

    private static ulong Fingerprint(params float[]?[] arrays)
    {
        // FNV-1a over the bits: any change to the inputs changes it (with overwhelming likelihood).
        ulong hash = 14695981039346656037;
        foreach (float[]? values in arrays)
        {
            foreach (float value in values ?? [])
            {
                hash = (hash ^ BitConverter.SingleToUInt32Bits(value)) * 1099511628211;
            }
        }

        return hash;
    }
}
