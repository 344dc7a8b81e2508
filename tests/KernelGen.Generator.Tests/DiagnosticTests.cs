using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Every KGxxxx ID from a minimal source: its ID, severity, message, help link and the exact span
/// of the offending syntax (marked <c>[| |]</c> in the source), for C# 12 and the latest version.
/// </summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void KG0001_method_not_static() => AssertSingle("KG0001", """
        using System;
        using KernelGen;

        namespace Demo;

        public partial class Ops
        {
            [Softmax]
            public partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'Kernel' must be declared 'static partial' so that KernelGen can write its body");

    [Fact]
    public void KG0001_method_not_partial() => AssertSingle("KG0001", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void KG0002_block_body() => AssertSingle("KG0002", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output)
            [|{
                output.Clear();
            }|]
        }
        """, "The kernel method 'Kernel' already has a body; declare it without one and KernelGen writes it");

    [Fact]
    public void KG0002_expression_body() => AssertSingle("KG0002", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LogSoftmax]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output) [|=> output.Clear()|];
        }
        """);

    [Fact]
    public void KG0002_implementation_part_written_by_the_user() => AssertSingle("KG0002", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);

            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output) { }
        }
        """);

    [Fact]
    public void KG0003_struct() => AssertSingle("KG0003", """
        using System;
        using KernelGen;

        namespace Demo;

        public partial struct Ops
        {
            [Softmax]
            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'Kernel' is declared in struct 'Ops'; kernels must be declared in classes (not records, structs, interfaces or file-local types)");

    [Fact]
    public void KG0003_record() => AssertSingle("KG0003", """
        using System;
        using KernelGen;

        namespace Demo;

        public partial record Ops
        {
            [Softmax]
            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'Kernel' is declared in record 'Ops'; kernels must be declared in classes (not records, structs, interfaces or file-local types)");

    [Fact]
    public void KG0003_interface() => AssertSingle("KG0003", """
        using System;
        using KernelGen;

        namespace Demo;

        public partial interface IOps
        {
            [Softmax]
            static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'Kernel' is declared in interface 'IOps'; kernels must be declared in classes (not records, structs, interfaces or file-local types)");

    [Fact]
    public void KG0004_containing_class_not_partial() => AssertSingle("KG0004", """
        using System;
        using KernelGen;

        namespace Demo;

        public static class [|Ops|]
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The type 'Ops' that contains the kernel method 'Kernel' must be declared 'partial'");

    [Fact]
    public void KG0004_outer_class_not_partial() => AssertSingle("KG0004", """
        using System;
        using KernelGen;

        namespace Demo;

        public class [|Outer|]
        {
            public static partial class Ops
            {
                [Softmax]
                public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
            }
        }
        """, "The type 'Outer' that contains the kernel method 'Kernel' must be declared 'partial'");

    [Fact]
    public void KG0005_generic_method() => AssertSingle("KG0005", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel[|<T>|](ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'Kernel' cannot be generic or be declared in a generic type; declare one kernel per element type");

    [Fact]
    public void KG0005_generic_containing_type() => AssertSingle("KG0005", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops<T>
        {
            [Softmax]
            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void KG0006_wrong_output_type_points_at_the_parameter() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<float> input, [|Span<int> output|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter must be Span<float> (the same element type as the input), not 'System.Span<int>'. Expected 'void Kernel(ReadOnlySpan<T> input, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, Span<T> output, int rowLength)' with T float or double.");

    [Fact]
    public void KG0006_wrong_input_type() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel([|float[] input|], Span<float> output);
        }
        """);

    [Fact]
    public void KG0006_ref_parameter() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<float> input, [|ref Span<float> output|]);
        }
        """);

    [Fact]
    public void KG0006_row_length_not_int() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output, [|long rowLength|]);
        }
        """);

    [Fact]
    public void KG0006_return_type() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial [|float|] Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void KG0006_parameter_count_points_at_the_list() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void Kernel[|(ReadOnlySpan<float> input)|];
        }
        """, "The kernel method 'Kernel' has an unsupported signature: it has 1 parameter, not 2 or 3. Expected 'void Kernel(ReadOnlySpan<T> input, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, Span<T> output, int rowLength)' with T float or double.");

    [Fact]
    public void KG0007_second_attribute() => AssertSingle("KG0007", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            [[|LogSoftmax(Unroll = 2)|]]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'Kernel' carries several kernel attributes ([Softmax], [LogSoftmax]); keep exactly one");

    [Fact]
    public void KG0007_reported_once_when_both_partial_parts_carry_an_attribute() => AssertSingle("KG0007", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LogSoftmax]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);

            [[|Softmax|]]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output) { }
        }
        """, "The kernel method 'Kernel' carries several kernel attributes ([LogSoftmax], [Softmax]); keep exactly one");

    [Theory]
    [InlineData("Algorithm = SoftmaxAlgorithm.TwoPass, [|Unroll = 9|]", "Unroll = 9 is not valid for [Softmax]: the unroll must be 0 (the generator's choice) or 1 to 8 vectors")]
    [InlineData("[|Unroll = -1|], Width = 8", "Unroll = -1 is not valid for [Softmax]: the unroll must be 0 (the generator's choice) or 1 to 8 vectors")]
    [InlineData("Unroll = 2, [|Width = -1|]", "Width = -1 is not valid for [Softmax]: the width must be 0 (any row length) or a positive row length")]
    [InlineData("[|Temperature = 0|]", "Temperature = 0 is not valid for [Softmax]: the temperature must be finite and greater than 0")]
    [InlineData("[|Temperature = double.NaN|]", "Temperature = NaN is not valid for [Softmax]: the temperature must be finite and greater than 0")]
    [InlineData("[|Temperature = -double.PositiveInfinity|]", "Temperature = -Infinity is not valid for [Softmax]: the temperature must be finite and greater than 0")]
    [InlineData("[|Temperature = 1e-39|]", "Temperature = 1E-39 is not valid for [Softmax]: 1/T overflows float: a float kernel's temperature must be at least 2.9E-39")]
    [InlineData("[|Targets = 0|]", "Targets = 0 is not valid for [Softmax]: name at least one target (Scalar is always emitted, but an empty set is a mistake)")]
    [InlineData("[|Targets = (KernelTargets)64|]", "Targets = 64 is not valid for [Softmax]: it contains bits that are not KernelTargets values")]
    [InlineData("[|Algorithm = (SoftmaxAlgorithm)42|], Targets = KernelTargets.Avx2", "Algorithm = 42 is not valid for [Softmax]: it is not a SoftmaxAlgorithm value")]
    [InlineData("Algorithm = SoftmaxAlgorithm.TwoPass, [|Algorithm = (SoftmaxAlgorithm)42|]", "Algorithm = 42 is not valid for [Softmax]: it is not a SoftmaxAlgorithm value")]
    public void KG0008_points_at_the_attribute_argument(string arguments, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax({{arguments}})]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """, message);

    [Fact]
    public void KG0008_double_temperature_range() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LogSoftmax([|Temperature = 1e301|])]
            public static partial void Kernel(ReadOnlySpan<double> input, Span<double> output);
        }
        """, "Temperature = 1E+301 is not valid for [LogSoftmax]: a double kernel's temperature must lie between 7.5E-301 and 1.3E+300");

    [Theory]
    [InlineData("LayerNorm", "[|Epsilon = -1e-5|]", "Epsilon = -1E-05 is not valid for [LayerNorm]: ε must be finite and at least 0")]
    [InlineData("LayerNorm", "[|Epsilon = double.NaN|]", "Epsilon = NaN is not valid for [LayerNorm]: ε must be finite and at least 0")]
    [InlineData("RmsNorm", "[|Epsilon = double.PositiveInfinity|]", "Epsilon = Infinity is not valid for [RmsNorm]: ε must be finite and at least 0")]
    [InlineData("RmsNorm", "[|WeightOffset = 1e39|]", "WeightOffset = 1E+39 is not valid for [RmsNorm]: the offset must be finite (and within float's range: at most 3.40282347E+38 in magnitude)")]
    [InlineData("RmsNorm", "[|WeightOffset = double.NaN|]", "WeightOffset = NaN is not valid for [RmsNorm]: the offset must be finite (and within float's range: at most 3.40282347E+38 in magnitude)")]
    [InlineData("RmsNorm", "[|Unroll = 9|]", "Unroll = 9 is not valid for [RmsNorm]: the unroll must be 0 (the generator's choice) or 1 to 8 vectors")]
    [InlineData("LayerNorm", "[|Width = -4|]", "Width = -4 is not valid for [LayerNorm]: the width must be 0 (any row length) or a positive row length")]
    [InlineData("L2Normalize", "[|Epsilon = -1|]", "Epsilon = -1 is not valid for [L2Normalize]: ε must be finite and at least 0")]
    [InlineData("LayerNorm", "[|Targets = 0|]", "Targets = 0 is not valid for [LayerNorm]: name at least one target (Scalar is always emitted, but an empty set is a mistake)")]
    public void KG0008_normalization_arguments(string attribute, string arguments, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [{{attribute}}({{arguments}})]
            public static partial void Kernel(ReadOnlySpan<float> input, {{(attribute == "L2Normalize" ? "" : "ReadOnlySpan<float> weight, ")}}{{(attribute == "LayerNorm" ? "ReadOnlySpan<float> bias, " : "")}}Span<float> output);
        }
        """, message);

    [Fact]
    public void KG0008_seednorm_negative_epsilon() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [SeeDNorm([|Epsilon = -1|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, ReadOnlySpan<float> alpha, ReadOnlySpan<float> gamma, Span<float> output, int rowLength);
        }
        """, "Epsilon = -1 is not valid for [SeeDNorm]: ε must be finite and at least 0");

    [Fact]
    public void KG0008_weight_offset_without_weight() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [RmsNorm(Affine = false, [|WeightOffset = 1|])]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """, "WeightOffset = 1 is not valid for [RmsNorm]: the offset applies to the weight γ, which Affine = false leaves out");

    [Fact]
    public void KG0006_layer_norm_without_its_bias_names_the_expected_shape() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, [|Span<float> output|], int rowLength);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the third parameter (the bias β) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)' with T float or double for [LayerNorm] with Affine = true and Bias = true (the defaults).");

    [Fact]
    public void KG0006_cross_entropy_target_of_the_wrong_type_names_both_forms() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [CrossEntropy]
            public static partial float Kernel(ReadOnlySpan<float> logits, [|long target|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter must be int (the target class) or ReadOnlySpan<int> (the target classes, one per row), not 'long'. Expected 'T Kernel(ReadOnlySpan<T> input, int target)' or 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets)' with T float or double for [CrossEntropy] with Reduction = Mean (the default), without a gradient (add a trailing Span<T> gradient for one).");

    [Fact]
    public void KG0006_cross_entropy_without_reduction_returns_void() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [CrossEntropy(Reduction = LossReduction.None)]
            public static partial [|float|] Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: it must return void (the losses go to the losses span). Expected 'T Kernel(ReadOnlySpan<T> input, int target)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, Span<T> losses)' with T float or double for [CrossEntropy] with Reduction = None, without a gradient (add a trailing Span<T> gradient for one).");

    [Theory]
    [InlineData("ClassWeights = true", "ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, [|Span<float> gradient|]", "The kernel method 'Kernel' has an unsupported signature: the third parameter (the class weights, one per class) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'T Kernel(ReadOnlySpan<T> input, int target, ReadOnlySpan<T> classWeights)' or 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, ReadOnlySpan<T> classWeights)' with T float or double for [CrossEntropy] with Reduction = Mean (the default), ClassWeights = true, without a gradient (add a trailing Span<T> gradient for one).")]
    [InlineData("PredictionOutput = true", "ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, [|Span<float> predictions|]", "The kernel method 'Kernel' has an unsupported signature: the third parameter (the predicted classes, one per row) must be Span<int>, not 'System.Span<float>'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, Span<int> predictions)' with T float or double for [CrossEntropy] with Reduction = Mean (the default), PredictionOutput = true, without a gradient (add a trailing Span<T> gradient for one) (these options need the many-rows form).")]
    [InlineData("SampleWeights = true", "ReadOnlySpan<float> logits, [|int target|], ReadOnlySpan<float> sampleWeights", "The kernel method 'Kernel' has an unsupported signature: the second parameter (the target classes, one per row) must be ReadOnlySpan<int>, not 'int'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, ReadOnlySpan<T> sampleWeights)' with T float or double for [CrossEntropy] with Reduction = Mean (the default), SampleWeights = true, without a gradient (add a trailing Span<T> gradient for one) (these options need the many-rows form).")]
    [InlineData("Reduction = LossReduction.None, LseOutput = true, EntropyOutput = true", "ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> entropy, [|Span<double> lse|]", "The kernel method 'Kernel' has an unsupported signature: the fifth parameter (the entropy, one per row) must be Span<float> (the same element type as the input), not 'System.Span<double>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, Span<T> losses, Span<T> lse, Span<T> entropy)' with T float or double for [CrossEntropy] with Reduction = None, LseOutput = true, EntropyOutput = true, without a gradient (add a trailing Span<T> gradient for one) (these options need the many-rows form).")]
    public void KG0006_cross_entropy_options_spell_out_the_signature(string options, string parameters, string message) => AssertSingle("KG0006", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [CrossEntropy({{options}})]
            public static partial {{(options.Contains("None") ? "void" : "float")}} Kernel({{parameters}});
        }
        """, message);

    [Theory]
    [InlineData("Mask = true", "ReadOnlySpan<float> input, Span<float> output", "The kernel method 'Kernel' has an unsupported signature: it has 2 parameters, not 3 or 4. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output, int rowLength)' with T float or double for [Softmax] with Mask = true.")]
    [InlineData("Mask = true, Sink = true", "ReadOnlySpan<float> input, ReadOnlySpan<float> mask, [|double sink|], Span<float> output", "The kernel method 'Kernel' has an unsupported signature: the third parameter (the sink logit) must be float (the same element type as the input), not 'double'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, T sink, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, T sink, Span<T> output, int rowLength)' with T float or double for [Softmax] with Mask = true and Sink = true.")]
    [InlineData("Causal = true", "ReadOnlySpan<float> input, Span<float> output, int rowLength", "The kernel method 'Kernel' has an unsupported signature: it has 3 parameters, not 4. Expected 'void Kernel(ReadOnlySpan<T> input, Span<T> output, int rowLength, int rowsPerHead)' with T float or double for [Softmax] with Causal = true.")]
    [InlineData("Mask = true, MaxBias = 8, Heads = 4", "ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength, [|long rowsPerHead|]", "The kernel method 'Kernel' has an unsupported signature: the fifth parameter (the rows per head) must be int, not 'long'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output, int rowLength, int rowsPerHead)' with T float or double for [Softmax] with Mask = true and MaxBias > 0.")]
    [InlineData("Mask = true", "ReadOnlySpan<float> input, [|Span<float> mask|], Span<float> output", "The kernel method 'Kernel' has an unsupported signature: the second parameter (the additive mask) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> mask, Span<T> output, int rowLength)' with T float or double for [Softmax] with Mask = true.")]
    public void KG0006_softmax_attention_options_spell_out_the_signature(string options, string parameters, string message) => AssertSingle("KG0006", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax({{options}})]
            public static partial void Kernel{{(parameters.Contains("[|") ? string.Empty : "[|")}}({{parameters}}){{(parameters.Contains("[|") ? string.Empty : "|]")}};
        }
        """, message);

    [Theory]
    [InlineData("[|Scale = 0|]", "Scale = 0 is not valid for [Softmax]: the scale must be finite and greater than 0")]
    [InlineData("[|Scale = double.NaN|]", "Scale = NaN is not valid for [Softmax]: the scale must be finite and greater than 0")]
    [InlineData("[|Softcap = -1|]", "Softcap = -1 is not valid for [Softmax]: the cap must be finite and at least 0 (0: no cap)")]
    [InlineData("[|MaxBias = 8|], Heads = 4", "MaxBias = 8 is not valid for [Softmax]: ALiBi multiplies the mask by the head's slope (as ggml's soft_max_ext): declare Mask = true and put the position bias in the mask")]
    [InlineData("Mask = true, [|MaxBias = 8|]", "MaxBias = 8 is not valid for [Softmax]: the ALiBi slopes depend on the number of heads: set Heads")]
    [InlineData("Mask = true, [|Heads = 4|]", "Heads = 4 is not valid for [Softmax]: the number of heads only sets the ALiBi slopes: set MaxBias too, or leave Heads out")]
    [InlineData("[|CausalOffset = 3|]", "CausalOffset = 3 is not valid for [Softmax]: the offset moves the causal diagonal: set Causal = true too, or leave it out")]
    [InlineData("Width = 64, [|Causal = true|]", "Causal = true is not valid for [Softmax]: causal rows see a different number of columns each, which a fixed Width cannot keep in registers: leave Width out")]
    [InlineData("Mask = true, [|Backward = true|]", "Backward = true is not valid for [Softmax]: the backward kernel supports Scale and Temperature (a factor of the gradient) but not Mask, Sink, Softcap, Causal, MaxBias or MaskedRowsAreZero: take the gradient of the probabilities with these options off (a mask's −∞ columns have y = 0 and get dx = 0)")]
    [InlineData("Softcap = 2, [|Scale = 1e300|]", "Scale = 1E+300 is not valid for [Softmax]: s/T = 1E+300 is not a finite, non-zero float")]
    public void KG0008_softmax_attention_arguments(string arguments, string message)
    {
        // The signature the options ask for, so that only the argument is reported.
        string parameters = "ReadOnlySpan<float> input, " + (arguments.Contains("Mask = true") ? "ReadOnlySpan<float> mask, " : string.Empty) + "Span<float> output, int rowLength"
            + (arguments.Contains("Causal = true") || arguments.Contains("MaxBias") ? ", int rowsPerHead" : string.Empty);
        AssertSingle("KG0008", $$"""
            using System;
            using KernelGen;

            namespace Demo;

            public static partial class Ops
            {
                [Softmax({{arguments}})]
                public static partial void Kernel({{parameters}});
            }
            """, message);
    }

    [Theory]
    [InlineData("[|LabelSmoothing = 1.5|]", "LabelSmoothing = 1.5 is not valid for [CrossEntropy]: ε must be in [0, 1]")]
    [InlineData("[|LabelSmoothing = double.NaN|]", "LabelSmoothing = NaN is not valid for [CrossEntropy]: ε must be in [0, 1]")]
    [InlineData("[|ZLoss = double.PositiveInfinity|]", "ZLoss = Infinity is not valid for [CrossEntropy]: the coefficient must be finite and at least 0")]
    [InlineData("[|Reduction = (LossReduction)3|]", "Reduction = 3 is not valid for [CrossEntropy]: it is not a LossReduction value")]
    [InlineData("[|Width = -1|]", "Width = -1 is not valid for [CrossEntropy]: the width must be 0 (any row length) or a positive row length")]
    [InlineData("[|Softcap = double.NaN|]", "Softcap = NaN is not valid for [CrossEntropy]: the cap must be finite and greater than 0 (or 0 for none)")]
    [InlineData("[|Softcap = -30|]", "Softcap = -30 is not valid for [CrossEntropy]: the cap must be finite and greater than 0 (or 0 for none)")]
    [InlineData("[|Softcap = double.PositiveInfinity|]", "Softcap = Infinity is not valid for [CrossEntropy]: the cap must be finite and greater than 0 (or 0 for none)")]
    public void KG0008_cross_entropy_arguments(string arguments, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [CrossEntropy({{arguments}})]
            public static partial float Kernel(ReadOnlySpan<float> logits, int target);
        }
        """, message);

    // The losses of the target probability: their own parameters (KG0008), and the cross-entropy's shapes (KG0006).
    [Theory]
    [InlineData("CompSumLoss", "[|Tau = -1|]", "Tau = -1 is not valid for [CompSumLoss]: τ must be finite and at least 0")]
    [InlineData("CompSumLoss", "[|Tau = double.NaN|]", "Tau = NaN is not valid for [CompSumLoss]: τ must be finite and at least 0")]
    [InlineData("FocalLoss", "[|Gamma = -0.5|]", "Gamma = -0.5 is not valid for [FocalLoss]: γ must be finite and at least 0")]
    [InlineData("FocalLoss", "[|Alpha = 0|]", "Alpha = 0 is not valid for [FocalLoss]: α must be finite and greater than 0")]
    [InlineData("DiceLoss", "[|Alpha = double.PositiveInfinity|]", "Alpha = Infinity is not valid for [DiceLoss]: α must be finite and at least 0")]
    [InlineData("DiceLoss", "[|Gamma = -1|]", "Gamma = -1 is not valid for [DiceLoss]: γ must be finite and at least 0")]
    [InlineData("DiceLoss", "[|Reduction = (LossReduction)3|]", "Reduction = 3 is not valid for [DiceLoss]: it is not a LossReduction value")]
    [InlineData("MarginSoftmaxLoss", "[|Scale = 0|]", "Scale = 0 is not valid for [MarginSoftmaxLoss]: s must be finite and greater than 0")]
    [InlineData("MarginSoftmaxLoss", "[|M1 = -1|]", "M1 = -1 is not valid for [MarginSoftmaxLoss]: m1 must be finite and greater than 0")]
    [InlineData("MarginSoftmaxLoss", "[|M2 = 3.5|]", "M2 = 3.5 is not valid for [MarginSoftmaxLoss]: m2 must be in [0, π)")]
    [InlineData("MarginSoftmaxLoss", "[|M3 = double.NaN|]", "M3 = NaN is not valid for [MarginSoftmaxLoss]: m3 must be finite")]
    [InlineData("MarginSoftmaxLoss", "[|SampleMargins = (SampleMargin)3|]", "SampleMargins = 3 is not valid for [MarginSoftmaxLoss]: it is not a SampleMargin value")]
    [InlineData("InfoNceLoss", "[|Temperature = 0|]", "Temperature = 0 is not valid for [InfoNceLoss]: τ must be finite and greater than 0")]
    [InlineData("InfoNceLoss", "[|Temperature = double.PositiveInfinity|]", "Temperature = Infinity is not valid for [InfoNceLoss]: τ must be finite and greater than 0")]
    public void KG0008_target_probability_loss_arguments(string attribute, string arguments, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [{{attribute}}({{arguments}})]
            public static partial float Kernel(ReadOnlySpan<float> logits, int target);
        }
        """, message);

    // [BinaryCrossEntropy] and [FocalLoss(Sigmoid = true)]: their arguments (KG0008) and their soft-target shapes (KG0006).
    [Theory]
    [InlineData("BinaryCrossEntropy", "[|Reduction = (LossReduction)5|]", "Reduction = 5 is not valid for [BinaryCrossEntropy]: it is not a LossReduction value")]
    [InlineData("BinaryCrossEntropy", "[|Unroll = 9|]", "Unroll = 9 is not valid for [BinaryCrossEntropy]: the unroll must be 0 (the generator's choice) or 1 to 8 vectors")]
    [InlineData("FocalLoss", "Sigmoid = true, [|Alpha = 1.5|]", "Alpha = 1.5 is not valid for [FocalLoss]: with Sigmoid = true, α must be in [0, 1] (or negative for none, as torchvision)")]
    [InlineData("FocalLoss", "Sigmoid = true, [|Gamma = -1|]", "Gamma = -1 is not valid for [FocalLoss]: γ must be finite and at least 0")]
    [InlineData("FocalLoss", "Sigmoid = true, [|IgnoreIndex = 3|]", "IgnoreIndex = 3 is not valid for [FocalLoss]: the sigmoid form (Sigmoid = true) takes soft targets, which have no ignore index")]
    [InlineData("FocalLoss", "Sigmoid = true, [|SampleWeights = true|]", "SampleWeights = true is not valid for [FocalLoss]: the sigmoid form (Sigmoid = true) weighs elements by class (ClassWeights), not by row")]
    public void KG0008_binary_loss_arguments(string attribute, string arguments, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [{{attribute}}({{arguments}})]
            public static partial float Kernel(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets);
        }
        """, message);

    [Fact]
    public void KG0006_binary_cross_entropy_with_class_indices() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [BinaryCrossEntropy(PosWeight = true)]
            public static partial float Kernel(ReadOnlySpan<float> logits, [|ReadOnlySpan<int> targets|], ReadOnlySpan<float> posWeight);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the targets, one per logit) must be ReadOnlySpan<float> (the same element type as the input), not 'System.ReadOnlySpan<int>'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight)' with T float or double for [BinaryCrossEntropy] with PosWeight = true, Reduction = Mean (the default), without a gradient (add a trailing Span<T> gradient for one).");

    [Fact]
    public void KG0006_sigmoid_focal_loss_none_without_losses() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [FocalLoss(Sigmoid = true, Reduction = LossReduction.None)]
            public static partial void Kernel[|(ReadOnlySpan<double> logits)|];
        }
        """, "The kernel method 'Kernel' has an unsupported signature: it has 1 parameter, not 3. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, Span<T> losses)' with T float or double for [FocalLoss] with Sigmoid = true, Reduction = None, without a gradient (add a trailing Span<T> gradient for one).");

    // Per-row margins exist only for many rows: the one-row form is not offered, and the message spells out the expected forms.
    [Fact]
    public void KG0006_margin_softmax_with_per_row_margins_and_one_row() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [MarginSoftmaxLoss(SampleMargins = SampleMargin.Angular)]
            public static partial float Kernel(ReadOnlySpan<float> cosines, [|int target|], ReadOnlySpan<float> margins);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the target classes, one per row) must be ReadOnlySpan<int>, not 'int'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, ReadOnlySpan<T> margins)' with T float or double for [MarginSoftmaxLoss] with Reduction = Mean (the default), SampleMargins = SampleMargin.Angular, without a gradient (add a trailing Span<T> gradient for one) (these options need the many-rows form).");

    // [InfoNceLoss(Decoupled = true)]: P in [1, 1024], Positives only with Decoupled, no class weights (KG0008); many rows only (KG0006).
    [Theory]
    [InlineData("Decoupled = true, [|Positives = 0|]", "", "Positives = 0 is not valid for [InfoNceLoss]: P must be between 1 and 1024 (a row's positives are sorted in a stack buffer)")]
    [InlineData("Decoupled = true, [|Positives = 1025|]", "", "Positives = 1025 is not valid for [InfoNceLoss]: P must be between 1 and 1024 (a row's positives are sorted in a stack buffer)")]
    [InlineData("[|Positives = 4|]", "", "Positives = 4 is not valid for [InfoNceLoss]: Positives needs Decoupled = true (without it each row has one positive, its target)")]
    [InlineData("Decoupled = true, Positives = 2, [|ClassWeights = true|]", ", ReadOnlySpan<float> classWeights", "ClassWeights = true is not valid for [InfoNceLoss]: not with Decoupled = true (a row has several positive classes, so there is no one class weight to scale it by; use SampleWeights)")]
    public void KG0008_decoupled_info_nce(string arguments, string extra, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [InfoNceLoss({{arguments}})]
            public static partial float Kernel(ReadOnlySpan<float> similarities, ReadOnlySpan<int> positives{{extra}});
        }
        """, message);

    [Fact]
    public void KG0006_decoupled_info_nce_with_one_row() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [InfoNceLoss(Decoupled = true, Positives = 2)]
            public static partial float Kernel(ReadOnlySpan<float> similarities, [|int positive|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the target classes, one per row) must be ReadOnlySpan<int>, not 'int'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets)' with T float or double for [InfoNceLoss] with Reduction = Mean (the default), Decoupled = true, Positives = 2 (the positives span holds 2 class indices per row), without a gradient (add a trailing Span<T> gradient for one) (these options need the many-rows form).");

    // The losses of row statistics: their own parameters (KG0008) and shapes (KG0006, spelling out the expected forms).
    [Theory]
    [InlineData("SphericalZLoss", "[|A = 0|]", "A = 0 is not valid for [SphericalZLoss]: a must be finite and greater than 0")]
    [InlineData("SphericalZLoss", "[|A = double.PositiveInfinity|]", "A = Infinity is not valid for [SphericalZLoss]: a must be finite and greater than 0")]
    [InlineData("SphericalZLoss", "[|B = double.NaN|]", "B = NaN is not valid for [SphericalZLoss]: b must be finite")]
    [InlineData("MultiMarginLoss", "[|Margin = double.NegativeInfinity|]", "Margin = -Infinity is not valid for [MultiMarginLoss]: the margin must be finite")]
    [InlineData("MultiMarginLoss", "[|Form = (MultiMarginForm)2|]", "Form = 2 is not valid for [MultiMarginLoss]: it is not a MultiMarginForm value")]
    [InlineData("MultiMarginLoss", "[|Reduction = (LossReduction)3|]", "Reduction = 3 is not valid for [MultiMarginLoss]: it is not a LossReduction value")]
    [InlineData("MultiMarginLoss", "[|Unroll = 9|]", "Unroll = 9 is not valid for [MultiMarginLoss]: the unroll must be 0 (the generator's choice) or 1 to 8 vectors")]
    public void KG0008_row_statistics_loss_arguments(string attribute, string arguments, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [{{attribute}}({{arguments}})]
            public static partial float Kernel(ReadOnlySpan<float> logits, int target);
        }
        """, message);

    [Fact]
    public void KG0006_multi_margin_loss_missing_its_class_weights() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [MultiMarginLoss(ClassWeights = true, Reduction = LossReduction.None)]
            public static partial void Kernel(ReadOnlySpan<float> logits, [|ReadOnlySpan<int> targets|], Span<float> losses);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the target class) must be int, not 'System.ReadOnlySpan<int>'. Expected 'T Kernel(ReadOnlySpan<T> input, int target, ReadOnlySpan<T> classWeights)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets, ReadOnlySpan<T> classWeights, Span<T> losses)' with T float or double for [MultiMarginLoss] with Reduction = None, ClassWeights = true, without a gradient (add a trailing Span<T> gradient for one).");

    [Fact]
    public void KG0006_spherical_z_loss_with_a_long_target() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [SphericalZLoss]
            public static partial float Kernel(ReadOnlySpan<float> logits, [|long target|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter must be int (the target class) or ReadOnlySpan<int> (the target classes, one per row), not 'long'. Expected 'T Kernel(ReadOnlySpan<T> input, int target)' or 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets)' with T float or double for [SphericalZLoss] with Reduction = Mean (the default), without a gradient (add a trailing Span<T> gradient for one).");

    // [KLDivergence] and [DistillationLoss]: their own parameters (KG0008) and shapes (KG0006).
    [Theory]
    [InlineData("KLDivergence", "[|Temperature = 0|]", "", "Temperature = 0 is not valid for [KLDivergence]: the temperature must be finite and greater than 0")]
    [InlineData("KLDivergence", "[|Beta = 1.5|]", "", "Beta = 1.5 is not valid for [KLDivergence]: β must be in [0, 1]")]
    [InlineData("KLDivergence", "[|Reduction = (LossReduction)3|]", "", "Reduction = 3 is not valid for [KLDivergence]: it is not a LossReduction value")]
    [InlineData("DistillationLoss", "[|Alpha = -0.5|]", ", int target", "Alpha = -0.5 is not valid for [DistillationLoss]: α must be in [0, 1]")]
    [InlineData("DistillationLoss", "[|Temperature = double.PositiveInfinity|]", ", int target", "Temperature = Infinity is not valid for [DistillationLoss]: the temperature must be finite and greater than 0")]
    public void KG0008_distillation_arguments(string attribute, string arguments, string target, string message) => AssertSingle("KG0008", $$"""
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [{{attribute}}({{arguments}})]
            public static partial float Kernel(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher{{target}});
        }
        """, message);

    [Fact]
    public void KG0006_distillation_loss_with_a_long_target() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [DistillationLoss]
            public static partial float Kernel(ReadOnlySpan<float> student, ReadOnlySpan<float> teacher, [|long target|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the third parameter must be int (the target class) or ReadOnlySpan<int> (the target classes, one per row), not 'long'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> teacher, int target)' or 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> teacher, ReadOnlySpan<int> targets)' with T float or double for [DistillationLoss] with Reduction = Mean (the default), without a gradient (add a trailing Span<T> gradient for one).");

    [Fact]
    public void KG0006_kl_divergence_teacher_of_another_type() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [KLDivergence(Reduction = LossReduction.None)]
            public static partial void Kernel(ReadOnlySpan<float> student, [|ReadOnlySpan<double> teacher|], int rowLength, Span<float> losses);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the teacher logits) must be ReadOnlySpan<float> (the same element type as the input), not 'System.ReadOnlySpan<double>'. Expected 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> teacher)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> teacher, int rowLength, Span<T> losses)' with T float or double for [KLDivergence] with Reduction = None, without a gradient (add a trailing Span<T> gradient for one).");

    [Fact]
    public void KG0006_focal_loss_with_a_long_target() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [FocalLoss]
            public static partial float Kernel(ReadOnlySpan<float> logits, [|long target|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter must be int (the target class) or ReadOnlySpan<int> (the target classes, one per row), not 'long'. Expected 'T Kernel(ReadOnlySpan<T> input, int target)' or 'T Kernel(ReadOnlySpan<T> input, ReadOnlySpan<int> targets)' with T float or double for [FocalLoss] with Reduction = Mean (the default), without a gradient (add a trailing Span<T> gradient for one).");

    [Fact]
    public void KG0006_weight_given_as_a_writable_span() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [RmsNorm]
            public static partial void Kernel(ReadOnlySpan<float> input, [|Span<float> weight|], Span<float> output);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the weight γ) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, Span<T> output, int rowLength)' with T float or double for [RmsNorm] with Affine = true (the default).");

    [Fact]
    public void KG0006_not_affine_takes_no_weight() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm(Affine = false)]
            public static partial void Kernel(ReadOnlySpan<float> input, [|ReadOnlySpan<float> weight|], Span<float> output);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter must be Span<float> (the same element type as the input), not 'System.ReadOnlySpan<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, Span<T> output, int rowLength)' with T float or double for [LayerNorm] with Affine = false.");

    [Fact]
    public void KG0006_residual_form_without_its_sum() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [RmsNorm(Residual = true)]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> residual, ReadOnlySpan<float> weight, Span<float> output, [|int rowLength|]);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the fifth parameter (the sum h = x + r) must be Span<float> (the same element type as the input), not 'int'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, Span<T> output, Span<T> sum)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> weight, Span<T> output, Span<T> sum, int rowLength)' with T float or double for [RmsNorm] with Affine = true and Residual = true.");

    [Fact]
    public void KG0006_backward_layer_norm_with_a_read_only_input_gradient() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm(Backward = true)]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, [|ReadOnlySpan<float> inputGradient|], Span<float> weightGradient, Span<float> biasGradient);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the fourth parameter (the input gradient dx) must be Span<float> (the same element type as the input), not 'System.ReadOnlySpan<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, Span<T> biasGradient)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, Span<T> biasGradient, int rowLength)' with T float or double for [LayerNorm] with Affine = true and Bias = true and Backward = true.");

    [Fact]
    public void KG0006_backward_rms_norm_without_its_weight_gradient() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [RmsNorm(Backward = true)]
            public static partial void Kernel[|(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)|];
        }
        """, "The kernel method 'Kernel' has an unsupported signature: it has 4 parameters, not 5 or 6. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> weightGradient, int rowLength)' with T float or double for [RmsNorm] with Affine = true and Backward = true.");

    [Fact]
    public void KG0006_backward_l2_normalize_names_its_shape() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [L2Normalize(Backward = true)]
            public static partial void Kernel(ReadOnlySpan<float> input, [|Span<float> output|], int rowLength);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the output gradient dy) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, int rowLength)' with T float or double for [L2Normalize] with Backward = true.");

    [Fact]
    public void KG0008_backward_of_the_residual_form() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm(Residual = true, [|Backward = true|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient);
        }
        """, "Backward = true is not valid for [LayerNorm]: the fused residual form has no backward kernel: the gradient of h = x + r is dh for both, so take the backward of the norm and add its dx to the residual's gradient");

    [Fact]
    public void KG0008_backward_of_the_compressed_form() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [RmsNorm([|Compressed = true|], Backward = true)]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient);
        }
        """, "Compressed = true is not valid for [RmsNorm]: the compressed form CRMSNorm has no backward kernel yet: declare the forward only");

    [Fact]
    public void KG0008_statistics_output_of_the_backward_kernel() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm(Backward = true, [|StatisticsOutput = true|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, Span<float> biasGradient);
        }
        """, "StatisticsOutput = true is not valid for [LayerNorm]: the statistics are outputs of the forward kernel: the backward kernel recomputes them from the input");

    [Fact]
    public void KG0006_statistics_output_without_its_spans() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm(StatisticsOutput = true)]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, Span<float> mean, [|int rowLength|]);
        }
        """);

    [Fact]
    public void KG0006_dynamic_tanh_backward_without_the_alpha_gradient() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [DynamicTanh(Backward = true, Affine = false)]
            public static partial void Kernel(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, [|int rowLength|]);
        }
        """);

    [Fact]
    public void KG0006_seednorm_alpha_written_names_the_expected_shape() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [SeeDNorm]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> beta, [|Span<float> alpha|], ReadOnlySpan<float> gamma, Span<float> output);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the third parameter (the rescale weight α) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> beta, ReadOnlySpan<T> alpha, ReadOnlySpan<T> weight, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> beta, ReadOnlySpan<T> alpha, ReadOnlySpan<T> weight, Span<T> output, int rowLength)' with T float or double.");

    [Fact]
    public void KG0006_weight_of_another_element_type() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [LayerNorm]
            public static partial void Kernel(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, [|ReadOnlySpan<float> bias|], Span<double> output, int rowLength);
        }
        """);

    [Fact]
    public void KG0006_dynamic_tanh_without_alpha_names_the_expected_shape() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [DynamicTanh]
            public static partial void Kernel(ReadOnlySpan<float> input, [|ReadOnlySpan<float> weight|], ReadOnlySpan<float> bias, Span<float> output, int rowLength);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the scalar α) must be float (the same element type as the input), not 'System.ReadOnlySpan<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)' with T float or double for [DynamicTanh] with Affine = true and Bias = true (the defaults).");

    [Fact]
    public void KG0006_dynamic_tanh_alpha_of_another_element_type() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [DynamicTanh(Affine = false)]
            public static partial void Kernel(ReadOnlySpan<double> input, [|float alpha|], Span<double> output);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the scalar α) must be double (the same element type as the input), not 'float'. Expected 'void Kernel(ReadOnlySpan<T> input, T alpha, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, T alpha, Span<T> output, int rowLength)' with T float or double for [DynamicTanh] with Affine = false.");

    [Fact]
    public void KG0006_dynamic_tanh_without_bias_takes_no_bias() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [DynamicTanh(Bias = false)]
            public static partial void Kernel(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, [|ReadOnlySpan<float> bias|], Span<float> output);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the fourth parameter must be Span<float> (the same element type as the input), not 'System.ReadOnlySpan<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, T alpha, ReadOnlySpan<T> weight, Span<T> output, int rowLength)' with T float or double for [DynamicTanh] with Affine = true and Bias = false.");

    [Fact]
    public void KG0008_dynamic_tanh_width_negative() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [DynamicTanh([|Width = -1|])]
            public static partial void Kernel(ReadOnlySpan<float> input, float alpha, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output);
        }
        """);

    [Fact]
    public void KG0006_batch_norm_running_variance_written_names_the_expected_shape() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [BatchNorm]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, [|Span<float> runningVariance|], ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the third parameter (the running variance σ²) must be ReadOnlySpan<float> (the same element type as the input), not 'System.Span<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVariance, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> runningMean, ReadOnlySpan<T> runningVariance, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, int rowLength)' with T float or double for [BatchNorm] with Affine = true (the default).");

    [Fact]
    public void KG0006_power_norm_statistic_of_another_element_type() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [PowerNorm(Affine = false)]
            public static partial void Kernel(ReadOnlySpan<double> input, [|ReadOnlySpan<float> runningQuadraticMean|], Span<double> output, int rowLength);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the running quadratic mean ψ²) must be ReadOnlySpan<double> (the same element type as the input), not 'System.ReadOnlySpan<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> runningQuadraticMean, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, ReadOnlySpan<T> runningQuadraticMean, Span<T> output, int rowLength)' with T float or double for [PowerNorm] with Affine = false.");

    [Fact]
    public void KG0008_batch_norm_epsilon_negative() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [BatchNorm(Affine = false, [|Epsilon = -1e-5|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, Span<float> output);
        }
        """, "Epsilon = -1E-05 is not valid for [BatchNorm]: ε must be finite and at least 0");

    [Fact]
    public void KG0008_power_norm_momentum_out_of_range() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [PowerNorm(Training = true, [|Momentum = 1.5|])]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);
        }
        """, "Momentum = 1.5 is not valid for [PowerNorm]: the momentum is the batch's weight in the update of ψ²: it must be in [0, 1]");

    [Fact]
    public void KG0008_power_norm_momentum_without_training() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [PowerNorm([|Momentum = 0.2|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> runningQuadraticMean, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);
        }
        """, "Momentum = 0.2 is not valid for [PowerNorm]: the momentum weighs the update of ψ², which only Training = true makes");

    [Fact]
    public void KG0006_power_norm_training_statistic_read_only() => AssertSingle("KG0006", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [PowerNorm(Training = true, Affine = false)]
            public static partial void Kernel(ReadOnlySpan<float> input, [|ReadOnlySpan<float> runningQuadraticMean|], Span<float> output, int rowLength);
        }
        """, "The kernel method 'Kernel' has an unsupported signature: the second parameter (the running quadratic mean ψ², updated by the call) must be Span<float> (the same element type as the input), not 'System.ReadOnlySpan<float>'. Expected 'void Kernel(ReadOnlySpan<T> input, Span<T> runningQuadraticMean, Span<T> output)' or 'void Kernel(ReadOnlySpan<T> input, Span<T> runningQuadraticMean, Span<T> output, int rowLength)' with T float or double for [PowerNorm] with Affine = false and Training = true (ψ² is a Span<T>: the call updates it).");

    [Fact]
    public void KG0008_parallel_one_row() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax([|Parallel = true|])]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """, "Parallel = true is not valid for [Softmax]: Parallel splits the rows of the many-rows form: add the 'int rowLength' parameter, or leave Parallel out");

    [Fact]
    public void KG0008_parallel_with_mask() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax(Mask = true, [|Parallel = true|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> mask, Span<float> output, int rowLength);
        }
        """, "Parallel = true is not valid for [Softmax]: the parallel rows cover the plain softmax (with Scale, Temperature and MaskedRowsAreZero), not Mask, Sink, Softcap, Causal or MaxBias yet: leave Parallel out");

    [Fact]
    public void KG0008_parallel_norm_backward() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [RmsNorm(Backward = true, [|Parallel = true|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> weightGradient, int rowLength);
        }
        """, "Parallel = true is not valid for [RmsNorm]: the backward kernels add dγ and dβ over all rows and run on one thread: leave Parallel out");

    [Fact]
    public void KG0008_group_norm_channels_not_a_multiple_of_groups() => AssertSingle("KG0008", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [GroupNorm(Groups = 3, [|Channels = 8|])]
            public static partial void Kernel(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output, int rowLength);
        }
        """, "Channels = 8 is not valid for [GroupNorm]: the channels must split into 3 groups of equal size (a multiple of Groups = 3)");

    [Fact]
    public void KG0009_local_function() => AssertSingle("KG0009", """
        using System;
        using KernelGen;

        namespace Demo;

        public static class Host
        {
            public static void Run()
            {
                [Softmax]
                static void [|Local|](ReadOnlySpan<float> input, Span<float> output) { }

                Local(default, default);
            }
        }
        """, "Kernel attributes apply to static partial methods of a partial class, not to the local function 'Local'");

    [Fact]
    public void KG0010_overload() => AssertSingle("KG0010", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);

            public static void Kernel(int unrelated) { }
        }
        """, "The kernel method 'Kernel' shares its name with another member of 'Ops' (an overload, or a member named 'KernelPaths'); give each kernel its own name");

    [Fact]
    public void KG0010_member_named_like_the_paths_class() => AssertSingle("KG0010", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);

            public static int KernelPaths => 0;
        }
        """);

    [Fact]
    public void KG0011_keyword_method_name() => AssertSingle("KG0011", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class Ops
        {
            [Softmax]
            public static partial void [|@event|](ReadOnlySpan<float> input, Span<float> output);
        }
        """, "The kernel method 'event' is declared under the C# keyword 'event' (written '@event'), as its own name or the name of a containing type or namespace; KernelGen cannot generate code for it: rename it");

    [Fact]
    public void KG0011_keyword_type_name() => AssertSingle("KG0011", """
        using System;
        using KernelGen;

        namespace Demo;

        public static partial class [|@class|]
        {
            [Softmax]
            public static partial void Kernel(ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void KG0011_keyword_namespace() => AssertSingle("KG0011", """
        using System;
        using KernelGen;

        namespace Demo.@void;

        public static partial class Ops
        {
            [Softmax]
            public static partial void [|Kernel|](ReadOnlySpan<float> input, Span<float> output);
        }
        """);

    [Fact]
    public void Every_descriptor_is_an_enabled_error_with_a_help_link()
    {
        Assert.Equal(
            Enumerable.Range(1, KernelGen.Generator.Diagnostics.KernelDiagnostics.All.Count).Select(static i => $"KG{i:D4}"),
            KernelGen.Generator.Diagnostics.KernelDiagnostics.All.Select(static d => d.Id));
        Assert.All(KernelGen.Generator.Diagnostics.KernelDiagnostics.All, static d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.Equal("KernelGen", d.Category);
            Assert.EndsWith("/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri, System.StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// The generator must report exactly one diagnostic, <paramref name="id"/>, an error at the marked
    /// span (and its line/column span), with <paramref name="message"/> when given, and emit nothing.
    /// </summary>
    private static void AssertSingle(string id, string markup, string? message = null)
    {
        (string source, TextSpan expected) = SourceMarkup.Parse(markup);
        LinePositionSpan expectedLines = SourceText.From(source).Lines.GetLinePositionSpan(expected);
        foreach (LanguageVersion version in new[] { GeneratorHarness.OldestSupported, LanguageVersion.Latest })
        {
            GeneratorOutput run = GeneratorHarness.Run(version, source);
            run.AssertGeneratorDidNotThrow();
            List<Diagnostic> reported = run.GeneratorDiagnostics.ToList();
            Assert.True(reported.Count == 1, $"Expected one {id}, got:\n{GeneratorHarness.Describe(reported)}");
            Diagnostic diagnostic = reported[0];
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal(
                $"https://github.com/kernelgen/kernelgen/blob/main/docs/diagnostics.md#{id.ToLowerInvariant()}",
                diagnostic.Descriptor.HelpLinkUri);

            FileLinePositionSpan where = diagnostic.Location.GetLineSpan();
            Assert.Equal("Source0.cs", where.Path);
            Assert.True(
                expected == diagnostic.Location.SourceSpan && expectedLines == where.Span,
                $"{id} at {where.Span} '{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}', expected {expectedLines} '{source.Substring(expected.Start, expected.Length)}'");
            if (message is not null)
            {
                Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.True(run.Result.GeneratedSources.IsEmpty, "A reported kernel was emitted.");
        }
    }
}
