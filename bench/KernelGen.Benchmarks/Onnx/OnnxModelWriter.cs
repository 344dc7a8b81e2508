using System;

namespace KernelGen.Benchmarks.Onnx;

/// <summary>The single-node ONNX models the benchmarks run.</summary>
public enum OnnxOperator
{
    /// <summary><c>Softmax</c> (opset 13, axis −1).</summary>
    Softmax,

    /// <summary><c>LogSoftmax</c> (opset 13, axis −1).</summary>
    LogSoftmax,
}

/// <summary>
/// Writes a one-node ONNX model in memory: float input <c>X</c> of shape [rows, rowLength], one
/// Softmax or LogSoftmax node over the last axis, float output <c>Y</c> of the same shape. A few
/// hundred bytes of protobuf; field numbers from onnx.proto (listed in performance.md).
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>The input's name in the graph.</summary>
    public const string InputName = "X";

    /// <summary>The output's name in the graph.</summary>
    public const string OutputName = "Y";

    /// <summary>The opset the node is written for.</summary>
    public const int Opset = 13;

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
    private const int AttributeInt = 3;
    private const int AttributeType = 20;
    private const int AttributeTypeInt = 2;

    // ValueInfoProto → TypeProto → TypeProto.Tensor → TensorShapeProto → Dimension
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensorType = 1;
    private const int TensorElementType = 1;
    private const int TensorShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int ElementTypeFloat = 1;

    /// <summary>IR version 8 (ONNX 1.10+), which every opset up to 15 may use.</summary>
    private const int IrVersion = 8;

    /// <summary>The serialized model of <paramref name="op"/> over float rows of <paramref name="rowLength"/>.</summary>
    public static byte[] Write(OnnxOperator op, int rows, int rowLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        string opType = op == OnnxOperator.Softmax ? "Softmax" : "LogSoftmax";
        long[] shape = [rows, rowLength];
        return new ProtobufWriter()
            .Varint(ModelIrVersion, IrVersion)
            .String(ModelProducerName, "KernelGen.Benchmarks")
            .Message(ModelGraph, graph => graph
                .Message(GraphNode, node => node
                    .String(NodeInput, InputName)
                    .String(NodeOutput, OutputName)
                    .String(NodeOpType, opType)
                    .Message(NodeAttribute, attribute => attribute
                        .String(AttributeName, "axis")
                        .Varint(AttributeInt, -1)
                        .Varint(AttributeType, AttributeTypeInt)))
                .String(GraphName, opType.ToLowerInvariant())
                .Message(GraphInput, value => FloatTensor(value, InputName, shape))
                .Message(GraphOutput, value => FloatTensor(value, OutputName, shape)))
            .Message(ModelOpsetImport, opset => opset
                .String(OpsetDomain, string.Empty)
                .Varint(OpsetVersion, Opset))
            .ToArray();
    }

    private static void FloatTensor(ProtobufWriter value, string name, long[] shape) => value
        .String(ValueInfoName, name)
        .Message(ValueInfoType, type => type
            .Message(TypeTensorType, tensor => tensor
                .Varint(TensorElementType, ElementTypeFloat)
                .Message(TensorShape, dims =>
                {
                    foreach (long dim in shape)
                    {
                        dims.Message(ShapeDim, d => d.Varint(DimValue, dim));
                    }
                })));
}
