using System;
using System.Reflection;

namespace KernelGen.Benchmarks.Infrastructure;

/// <summary>What a benchmark method computes, which decides how its accuracy is measured.</summary>
public enum Operation
{
    /// <summary>Softmax over each row.</summary>
    Softmax,

    /// <summary>Log-softmax over each row.</summary>
    LogSoftmax,

    /// <summary>Layer normalization of each row, y = γ(x − μ)/sqrt(σ² + ε) + β (ε = <see cref="NormEpsilon.LayerNorm"/>).</summary>
    LayerNorm,

    /// <summary>RMS normalization of each row, y = γ·x/sqrt(mean(x²) + ε) (ε = <see cref="NormEpsilon.RmsNorm"/>).</summary>
    RmsNorm,

    /// <summary>Attention's softmax: softmax(0.125·x + mask), one mask row broadcast over the rows (<c>AttentionSoftmaxBenchmarks</c>).</summary>
    MaskedSoftmax,

    /// <summary>The fused residual LayerNorm: h = x + r written out (the class's <c>Sum</c>), y = LayerNorm(h).</summary>
    LayerNormResidual,

    /// <summary>The fused residual RmsNorm: h = x + r written out (the class's <c>Sum</c>), y = RmsNorm(h).</summary>
    RmsNormResidual,

    /// <summary>
    /// Softmax cross-entropy, forward only: the mean loss over the rows whose target is not
    /// <see cref="CrossEntropyTargets.IgnoreIndex"/>, returned as a scalar (no output array).
    /// </summary>
    CrossEntropy,

    /// <summary>
    /// Softmax cross-entropy, forward and gradient: the mean loss returned as a scalar, and the gradient
    /// (softmax(z) − onehot(y)) / (rows that count) written to the output (0 on ignored rows).
    /// </summary>
    CrossEntropyGradient,

    /// <summary>The spherical Z-loss (A = 0.1, B = 10), forward and gradient: the mean loss returned, the gradient written to the output.</summary>
    SphericalZLossGradient,

    /// <summary>PyTorch's multi_margin_loss (Weston–Watkins, p = 1, margin 1), forward only: the mean loss returned.</summary>
    MultiMarginLoss,

    /// <summary>PyTorch's multi_margin_loss, forward and gradient: the mean loss returned, the subgradient written to the output.</summary>
    MultiMarginLossGradient,

    /// <summary>StableMax over each row, y = s(x)/Σ s(x) with s(x) = x + 1 (x ≥ 0), 1/(1 − x) (x &lt; 0).</summary>
    StableMax,

    /// <summary>Sigmoid attention's weights, y = σ(x − log n) for rows of n (no row sum).</summary>
    SigmoidNormalize,

    /// <summary>The Gumbel-softmax softmax(x + g), g from the counter-based noise of (<c>BenchKernels.GumbelSeed</c>, index).</summary>
    GumbelSoftmax,

    /// <summary>The Gumbel-softmax with the caller's uniform samples <c>BenchKernels.GumbelUniforms</c>.</summary>
    GumbelSoftmaxNoise,

    /// <summary>Top-2 softmax gating: the softmax over the 2 largest of each row at their places, zeros elsewhere.</summary>
    TopK2Softmax,

    /// <summary>Top-8 softmax gating: the softmax over the 8 largest of each row at their places, zeros elsewhere.</summary>
    TopK8Softmax,

    /// <summary>[SoftplusNormalize] over each row, y = softplus(x)/Σ softplus(x) (checked against its generated Reference).</summary>
    SoftplusNormalize,

    /// <summary>[TaylorSoftmax] (order 2) over each row, y = (1 + x + x²/2)/Σ(1 + x + x²/2) (checked against its generated Reference).</summary>
    TaylorSoftmax,

    /// <summary>[SphericalSoftmax] over each row, y = (x² + ε)/Σ(x² + ε) (checked against its generated Reference).</summary>
    SphericalSoftmax,

