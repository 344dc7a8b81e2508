using System;
using System.Collections.Generic;
using System.Text;

namespace KernelGen.Benchmarks.Onnx;

/// <summary>
/// The few protobuf encodings an ONNX model needs: varint fields (wire type 0), 32-bit fields
/// (wire type 5) holding floats, and length-delimited fields (wire type 2) holding strings or nested messages.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;
    private const int Fixed32WireType = 5;

    private readonly List<byte> bytes = new();

    /// <summary>An integer field. Negative values take ten bytes (two's complement), as protobuf's int64 does.</summary>
    public ProtobufWriter Varint(int field, long value)
    {
        this.Tag(field, VarintWireType);
        this.RawVarint(unchecked((ulong)value));
        return this;
    }

    /// <summary>A float field: its IEEE 754 bits, little-endian.</summary>
    public ProtobufWriter Float(int field, float value)
    {
        this.Tag(field, Fixed32WireType);
        uint bits = BitConverter.SingleToUInt32Bits(value);
        for (int shift = 0; shift < 32; shift += 8)
        {
            this.bytes.Add((byte)(bits >> shift));
        }

        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtobufWriter String(int field, string value) => this.Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A nested message field, built by <paramref name="build"/>.</summary>
    public ProtobufWriter Message(int field, Action<ProtobufWriter> build)
    {
        var nested = new ProtobufWriter();
        build(nested);
        return this.Bytes(field, nested.ToArray());
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray() => this.bytes.ToArray();

    private ProtobufWriter Bytes(int field, byte[] value)
    {
        this.Tag(field, LengthDelimitedWireType);
        this.RawVarint((ulong)value.Length);
        this.bytes.AddRange(value);
        return this;
    }

    private void Tag(int field, int wireType) => this.RawVarint(((ulong)field << 3) | (uint)wireType);

    private void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            this.bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        this.bytes.Add((byte)value);
    }
}
