using System;

namespace KernelGen;

/// <summary>
/// Asks KernelGen to write the body of a <c>static partial</c> method as the Gumbel-softmax (Jang, Gu and Poole, "Categorical
/// Reparameterization with Gumbel-Softmax", 2017; Maddison, Mnih and Teh, "The Concrete Distribution", 2017):
/// <c>y = softmax((x + g)/τ)</c> with <c>g_i = −log(−log U_i)</c>, U_i uniform on (0, 1), x the logits (log π up to a
/// constant) and τ = <see cref="Temperature"/>. With <see cref="Hard"/> = true it writes one-hot(argmax(x + g)) instead.
/// </summary>
/// <remarks>
/// Shapes, with <c>T</c> being <see cref="float"/> or <see cref="double"/> (and a trailing <c>int rowLength</c> for many
/// row-major rows): noise from the caller, <c>void M(ReadOnlySpan&lt;T&gt; logits, ReadOnlySpan&lt;T&gt; uniform, Span&lt;T&gt;
/// output)</c>, with one U per logit; or seeded, <c>void M(ReadOnlySpan&lt;T&gt; logits, Span&lt;T&gt; output, ulong seed)</c>,
/// with U from <c>KernelGen.Runtime.GumbelNoise</c> at (seed, index of the element in the whole span): the same noise on
/// every path and in <c>Reference</c>, whatever the machine. See docs/attributes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GumbelSoftmaxAttribute : Attribute
{
    /// <summary>τ in softmax((x + g)/τ); finite and greater than 0. Default 1. Small τ approaches the one-hot sample.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>
    /// False (the default): the soft sample softmax((x + g)/τ). True: the hard sample one-hot(argmax(x + g)) (ties and
    /// rows of −∞ go to the lowest index; a NaN wins, the first one), the forward value of the straight-through estimator.
    /// </summary>
    public bool Hard { get; set; }

    /// <summary>
    /// 0 (the default) accepts rows of any length. N &gt; 0 fixes the row length at build time: rows must have
    /// exactly N elements (the loops get a constant bound).
    /// </summary>
    public int Width { get; set; }

    /// <summary>Vectors processed per loop iteration of the normalization, each with its own accumulator: 1..8, or 0 (the default) for the generator's choice.</summary>
    public int Unroll { get; set; }

    /// <summary>The code paths to emit. Default: <see cref="KernelTargets.All"/>.</summary>
    public KernelTargets Targets { get; set; } = KernelTargets.All;
}