    /// <summary>Softmax's backward kernel, dx = y ⊙ (dy − ⟨dy, y⟩), from the forward's output y and the gradient dy (<c>SoftmaxBackwardBenchmarks</c>).</summary>
    SoftmaxBackward,

    /// <summary>Log-softmax's backward, dx = dy − softmax·Σdy, from the forward's output (checked against its generated Reference).</summary>
    LogSoftmaxBackward,

    /// <summary>StableMax's backward from the input x (checked against its generated Reference).</summary>
    StableMaxBackward,

    /// <summary>Sparsemax's backward from the forward's output (checked against its generated Reference).</summary>
    SparsemaxBackward,

    /// <summary>1.5-entmax's backward from the forward's output (checked against its generated Reference).</summary>
    Entmax15Backward,

    /// <summary>
    /// [KLDivergence] at T = <c>KLDivergenceBenchmarks.Temperature</c>: T²·KL(softmax(t/T) ‖ softmax(s/T)), the mean over the rows
    /// ('batchmean'), returned as a scalar (checked against its generated Reference).
    /// </summary>
    KLDivergence,

    /// <summary>[KLDivergence] with its gradient T·(p − q)/rows written to the output (checked against its generated Reference).</summary>
    KLDivergenceGradient,

    /// <summary>
    /// [BinaryCrossEntropy] (PyTorch's BCEWithLogitsLoss) on the logits and the class's multi-label targets (its second input),
    /// forward only: the mean over every element returned as a scalar (checked against its generated Reference).
    /// </summary>
    BinaryCrossEntropy,

    /// <summary>[BinaryCrossEntropy] with its gradient (σ(z) − y)/N written to the output (checked against its generated Reference).</summary>
    BinaryCrossEntropyGradient,

    /// <summary>[FocalLoss(Sigmoid = true)] (γ = 2, α = 0.25), mean, with its gradient written to the output (checked against its generated Reference).</summary>
    SigmoidFocalLossGradient,

    /// <summary>A plain copy of the input (the bandwidth baseline).</summary>
    Copy,

    /// <summary>
    /// ArcFace (s = 64, m = 0.5) on cosines, forward and gradient: the mean loss returned, ∂ℓ/∂c written to the output
    /// (checked against the generated Reference).
    /// </summary>
    MarginSoftmaxGradient,

    /// <summary>
    /// Decoupled InfoNCE (τ = 0.1, up to 4 positives per row) on similarities, forward and gradient: the mean loss returned,
    /// ∂ℓ/∂s written to the output (checked against the generated Reference).
    /// </summary>
    InfoNceDecoupledGradient,
}

/// <summary>The peers a kernel's speed is compared with.</summary>
public enum Peer
{
    /// <summary>Not a peer: a KernelGen kernel.</summary>
    None,

    /// <summary>System.Numerics.Tensors: <c>TensorPrimitives.SoftMax</c> for softmax, a composition for log-softmax and the normalizations.</summary>
    TensorPrimitives,

    /// <summary>ONNX Runtime's CPU kernel (MLAS).</summary>
    OnnxRuntime,

    /// <summary>The copy-bandwidth baseline (<c>Span.CopyTo</c> of the same bytes).</summary>
    Copy,

    /// <summary>Another peer, shown without being a reference point.</summary>
    Other,
}

