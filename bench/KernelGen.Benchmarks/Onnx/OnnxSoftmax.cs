using System;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.Benchmarks.Onnx;

/// <summary>
/// ONNX Runtime's CPU Softmax or LogSoftmax over a fixed batch, bound to caller-owned arrays:
/// <see cref="Run"/> runs the kernel on the input array and writes into the output array, with no
/// copy and no allocation on either side. One thread, sequential execution.
/// </summary>
public sealed class OnnxSoftmax : IDisposable
{
    private readonly SessionOptions options;
    private readonly InferenceSession session;
    private readonly OrtValue inputValue;
    private readonly OrtValue outputValue;
    private readonly OrtIoBinding binding;
    private readonly RunOptions runOptions;

    /// <summary>Builds the one-node model for <paramref name="rows"/> × <paramref name="rowLength"/> and binds the arrays.</summary>
    public OnnxSoftmax(OnnxOperator op, ArraySegment<float> input, ArraySegment<float> output, int rows, int rowLength)
    {
                if (input.Count != (long)rows * rowLength || output.Count != input.Count)
        {
            throw new ArgumentException($"The arrays must hold exactly {rows} x {rowLength} floats.");
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
            this.session = new InferenceSession(OnnxModelWriter.Write(op, rows, rowLength), this.options);
            long[] shape = [rows, rowLength];

            // The OrtValues use the (pinned) arrays as the tensors' memory: no copy.
            this.inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(), shape);
            this.outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(), shape);
            this.binding = this.session.CreateIoBinding();
            this.binding.BindInput(OnnxModelWriter.InputName, this.inputValue);
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
        this.inputValue?.Dispose();
        this.session?.Dispose();
        this.options.Dispose();
    }
}
