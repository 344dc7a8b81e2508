using System;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.Benchmarks.Onnx;

/// <summary>
/// ONNX Runtime's CPU SoftmaxCrossEntropyLoss (opset 13, reduction "mean", an ignore index, int64 labels)
/// over a fixed batch, bound to caller-owned arrays (the scores, the labels, and a one-float array that
/// receives the scalar loss): <see cref="Run"/> runs the node with no copy and no managed allocation.
/// One thread, sequential execution; as <see cref="OnnxSoftmax"/>.
/// </summary>
public sealed class OnnxLoss : IDisposable
{
    private readonly SessionOptions options;
    private readonly InferenceSession session;
    private readonly float[] loss = GC.AllocateArray<float>(1, pinned: true);
    private readonly OrtValue scoresValue;
    private readonly OrtValue labelsValue;
    private readonly OrtValue lossValue;
    private readonly OrtIoBinding binding;
    private readonly RunOptions runOptions;

    /// <summary>Builds the one-node model for <paramref name="rows"/> × <paramref name="classes"/> and binds the arrays.</summary>
    public OnnxLoss(ArraySegment<float> scores, ArraySegment<long> labels, int rows, int classes, int ignoreIndex)
    {
        if (scores.Count != (long)rows * classes || labels.Count != rows)
        {
            throw new ArgumentException($"The scores must hold exactly {rows} x {classes} floats and the labels {rows}.");
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
            this.session = new InferenceSession(OnnxModelWriter.WriteCrossEntropy(rows, classes, ignoreIndex), this.options);

            // The OrtValues use the (pinned) arrays as the tensors' memory: no copy. The loss is a scalar (shape []).
            this.scoresValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, scores.AsMemory(), [rows, classes]);
            this.labelsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, labels.AsMemory(), [rows]);
            this.lossValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, this.loss.AsMemory(), []);
            this.binding = this.session.CreateIoBinding();
            this.binding.BindInput(OnnxModelWriter.InputName, this.scoresValue);
            this.binding.BindInput(OnnxModelWriter.LabelsName, this.labelsValue);
            this.binding.BindOutput(OnnxModelWriter.OutputName, this.lossValue);
            this.runOptions = new RunOptions();
        }
        catch
        {
            this.Dispose();
            throw;
        }
    }

    /// <summary>Runs the node once over the whole batch and returns the mean loss.</summary>
    public float Run()
    {
        this.session.RunWithBinding(this.runOptions, this.binding);
        return this.loss[0];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        this.runOptions?.Dispose();
        this.binding?.Dispose();
        this.lossValue?.Dispose();
        this.labelsValue?.Dispose();
        this.scoresValue?.Dispose();
        this.session?.Dispose();
        this.options.Dispose();
    }
}