/// <summary>Marks a benchmark method that runs a generated KernelGen kernel.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class KernelBenchmarkAttribute : Attribute
{
    /// <summary>A kernel called through one of its paths (<c>MPaths.Avx512</c>, ...).</summary>
    public KernelBenchmarkAttribute(Operation operation, SoftmaxAlgorithm algorithm, KernelPath path)
    {
        this.Operation = operation;
        this.Algorithm = algorithm;
        this.Path = path;
    }

    /// <summary>A kernel called through its dispatching entry point (the path <c>MPaths.Selected</c> names).</summary>
    public KernelBenchmarkAttribute(Operation operation, SoftmaxAlgorithm algorithm)
    {
        this.Operation = operation;
        this.Algorithm = algorithm;
        this.Dispatched = true;
    }

    /// <summary>A kernel without an algorithm option (the normalizations, cross-entropy) called through one of its paths.</summary>
    public KernelBenchmarkAttribute(Operation operation, KernelPath path)
        : this(operation, SoftmaxAlgorithm.Auto, path)
    {
    }

    /// <summary>A kernel without an algorithm option called through its dispatching entry point.</summary>
    public KernelBenchmarkAttribute(Operation operation)
        : this(operation, SoftmaxAlgorithm.Auto)
    {
    }

    /// <summary>Softmax, log-softmax, LayerNorm, RmsNorm or cross-entropy.</summary>
    public Operation Operation { get; }

    /// <summary>The kernel's algorithm option (softmax family; <see cref="SoftmaxAlgorithm.Auto"/> for the normalizations and cross-entropy, which have none).</summary>
    public SoftmaxAlgorithm Algorithm { get; }

    /// <summary>The path called, unless <see cref="Dispatched"/>.</summary>
    public KernelPath Path { get; }

    /// <summary>Whether the kernel's entry point is called (it picks the path itself).</summary>
    public bool Dispatched { get; }

    /// <summary>The kernel's fixed row length, or 0. A kernel with a width runs only at that row length.</summary>
    public int Width { get; set; }

    /// <summary>The path that actually runs.</summary>
    public KernelPath EffectivePath => this.Dispatched ? PathSupport.Selected : this.Path;
}

/// <summary>Marks a benchmark method that runs a peer (TensorPrimitives, ONNX Runtime, a copy).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class PeerBenchmarkAttribute : Attribute
{
    /// <summary>A peer computing <paramref name="operation"/> and touching <paramref name="bytesPerElement"/> bytes per element.</summary>
    public PeerBenchmarkAttribute(Peer peer, Operation operation, int bytesPerElement)
    {
        this.Peer = peer;
        this.Operation = operation;
        this.BytesPerElement = bytesPerElement;
    }

    /// <summary>Which peer this is.</summary>
    public Peer Peer { get; }

    /// <summary>What it computes.</summary>
    public Operation Operation { get; }

    /// <summary>Bytes read plus bytes written per element, as the peer's implementation is known to do.</summary>
    public int BytesPerElement { get; }
}

/// <summary>What the columns and the check need to know about one benchmark method.</summary>
/// <param name="Operation">What it computes.</param>
/// <param name="Peer">Which peer it is, or <see cref="Peer.None"/> for a KernelGen kernel.</param>
/// <param name="Kernel">The kernel's description, for a KernelGen kernel.</param>
/// <param name="PeerBytesPerElement">The bytes per element of a peer.</param>
public sealed record BenchmarkMethodInfo(Operation Operation, Peer Peer, KernelBenchmarkAttribute? Kernel, int PeerBytesPerElement)
{
    /// <summary>Reads the attributes of a benchmark method; null when it has none.</summary>
    public static BenchmarkMethodInfo? Of(MethodInfo method)
    {
        if (method.GetCustomAttribute<KernelBenchmarkAttribute>() is { } kernel)
        {
            return new BenchmarkMethodInfo(kernel.Operation, Peer.None, kernel, 0);
        }

        if (method.GetCustomAttribute<PeerBenchmarkAttribute>() is { } peer)
        {
            return new BenchmarkMethodInfo(peer.Operation, peer.Peer, null, peer.BytesPerElement);
        }

        return null;
    }

