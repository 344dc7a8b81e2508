using System;

namespace KernelGen.Benchmarks.Onnx;

/// <summary>The single-node ONNX models the benchmarks run.</summary>
public enum OnnxOperator
{
    /// <summary><c>Softmax</c> (opset 13, axis −1).</summary>
    Softmax,

    /// <summary><c>LogSoftmax</c> (opset 13, axis −1).</summary>
    LogSoftmax,

    /// <summary><c>LayerNormalization</c> (opset 17, axis −1, epsilon): inputs X, Scale, B.</summary>
    LayerNormalization,

    /// <summary><c>RMSNormalization</c> (opset 23, axis −1, epsilon): inputs X, Scale.</summary>
    RmsNormalization,

    /// <summary>
    /// ONNX Runtime's own <c>SimplifiedLayerNormalization</c> (RMS normalization; axis −1, epsilon):
    /// inputs X, Scale. A contrib operator that ONNX Runtime registers in the ONNX domain, version 1.
    /// </summary>
    SimplifiedLayerNormalization,

    /// <summary>
    /// Attention's softmax as a graph: <c>Mul</c>(X, Scale), <c>Add</c> of the mask row B (broadcast over the rows),
    /// then <c>Softmax</c> (opset 13, axis −1); Scale and B of shape [rowLength] (Scale holds s in every element).
    /// </summary>
    ScaledMaskedSoftmax,
}

