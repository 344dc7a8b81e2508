using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Softmax;

/// <summary>Reads a [Softmax] or [LogSoftmax] declaration into a <see cref="SoftmaxModel"/> (or diagnostics).</summary>
internal static class SoftmaxParser
{
    public static KernelResult<SoftmaxModel> Parse(GeneratorAttributeSyntaxContext context, SoftmaxKind kind, CancellationToken cancellationToken)
    {
        string attributeName = kind == SoftmaxKind.Softmax ? "KernelGen.SoftmaxAttribute" : "KernelGen.LogSoftmaxAttribute";
        var diagnostics = new List<DiagnosticInfo>();

        // The options come first: the attention options decide which parameters the signature takes.
        AttributeData attribute = context.Attributes[0];
        string shortName = kind == SoftmaxKind.Softmax ? "Softmax" : "LogSoftmax";
        int algorithm = 0, causalOffset = 0, heads = 0;
        double temperature = 1.0, scale = 1.0, softcap = 0, maxBias = 0;
        bool mask = false, sink = false, maskedRowsAreZero = false, causal = false, backward = false;
        CommonOptions options = AttributeArgumentReader.Read(attribute, shortName, diagnostics, (name, value) =>
        {
            switch (name)
            {
                case "Algorithm":
                    algorithm = (int)value;
                    return algorithm is < 0 or > 4 ? "it is not a SoftmaxAlgorithm value" : null;
                case "Temperature":
                    temperature = (double)value;
                    return temperature > 0 && !double.IsInfinity(temperature) ? null : "the temperature must be finite and greater than 0";
                case "Scale":
                    scale = (double)value;
                    return scale > 0 && !double.IsInfinity(scale) ? null : "the scale must be finite and greater than 0";
                case "Softcap":
                    softcap = (double)value;
                    return softcap >= 0 && !double.IsInfinity(softcap) ? null : "the cap must be finite and at least 0 (0: no cap)";
                case "MaxBias":
                    maxBias = (double)value;
                    return maxBias >= 0 && !double.IsInfinity(maxBias) ? null : "the maximum bias must be finite and at least 0 (0: no ALiBi)";
                case "Heads":
                    heads = (int)value;
                    return heads >= 0 ? null : "the number of heads must be positive (or 0 without ALiBi)";
                case "CausalOffset":
                    causalOffset = (int)value;
                    return null;
                case "Mask":
                    mask = (bool)value;
                    return null;
                case "Sink":
                    sink = (bool)value;
                    return null;
                case "MaskedRowsAreZero":
                    maskedRowsAreZero = (bool)value;
                    return null;
                case "Causal":
                    causal = (bool)value;
                    return null;
                case "Backward":
                    backward = (bool)value;
                    return null;
                default:
                    return null;
            }
        }, cancellationToken);

        var attention = new AttentionOptions(scale, softcap, mask, sink, maskedRowsAreZero, causal, causalOffset, maxBias, heads);
        void Conflict(string name, object value, string reason) => diagnostics.Add(DiagnosticInfo.Create(
            KernelDiagnostics.InvalidAttributeArgument,
            AttributeArgumentReader.ArgumentLocation(attribute, name, 0, cancellationToken),
            name,
            AttributeArgumentReader.Format(value),
            shortName,
            reason));
        if (maxBias > 0 && !mask)
        {
            Conflict("MaxBias", maxBias, "ALiBi multiplies the mask by the head's slope (as ggml's soft_max_ext): declare Mask = true and put the position bias in the mask");
        }

        if (maxBias > 0 && heads == 0)
        {
            Conflict("MaxBias", maxBias, "the ALiBi slopes depend on the number of heads: set Heads");
        }

        if (heads > 0 && !(maxBias > 0))
        {
            Conflict("Heads", heads, "the number of heads only sets the ALiBi slopes: set MaxBias too, or leave Heads out");
        }

        if (causalOffset != 0 && !causal)
        {
            Conflict("CausalOffset", causalOffset, "the offset moves the causal diagonal: set Causal = true too, or leave it out");
        }

        if (causal && options.Width != 0)
        {
            Conflict("Causal", true, "causal rows see a different number of columns each, which a fixed Width cannot keep in registers: leave Width out");
        }

        if (backward && (attention.TransformsLogits || maskedRowsAreZero))
        {
            Conflict("Backward", true, "the backward kernel supports Scale and Temperature (a factor of the gradient) but not Mask, Sink, Softcap, Causal, MaxBias or MaskedRowsAreZero: take the gradient of the probabilities with these options off (a mask's −∞ columns have y = 0 and get dx = 0)");
        }

        if (options.Parallel && backward)
        {
            Conflict("Parallel", true, "the backward kernels run on one thread: leave Parallel out");
        }
        else if (options.Parallel && (attention.TransformsLogits || attention.HasAlibi))
        {
            Conflict("Parallel", true, "the parallel rows cover the plain softmax (with Scale, Temperature and MaskedRowsAreZero), not Mask, Sink, Softcap, Causal or MaxBias yet: leave Parallel out");
        }

        // The parameters in a fixed order, the options deciding which are there: the input, the mask, the sink,
        // the output; for many rows the row length, then the rows per head (causal masking and ALiBi need the
        // query and the head of a row, which only the many-rows shape has).
        var spans = new List<ParameterRole> { ParameterRole.Input };
        var named = new List<string>();
        if (mask)
        {
            spans.Add(ParameterRole.Mask);
            named.Add("Mask = true");
        }

        if (sink)
        {
            spans.Add(ParameterRole.Sink);
            named.Add("Sink = true");
        }

        spans.Add(ParameterRole.Output);
        SignatureShape shape;
        if (backward)
        {
            // The backward kernel takes the forward's output y (in the input's place), dy, and writes dx.
            shape = new SignatureShape(
                new[] { ParameterRole.Input, ParameterRole.OutputGradient, ParameterRole.InputGradient },
                $"for [{shortName}] with Backward = true (the first span is the forward's output y)");
        }
        else if (attention.NeedsRowsPerHead)
        {
            named.Add(causal ? "Causal = true" : "MaxBias > 0");
            var many = new List<ParameterRole>(spans) { ParameterRole.RowLength, ParameterRole.RowsPerHead };
            shape = new SignatureShape(null, false, many, false, $"for [{shortName}] with {string.Join(" and ", named)}");
        }
        else
        {
            shape = named.Count == 0 ? KernelDeclarationParser.InputOutput : new SignatureShape(spans, $"for [{shortName}] with {string.Join(" and ", named)}");
        }

        (HierarchyInfo? hierarchy, KernelSignature? signature) = KernelDeclarationParser.Parse(context, attributeName, shape, diagnostics, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        if (options.Parallel && signature is { Shape: KernelShape.OneRow })
        {
            Conflict("Parallel", true, "Parallel splits the rows of the many-rows form: add the 'int rowLength' parameter, or leave Parallel out");
        }

        // The factors the emitter bakes into constants of the element type must stay finite there.
        if (signature is not null && temperature > 0 && !double.IsInfinity(temperature) && scale > 0 && !double.IsInfinity(scale) && softcap >= 0 && !double.IsInfinity(softcap))
        {
            if (attention.TransformsLogits)
            {
                if (FactorRangeError(scale / temperature, signature.Element, "s/T") is { } error)
                {
                    Conflict(scale != 1.0 ? "Scale" : "Temperature", scale != 1.0 ? scale : temperature, error);
                }
                else if (softcap != 0 && (FactorRangeError(scale / (temperature * softcap), signature.Element, "s/(T·c)") ?? FactorRangeError(softcap, signature.Element, "c")) is { } capError)
                {
                    Conflict("Softcap", softcap, capError);
                }
            }
            else if (TemperatureRangeError(temperature / scale, signature.Element) is { } error)
            {
                Conflict(scale != 1.0 ? "Scale" : "Temperature", scale != 1.0 ? scale : temperature, scale != 1.0 ? "T/s is out of range: " + error : error);
            }
        }

        if (hierarchy is null || signature is null || diagnostics.Count != 0)
        {
            return new KernelResult<SoftmaxModel>(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var model = new SoftmaxModel(
            hierarchy,
            signature,
            kind,
            (SoftmaxAlgorithmKind)algorithm,
            temperature,
            options.Width,
            options.Unroll,
            options.Targets | CommonOptions.ScalarTarget,
            attention,
            backward,
            options.Parallel);
        return new KernelResult<SoftmaxModel>(model, EquatableArray<DiagnosticInfo>.Empty);
    }

    // A factor baked into a constant of the element type: it must be a finite, non-zero value there.
    private static string? FactorRangeError(double factor, ElementType element, string what)
    {
        double rounded = element == ElementType.Float ? (float)factor : factor;
        return rounded > 0 && !double.IsInfinity(rounded)
            ? null
            : $"{what} = {factor.ToString("G3", CultureInfo.InvariantCulture)} is not a finite, non-zero {(element == ElementType.Float ? "float" : "double")}";
    }

    // The emitter bakes 1/T into constants of the element type, and for double also the rounding error of
    // 1/T, found with Dekker's split (a multiplication by 2^27 + 1 of T and of 1/T): all must stay finite,
    // or the generated code would hold 'Infinity' or 'NaN' literals that do not compile.
    private static string? TemperatureRangeError(double temperature, ElementType element)
    {
        const double DekkerSplitter = 134217729.0;
        double inverse = 1.0 / temperature;
        if (element == ElementType.Float)
        {
            return float.IsInfinity((float)inverse)
                ? "1/T overflows float: a float kernel's temperature must be at least " + (1.0 / float.MaxValue).ToString("G2", CultureInfo.InvariantCulture)
                : null;
        }

        return System.Math.Max(temperature, inverse) > double.MaxValue / DekkerSplitter
            ? "a double kernel's temperature must lie between " + (DekkerSplitter / double.MaxValue).ToString("G2", CultureInfo.InvariantCulture)
                + " and " + (double.MaxValue / DekkerSplitter).ToString("G2", CultureInfo.InvariantCulture)
            : null;
    }
}