    /// <summary>
    /// Whether this machine can run <paramref name="method"/>: by its metadata's path, or, for a method without metadata
    /// (a floor of a <c>--ratios</c> ceiling row), by the path its name starts with (<c>Avx512_…</c>, <c>Avx2_…</c>).
    /// </summary>
    public static bool CanRun(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (Of(method) is { } info)
        {
            return info.IsSupported;
        }

        int underscore = method.Name.IndexOf('_', StringComparison.Ordinal);
        return underscore <= 0 || !Enum.TryParse(method.Name[..underscore], out KernelPath path) || PathSupport.IsSupported(path);
    }

    /// <summary>Whether this machine can run the method (a KernelGen path the machine lacks cannot).</summary>
    public bool IsSupported => this.Kernel is null || this.Kernel.Dispatched || PathSupport.IsSupported(this.Kernel.Path);

    /// <summary>Whether the method takes rows of <paramref name="rowLength"/> (a <c>Width = N</c> kernel takes only rows of N).</summary>
    public bool Accepts(int rowLength) => this.Kernel is not { Width: not 0 } kernel || kernel.Width == rowLength;

    /// <summary>Bytes read plus bytes written per element for rows of <paramref name="rowLength"/>.</summary>
    public int BytesPerElement(int rowLength) =>
        this.Kernel is null ? this.PeerBytesPerElement : Traffic.KernelBytesPerElement(this.Kernel, rowLength);
}

/// <summary>
/// The memory traffic model: bytes read plus bytes written per element by each algorithm, counting
/// every pass over the row (not only the passes that miss the cache), 4-byte floats.
/// </summary>
public static class Traffic
{
    /// <summary>The row length (in floats) up to which Auto runs ThreePassReload (8 MiB rows); TwoPass beyond.</summary>
    public const int AutoStreamingThreshold = 2 * 1024 * 1024;

