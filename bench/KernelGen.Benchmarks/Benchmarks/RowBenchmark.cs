using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using KernelGen.Benchmarks.Infrastructure;

namespace KernelGen.Benchmarks;

/// <summary>
/// The common ground of every benchmark class: the shape parameter, the input (N(0,1)·4 logits
/// with a fixed seed), the output (both 64-byte aligned, for every method and peer alike), and the copy-bandwidth baseline over the same bytes.
/// </summary>
public abstract class RowBenchmark
{
    private RowShape shape = RowShape.Parse("1024x1024");

    /// <summary>Rows × row length, as "ROWSxLENGTH"; read by <see cref="Setup"/>.</summary>
    /// <remarks>BenchmarkDotNet's generated code first assigns <c>default</c> (null), then the value.</remarks>
    [ParamsSource(nameof(ShapeValues))]
    public string Shape { get; set; } = "1024x1024";

    /// <summary>The shapes this class runs over, narrowed by <c>--shapes</c>.</summary>
    public IEnumerable<string> ShapeValues => BenchShapes.Filter(this.OfferedShapes);

    /// <summary>The input batch, on a 64-byte boundary (<see cref="AlignedArray"/>); read-only.</summary>
    public ArraySegment<float> Input { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>The output batch, on a 64-byte boundary unless the class says otherwise (<see cref="OutputOffset"/>).</summary>
    public ArraySegment<float> Output { get; private set; } = ArraySegment<float>.Empty;

    /// <summary>
    /// The second input of the methods that take one, for the accuracy check: the fused residual normalizations'
    /// residual rows r, the masked softmax's mask row; empty otherwise.
    /// </summary>
    public virtual ArraySegment<float> SecondInput => ArraySegment<float>.Empty;

    /// <summary>The parsed shape.</summary>
    public RowShape RowShape => this.shape;

    /// <summary>The elements per row.</summary>
    protected int RowLength => this.shape.RowLength;

    /// <summary>
    /// Elements between a 64-byte boundary and the start of <see cref="Output"/>: 0 (aligned) in every class but those that
    /// measure what a user's own array gets (a <c>new float[]</c> is only 8-byte aligned).
    /// </summary>
    protected virtual int OutputOffset => 0;

    /// <summary>The shapes of this class before <c>--shapes</c>.</summary>
    protected virtual IReadOnlyList<string> OfferedShapes => BenchShapes.All;

    /// <summary>Creates the input and the output.</summary>
    [GlobalSetup]
    public virtual void Setup()
    {
        this.shape = RowShape.Parse(this.Shape);
        this.Input = AlignedArray.CopyOf(InputCache.Logits(this.shape));
        this.Output = AlignedArray.Create(this.Input.Count + this.OutputOffset).Slice(this.OutputOffset);
    }

    /// <summary>Releases what <see cref="Setup"/> acquired beyond memory.</summary>
    [GlobalCleanup]
    public virtual void Cleanup()
    {
    }

    /// <summary>The bandwidth baseline: <c>Span.CopyTo</c> of the whole input into the output (4 bytes read and 4 written per element).</summary>
    [Benchmark]
    [PeerBenchmark(Peer.Copy, Operation.Copy, bytesPerElement: 8)]
    public void Copy() => this.Input.AsSpan().CopyTo(this.Output);
}
