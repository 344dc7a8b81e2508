using System;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.Benchmarks.Onnx;

/// <summary>
/// ONNX Runtime's CPU LayerNormalization or RMS normalization over a fixed batch, bound to caller-owned
/// arrays (the input, the weight row, the bias row, the output): <see cref="Run"/> runs the kernel with
/// no copy and no allocation on either side. One thread, sequential execution; as <see cref="OnnxSoftmax"/>.
/// </summary>
public sealed class OnnxNormalization : IDisposable
{
    private readonly SessionOptions options;
    private readonly InferenceSession session;
    private readonly OrtValue inputValue;
    private readonly OrtValue scaleValue;
    private readonly OrtValue? biasValue;
    private readonly OrtValue outputValue;
    private readonly OrtIoBinding binding;
    private readonly RunOptions runOptions;

    /// <summary>
    /// Builds the one-node model of <paramref name="op"/> for <paramref name="rows"/> × <paramref name="rowLength"/>
    /// with ε = <paramref name="epsilon"/> and binds the arrays; <paramref name="bias"/> is LayerNormalization's
    /// only (null for the RMS operators).
    /// </summary>
    public OnnxNormalization(OnnxOperator op, ArraySegment<float> input, ArraySegment<float> weight, ArraySegment<float>? bias, ArraySegment<float> output, int rows, int rowLength, double epsilon)
    {
                if (op is not (OnnxOperator.LayerNormalization or OnnxOperator.RmsNormalization or OnnxOperator.SimplifiedLayerNormalization or OnnxOperator.ScaledMaskedSoftmax))
        {
            throw new ArgumentOutOfRangeException(nameof(op), op, "Not a normalization (or the scaled, masked softmax, whose Scale and B rows bind the same way).");
        }

        bool layer = op is OnnxOperator.LayerNormalization or OnnxOperator.ScaledMaskedSoftmax;
        if (input.Count != (long)rows * rowLength || output.Count != input.Count || weight.Count != rowLength
            || (layer ? bias?.Count != rowLength : bias is not null))
        {
            throw new ArgumentException($"The arrays must hold exactly {rows} x {rowLength} floats, and the weight{(layer ? " and the bias" : string.Empty)} {rowLength}.");
        }

        this.options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            this.session = new InferenceSession(OnnxModelWriter.Write(op, rows, rowLength, epsilon), this.options);
            long[] shape = [rows, rowLength];
            long[] row = [rowLength];

            // The OrtValues use the (pinned) arrays as the tensors' memory: no copy.
            this.inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(), shape);
            this.scaleValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, weight.AsMemory(), row);
            this.biasValue = bias is not { } biasRow ? null : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, biasRow.AsMemory(), row);
            this.outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(), shape);
            this.binding = this.session.CreateIoBinding();
            this.binding.BindInput(OnnxModelWriter.InputName, this.inputValue);
            this.binding.BindInput(OnnxModelWriter.ScaleName, this.scaleValue);
            if (this.biasValue is not null)
            {
                this.binding.BindInput(OnnxModelWriter.BiasName, this.biasValue);
            }

            this.binding.BindOutput(OnnxModelWriter.OutputName, this.outputValue);
            this.runOptions = new RunOptions();
        }
        catch
        {
            this.Dispose();
            throw;
        }
    }

    /// <summary>Runs the node once over the whole batch.</summary>
    public void Run() => this.session.RunWithBinding(this.runOptions, this.binding);

    /// <inheritdoc/>
    public void Dispose()
    {
        this.runOptions?.Dispose();
        this.binding?.Dispose();
        this.outputValue?.Dispose();
        this.biasValue?.Dispose();
        this.scaleValue?.Dispose();
        this.inputValue?.Dispose();
        this.session?.Dispose();
        this.options.Dispose();
    }
}