    /// <summary>The bytes per element of a generated kernel for rows of <paramref name="rowLength"/>.</summary>
    public static int KernelBytesPerElement(KernelBenchmarkAttribute kernel, int rowLength)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Operation is Operation.LayerNorm or Operation.RmsNorm or Operation.LayerNormResidual or Operation.RmsNormResidual)
        {
            return NormBytesPerElement(kernel);
        }

        if (kernel.Operation is Operation.CrossEntropy or Operation.CrossEntropyGradient)
        {
            return CrossEntropyBytesPerElement(kernel.Operation);
        }

        if (kernel.Operation is Operation.MarginSoftmaxGradient or Operation.InfoNceDecoupledGradient)
        {
            // The cross-entropy's passes: the normalizer reads the cosines, the gradient pass reads them again and writes.
            return 12;
        }

        if (kernel.Operation is Operation.SphericalZLossGradient or Operation.MultiMarginLoss or Operation.MultiMarginLossGradient)
        {
            // Z-loss: three reads (Σ(o − o_0), Σ(o − μ)², the gradient pass) and a write; hinge: one read, and with the gradient a second read and a write.
            return kernel.Operation switch { Operation.SphericalZLossGradient => 16, Operation.MultiMarginLoss => 4, _ => 12 };
        }

        if (kernel.Operation is Operation.BinaryCrossEntropy or Operation.BinaryCrossEntropyGradient or Operation.SigmoidFocalLossGradient)
        {
            // One pass: the logits and the targets read (and the gradient written).
            return kernel.Operation == Operation.BinaryCrossEntropy ? 8 : 12;
        }

        if (kernel.Operation is Operation.KLDivergence or Operation.KLDivergenceGradient)
        {
            // Pass 1 reads the student and the teacher (their online normalizers), pass 2 reads both again (and writes the gradient).
            return kernel.Operation == Operation.KLDivergence ? 16 : 20;
        }

        if (kernel.Operation == Operation.MaskedSoftmax)
        {
            // Auto at the attention shapes is ThreePassReload, each row on its own (the mask row stays in L1, not counted).
            return 20;
        }

        if (kernel.Operation is Operation.SoftmaxBackward or Operation.LogSoftmaxBackward or Operation.StableMaxBackward or Operation.SparsemaxBackward or Operation.Entmax15Backward)
        {
            // Pass 1 reads y and dy for ⟨dy, y⟩, pass 2 reads them again and writes dx.
            return 20;
        }

        if (kernel.Operation is Operation.SoftplusNormalize or Operation.TaylorSoftmax or Operation.SphericalSoftmax)
        {
            // Pass 1 stores g(x) and sums it, pass 2 scales in place, as StableMax.
            return 16;
        }

        if (kernel.Operation is Operation.StableMax or Operation.SigmoidNormalize)
        {
            // StableMax: pass 1 reads x and stores s(x), pass 2 rescales it in place; sigmoid: one read, one write.
            return kernel.Operation == Operation.StableMax ? 16 : 8;
        }

        bool log = kernel.Operation == Operation.LogSoftmax;
        KernelPath path = kernel.EffectivePath;
        if (path == KernelPath.Scalar)
        {
            // The scalar path is always three passes (max; exp and sum; scale or subtract).
            return log ? 16 : 20;
        }

        SoftmaxAlgorithm algorithm = kernel.Algorithm;
        int width = kernel.Width;
        if (width != 0)
        {
            int lanes = path switch { KernelPath.Avx512 => 16, KernelPath.Avx2 => 8, _ => 4 };
            int registers = path == KernelPath.Avx512 ? 16 : 8;
            if ((width + lanes - 1) / lanes <= registers)
            {
                // The row is kept in registers: read once, written once.
                return 8;
            }

            rowLength = width;
        }

        if (algorithm == SoftmaxAlgorithm.Auto)
        {
            algorithm = rowLength <= AutoStreamingThreshold ? SoftmaxAlgorithm.ThreePassReload : SoftmaxAlgorithm.TwoPass;
        }

        return algorithm switch
        {
            SoftmaxAlgorithm.ThreePassReload => 20,             // pass 2 stores the exps (log-softmax: x − max) that pass 3 reloads
            SoftmaxAlgorithm.ThreePassRecompute => 16,
            _ => 12,                                            // TwoPass, Online
        };
    }

    /// <summary>
    /// The bytes per element of a generated normalization, on every path (the scalar path makes the
    /// same passes): LayerNorm reads the row three times (Σ(x − x₀); Σ(x − a)²; the output pass) and
    /// writes it once, 16; RmsNorm reads it twice (Σx²; the output pass) and writes it once, 12; a
    /// <c>Width = N</c> row kept in registers is read once and written once, 8. The weight γ and bias β
    /// are not counted: one row each, read from L1 for every row of the batch.
    /// </summary>
    public static int NormBytesPerElement(KernelBenchmarkAttribute kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Width != 0)
        {
            KernelPath path = kernel.EffectivePath;
            int lanes = path switch { KernelPath.Avx512 => 16, KernelPath.Avx2 => 8, _ => 4 };
            int registers = path == KernelPath.Avx512 ? 16 : 8;
            if (path != KernelPath.Scalar && (kernel.Width + lanes - 1) / lanes <= registers)
            {
                return 8;
            }
        }

        // The fused residual forms read x and r and write h in their first pass (12), then read h where the plain
        // form reads x: LayerNorm 12 + 4 + 8, RmsNorm 12 + 8.
        return kernel.Operation switch
        {
            Operation.LayerNorm => 16,
            Operation.LayerNormResidual => 24,
            Operation.RmsNormResidual => 20,
            _ => 12,
        };
    }

    /// <summary>
    /// The bytes per element of a generated cross-entropy kernel, on every path: forward only reads the
    /// logits once (the online normalizer gives max and Σ exp in one pass), 4; forward and gradient reads
    /// them twice (the online normalizer; the gradient pass) and writes the gradient once, 12. The
    /// targets (4 bytes per row) are not counted.
    /// </summary>
    public static int CrossEntropyBytesPerElement(Operation operation) =>
        operation == Operation.CrossEntropyGradient ? 12 : 4;
}