/// <summary>
/// Writes a one-node ONNX model in memory: float input <c>X</c> of shape [rows, rowLength] (and for the
/// normalizations the float rows <c>Scale</c> and <c>B</c> of shape [rowLength], graph inputs bound by
/// the caller, not initializers), one node over the last axis, float output <c>Y</c> of X's shape.
/// A few hundred bytes of protobuf; field numbers from onnx.proto (listed in performance.md).
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>The input's name in the graph.</summary>
    public const string InputName = "X";

    /// <summary>The normalizations' weight row γ in the graph.</summary>
    public const string ScaleName = "Scale";

    /// <summary>LayerNormalization's bias row β in the graph.</summary>
    public const string BiasName = "B";

    /// <summary>The output's name in the graph.</summary>
    public const string OutputName = "Y";

    /// <summary>SoftmaxCrossEntropyLoss's class labels (int64, one per row) in the graph.</summary>
    public const string LabelsName = "Labels";

    /// <summary>The opset the Softmax and LogSoftmax nodes are written for.</summary>
    public const int Opset = 13;

    /// <summary>The opset of LayerNormalization (added in 17).</summary>
    public const int LayerNormalizationOpset = 17;

    /// <summary>The opset of RMSNormalization (added in 23).</summary>
    public const int RmsNormalizationOpset = 23;

    /// <summary>The opset SoftmaxCrossEntropyLoss is written for (added in 12, last changed in 13).</summary>
    public const int CrossEntropyOpset = 13;

    // ModelProto
    private const int ModelIrVersion = 1;
    private const int ModelProducerName = 2;
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;

    // OperatorSetIdProto
    private const int OpsetDomain = 1;
    private const int OpsetVersion = 2;

    // GraphProto
    private const int GraphNode = 1;
    private const int GraphName = 2;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;

    // NodeProto
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;

    // AttributeProto
    private const int AttributeName = 1;
    private const int AttributeFloat = 2;
    private const int AttributeInt = 3;
    private const int AttributeString = 4;
    private const int AttributeType = 20;
    private const int AttributeTypeFloat = 1;
    private const int AttributeTypeInt = 2;
    private const int AttributeTypeString = 3;

    // ValueInfoProto → TypeProto → TypeProto.Tensor → TensorShapeProto → Dimension
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensorType = 1;
    private const int TensorElementType = 1;
    private const int TensorShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int ElementTypeFloat = 1;
    private const int ElementTypeInt64 = 7;

    /// <summary>IR version 8 (ONNX 1.10+), which every opset up to 17 may use.</summary>
    private const int IrVersion = 8;

    /// <summary>IR version 11 (ONNX 1.18), the first that opset 23 may use.</summary>
    private const int IrVersionOpset23 = 11;

    /// <summary>
    /// The serialized model of <paramref name="op"/> over float rows of <paramref name="rowLength"/>;
    /// <paramref name="epsilon"/> is the normalizations' ε (written as a float attribute), unused by
    /// Softmax and LogSoftmax.
    /// </summary>
    public static byte[] Write(OnnxOperator op, int rows, int rowLength, double epsilon = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        (string opType, int opset, string[] inputs) = op switch
        {
            OnnxOperator.Softmax => ("Softmax", Opset, new[] { InputName }),
            OnnxOperator.LogSoftmax => ("LogSoftmax", Opset, new[] { InputName }),
            OnnxOperator.LayerNormalization => ("LayerNormalization", LayerNormalizationOpset, new[] { InputName, ScaleName, BiasName }),
            OnnxOperator.RmsNormalization => ("RMSNormalization", RmsNormalizationOpset, new[] { InputName, ScaleName }),
            OnnxOperator.SimplifiedLayerNormalization => ("SimplifiedLayerNormalization", LayerNormalizationOpset, new[] { InputName, ScaleName }),
            OnnxOperator.ScaledMaskedSoftmax => ("Softmax", Opset, new[] { InputName, ScaleName, BiasName }),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        bool masked = op == OnnxOperator.ScaledMaskedSoftmax;
        bool normalization = inputs.Length > 1 && !masked;
        long[] shape = [rows, rowLength];
        long[] row = [rowLength];
        return new ProtobufWriter()
            .Varint(ModelIrVersion, opset >= RmsNormalizationOpset ? IrVersionOpset23 : IrVersion)
            .String(ModelProducerName, "KernelGen.Benchmarks")
            .Message(ModelGraph, graph =>
            {
                if (masked)
                {
                    // Mul(X, Scale) → Scaled; Add(Scaled, B) → Logits; the Softmax below reads Logits.
                    graph.Message(GraphNode, node => node.String(NodeInput, InputName).String(NodeInput, ScaleName).String(NodeOutput, "Scaled").String(NodeOpType, "Mul"));
                    graph.Message(GraphNode, node => node.String(NodeInput, "Scaled").String(NodeInput, BiasName).String(NodeOutput, "Logits").String(NodeOpType, "Add"));
                }

                graph.Message(GraphNode, node =>
                {
                    foreach (string input in masked ? new[] { "Logits" } : inputs)
                    {
                        node.String(NodeInput, input);
                    }

                    node.String(NodeOutput, OutputName)
                        .String(NodeOpType, opType)
                        .Message(NodeAttribute, attribute => attribute
                            .String(AttributeName, "axis")
                            .Varint(AttributeInt, -1)
                            .Varint(AttributeType, AttributeTypeInt));
                    if (normalization)
                    {
                        node.Message(NodeAttribute, attribute => attribute
                            .String(AttributeName, "epsilon")
                            .Float(AttributeFloat, (float)epsilon)
                            .Varint(AttributeType, AttributeTypeFloat));
                    }
                });
                graph.String(GraphName, opType.ToLowerInvariant());
                foreach (string input in inputs)
                {
                    graph.Message(GraphInput, value => FloatTensor(value, input, input == InputName ? shape : row));
                }

                graph.Message(GraphOutput, value => FloatTensor(value, OutputName, shape));
            })
            .Message(ModelOpsetImport, opsetImport => opsetImport
                .String(OpsetDomain, string.Empty)
                .Varint(OpsetVersion, opset))
            .ToArray();
    }

    /// <summary>
    /// The serialized model of a <c>SoftmaxCrossEntropyLoss</c> node (opset 13): float scores <c>X</c> of
    /// shape [rows, classes], int64 labels <c>Labels</c> of shape [rows], attributes <c>reduction</c> = "mean"
    /// and <c>ignore_index</c> = <paramref name="ignoreIndex"/>, and the float scalar loss <c>Y</c> (shape []):
    /// the mean of −log softmax(x)[label] over the rows whose label is not the ignore index.
    /// </summary>
    public static byte[] WriteCrossEntropy(int rows, int classes, int ignoreIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        const string opType = "SoftmaxCrossEntropyLoss";
        return new ProtobufWriter()
            .Varint(ModelIrVersion, IrVersion)
            .String(ModelProducerName, "KernelGen.Benchmarks")
            .Message(ModelGraph, graph => graph
                .Message(GraphNode, node => node
                    .String(NodeInput, InputName)
                    .String(NodeInput, LabelsName)
                    .String(NodeOutput, OutputName)
                    .String(NodeOpType, opType)
                    .Message(NodeAttribute, attribute => attribute
                        .String(AttributeName, "reduction")
                        .String(AttributeString, "mean")
                        .Varint(AttributeType, AttributeTypeString))
                    .Message(NodeAttribute, attribute => attribute
                        .String(AttributeName, "ignore_index")
                        .Varint(AttributeInt, ignoreIndex)
                        .Varint(AttributeType, AttributeTypeInt)))
                .String(GraphName, opType.ToLowerInvariant())
                .Message(GraphInput, value => Tensor(value, InputName, ElementTypeFloat, [rows, classes]))
                .Message(GraphInput, value => Tensor(value, LabelsName, ElementTypeInt64, [rows]))
                .Message(GraphOutput, value => Tensor(value, OutputName, ElementTypeFloat, [])))
            .Message(ModelOpsetImport, opsetImport => opsetImport
                .String(OpsetDomain, string.Empty)
                .Varint(OpsetVersion, CrossEntropyOpset))
            .ToArray();
    }

    private static void FloatTensor(ProtobufWriter value, string name, long[] shape) => Tensor(value, name, ElementTypeFloat, shape);

    // A shape with no dimension is a scalar (the TensorShapeProto is present but empty).
    private static void Tensor(ProtobufWriter value, string name, int elementType, long[] shape) => value
        .String(ValueInfoName, name)
        .Message(ValueInfoType, type => type
            .Message(TypeTensorType, tensor => tensor
                .Varint(TensorElementType, elementType)
                .Message(TensorShape, dims =>
                {
                    foreach (long dim in shape)
                    {
                        dims.Message(ShapeDim, d => d.Varint(DimValue, dim));
                    }
                })));
}
