using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace KernelGen.Runtime;

/// <summary>
/// Argument checks shared by every generated kernel. They run once per call, before any element
/// is read or written, so a rejected call leaves the output untouched.
/// </summary>
public static class KernelArguments
{
    /// <summary>Checks a one-row call: equal lengths, no partial overlap, and the fixed width if any.</summary>
    /// <param name="input">The input row.</param>
    /// <param name="output">The output row.</param>
    /// <param name="width">The kernel's fixed row length, or 0 for any length.</param>
    /// <param name="inputName">The user's name of the input parameter.</param>
    /// <param name="outputName">The user's name of the output parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateRow<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, int width, string inputName, string outputName)
    {
        if (output.Length != input.Length)
        {
            ThrowLengthMismatch(input.Length, output.Length, outputName);
        }

        ValidateOverlap(input, output, outputName);
        if (width != 0 && input.Length != width && input.Length != 0)
        {
            ThrowWidthMismatch(input.Length, width, inputName);
        }
    }

    /// <summary>
    /// Checks a many-rows call (row-major rows of <paramref name="rowLength"/> elements) and
    /// returns the number of rows.
    /// </summary>
    /// <param name="input">The input rows.</param>
    /// <param name="output">The output rows.</param>
    /// <param name="rowLength">Elements per row; must be positive and divide the input length.</param>
    /// <param name="width">The kernel's fixed row length, or 0 for any length.</param>
    /// <param name="inputName">The user's name of the input parameter.</param>
    /// <param name="outputName">The user's name of the output parameter.</param>
    /// <param name="rowLengthName">The user's name of the row-length parameter.</param>
    /// <returns>The number of rows, <c>input.Length / rowLength</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ValidateRows<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, int rowLength, int width, string inputName, string outputName, string rowLengthName)
    {
        if (rowLength <= 0)
        {
            ThrowRowLengthNotPositive(rowLength, rowLengthName);
        }

        if (output.Length != input.Length)
        {
            ThrowLengthMismatch(input.Length, output.Length, outputName);
        }

        if (input.Length % rowLength != 0)
        {
            ThrowNotMultiple(input.Length, rowLength, inputName);
        }

        if (width != 0 && rowLength != width)
        {
            ThrowWidthMismatch(rowLength, width, rowLengthName);
        }

        ValidateOverlap(input, output, outputName);
        return input.Length / rowLength;
    }

    /// <summary>
    /// Checks a per-column parameter (a weight γ or a bias β): one element per column of a row, and
    /// no overlap with the output (a later row would read what an earlier row wrote).
    /// </summary>
    /// <param name="values">The per-column values.</param>
    /// <param name="rowLength">Elements per row (for a one-row kernel, the row's length).</param>
    /// <param name="output">The output rows.</param>
    /// <param name="name">The user's name of the parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateColumns<T>(ReadOnlySpan<T> values, int rowLength, ReadOnlySpan<T> output, string name)
    {
        if (values.Length != rowLength)
        {
            ThrowColumnsMismatch(values.Length, rowLength, name);
        }

        if (values.Overlaps(output))
        {
            ThrowColumnsOverlap(name);
        }
    }

    /// <summary>
    /// Checks a per-channel parameter of an inference-time normalization over channels-last rows (a
    /// running mean μ, variance σ² or quadratic mean ψ², a weight γ or a bias β): one element per channel
    /// (the row length C), and no overlap with the output (a later row would read what an earlier row wrote).
    /// </summary>
    /// <param name="values">The per-channel values.</param>
    /// <param name="channels">Channels per row, C (for a one-row kernel, the row's length).</param>
    /// <param name="output">The output rows.</param>
    /// <param name="name">The user's name of the parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateChannels<T>(ReadOnlySpan<T> values, int channels, ReadOnlySpan<T> output, string name)
    {
        if (values.Length != channels)
        {
            ThrowChannelsMismatch(values.Length, channels, name);
        }

        if (values.Overlaps(output))
        {
            throw new ArgumentException("This per-channel parameter overlaps the output; it must be separate memory.", name);
        }
    }

    /// <summary>
    /// Checks that a row of a group normalization (one NCHW sample) is <paramref name="channels"/> planes of equal
    /// size: its length is a multiple of the number of channels.
    /// </summary>
    /// <param name="rowLength">Elements per row (for a one-row kernel, the row's length).</param>
    /// <param name="channels">The kernel's number of channels C.</param>
    /// <param name="name">The user's name of the row-length parameter (or of the input, for one row).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateChannelPlanes(int rowLength, int channels, string name)
    {
        if (rowLength % channels != 0)
        {
            throw new ArgumentException($"A row has {rowLength} elements, which is not {channels} channels of equal size (the kernel's Channels = {channels}).", name);
        }
    }

    /// <summary>
    /// Checks a per-column parameter of a fused residual kernel, which writes two outputs: the
    /// checks of <see cref="ValidateColumns{T}(ReadOnlySpan{T}, int, ReadOnlySpan{T}, string)"/> against both.
    /// </summary>
    /// <param name="values">The per-column values.</param>
    /// <param name="rowLength">Elements per row (for a one-row kernel, the row's length).</param>
    /// <param name="output">The output rows.</param>
    /// <param name="sum">The second output (h = x + r).</param>
    /// <param name="name">The user's name of the parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateColumns<T>(ReadOnlySpan<T> values, int rowLength, ReadOnlySpan<T> output, ReadOnlySpan<T> sum, string name)
    {
        ValidateColumns(values, rowLength, output, name);
        if (values.Overlaps(sum))
        {
            ThrowColumnsOverlap(name);
        }
    }

    /// <summary>
    /// Checks the residual r of a fused residual kernel: as long as the input, and either the same
    /// memory as an output (read before it is written, element by element) or apart from it.
    /// </summary>
    /// <param name="residual">The residual rows.</param>
    /// <param name="input">The input rows.</param>
    /// <param name="output">The output rows.</param>
    /// <param name="sum">The second output (h = x + r).</param>
    /// <param name="name">The user's name of the residual parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateResidual<T>(ReadOnlySpan<T> residual, ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> sum, string name)
    {
        if (residual.Length != input.Length)
        {
            ThrowSpanLengthMismatch(input.Length, residual.Length, name);
        }

        if ((residual.Overlaps(output, out int o) && o != 0) || (residual.Overlaps(sum, out int s) && s != 0))
        {
            ThrowPartialOverlap(name);
        }
    }

    /// <summary>
    /// Checks the second output h = x + r of a fused residual kernel: as long as the input, apart from
    /// the output, and either the same memory as the input or the residual (updated in place) or apart from them.
    /// </summary>
    /// <param name="sum">The second output.</param>
    /// <param name="input">The input rows.</param>
    /// <param name="residual">The residual rows.</param>
    /// <param name="output">The output rows.</param>
    /// <param name="name">The user's name of the second output.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateSum<T>(ReadOnlySpan<T> sum, ReadOnlySpan<T> input, ReadOnlySpan<T> residual, ReadOnlySpan<T> output, string name)
    {
        if (sum.Length != input.Length)
        {
            ThrowSpanLengthMismatch(input.Length, sum.Length, name);
        }

        if (sum.Overlaps(output))
        {
            throw new ArgumentException("The sum h = x + r overlaps the output; the two outputs must be separate memory.", name);
        }

        if ((sum.Overlaps(input, out int i) && i != 0) || (sum.Overlaps(residual, out int r) && r != 0))
        {
            ThrowPartialOverlap(name);
        }
    }

    /// <summary>
    /// Checks a one-row loss: the fixed number of classes if any, and the target: a class in
    /// <c>[0, logits.Length)</c> or the ignore index.
    /// </summary>
    /// <param name="logits">The row of logits.</param>
    /// <param name="target">The target class.</param>
    /// <param name="width">The kernel's fixed number of classes, or 0 for any.</param>
    /// <param name="ignoreIndex">The target value that means "ignore this row".</param>
    /// <param name="logitsName">The user's name of the logits parameter.</param>
    /// <param name="targetName">The user's name of the target parameter.</param>
    public static void ValidateTarget<T>(ReadOnlySpan<T> logits, int target, int width, int ignoreIndex, string logitsName, string targetName)
    {
        if (width != 0 && logits.Length != width)
        {
            ThrowWidthMismatch(logits.Length, width, logitsName);
        }

        if (target != ignoreIndex && (uint)target >= (uint)logits.Length)
        {
            ThrowTargetOutOfRange(target, logits.Length, ignoreIndex, -1, targetName);
        }
    }

    /// <summary>
    /// Checks the spans of a backward kernel that have one element per input element: the output
    /// gradient dy as long as the input, and the input gradient dx apart from the input and either the
    /// same memory as dy (in place) or apart from it. (<c>ValidateRow</c>/<c>ValidateRows</c> check dx's length.)
    /// </summary>
    /// <param name="outputGradient">dy, read.</param>
    /// <param name="input">The input rows, read.</param>
    /// <param name="inputGradient">dx, written.</param>
    /// <param name="outputGradientName">The user's name of dy.</param>
    /// <param name="inputGradientName">The user's name of dx.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateGradients<T>(ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> input, ReadOnlySpan<T> inputGradient, string outputGradientName, string inputGradientName)
    {
        if (outputGradient.Length != input.Length)
        {
            ThrowSpanLengthMismatch(input.Length, outputGradient.Length, outputGradientName);
        }

        // The input is read in every pass, after dx is written for earlier elements: it may not share dx's memory.
        ValidateApart(inputGradient, input, inputGradientName);
        if (inputGradient.Overlaps(outputGradient, out int offset) && offset != 0)
        {
            ThrowPartialOverlap(inputGradientName);
        }
    }

    /// <summary>
    /// Checks a many-rows loss: one target per row (<c>logits.Length / targets.Length</c> classes per
    /// row, a whole number; no logits without targets), the fixed number of classes if any, and every
    /// target: a class in <c>[0, classes)</c> or the ignore index. It reads every target before the
    /// kernel writes anything.
    /// </summary>
    /// <param name="logits">The rows of logits, row-major.</param>
    /// <param name="targets">The target class of each row.</param>
    /// <param name="width">The kernel's fixed number of classes, or 0 for any.</param>
    /// <param name="ignoreIndex">The target value that means "ignore this row".</param>
    /// <param name="logitsName">The user's name of the logits parameter.</param>
    /// <param name="targetsName">The user's name of the targets parameter.</param>
    public static void ValidateTargets<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int width, int ignoreIndex, string logitsName, string targetsName)
    {
        if (targets.Length == 0)
        {
            if (logits.Length != 0)
            {
                throw new ArgumentException($"There are {logits.Length} logits but no targets; each row needs one target.", targetsName);
            }

            return;
        }

        if (logits.Length % targets.Length != 0)
        {
            throw new ArgumentException($"The {logits.Length} logits are not a whole number of rows for {targets.Length} targets (one target per row).", logitsName);
        }

        int classes = logits.Length / targets.Length;
        if (width != 0 && classes != width)
        {
            ThrowWidthMismatch(classes, width, logitsName);
        }

        for (int row = 0; row < targets.Length; row++)
        {
            int target = targets[row];
            if (target != ignoreIndex && (uint)target >= (uint)classes)
            {
                ThrowTargetOutOfRange(target, classes, ignoreIndex, row, targetsName);
            }
        }
    }

    /// <summary>
    /// Checks the positives of [InfoNceLoss(Decoupled = true)]: <paramref name="positives"/> slots per row (the targets a
    /// whole number of rows; <c>logits.Length / rows</c> classes per row, a whole number; no logits without targets), the
    /// fixed number of classes if any, and every entry: a class in <c>[0, classes)</c> or the ignore index (padding),
    /// and no class twice in a row. It reads every target before the kernel writes anything.
    /// </summary>
    /// <param name="logits">The rows of similarities, row-major.</param>
    /// <param name="targets">The positives, <paramref name="positives"/> per row.</param>
    /// <param name="positives">P, the slots per row (1 to 1024).</param>
    /// <param name="width">The kernel's fixed number of classes, or 0 for any.</param>
    /// <param name="ignoreIndex">The entry that pads a row with fewer positives.</param>
    /// <param name="logitsName">The user's name of the similarities parameter.</param>
    /// <param name="targetsName">The user's name of the positives parameter.</param>
    public static void ValidatePositives<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int positives, int width, int ignoreIndex, string logitsName, string targetsName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(positives);
        if (targets.Length % positives != 0)
        {
            throw new ArgumentException($"The {targets.Length} positives are not a whole number of rows of {positives} (pad a row with fewer positives with the ignore index {ignoreIndex}).", targetsName);
        }

        int rows = targets.Length / positives;
        if (rows == 0)
        {
            if (logits.Length != 0)
            {
                throw new ArgumentException($"There are {logits.Length} similarities but no positives; each row needs {positives} entries.", targetsName);
            }

            return;
        }

        if (logits.Length % rows != 0)
        {
            throw new ArgumentException($"The {logits.Length} similarities are not a whole number of rows for {rows} rows of positives ({positives} per row).", logitsName);
        }

        int classes = logits.Length / rows;
        if (width != 0 && classes != width)
        {
            ThrowWidthMismatch(classes, width, logitsName);
        }

        Span<int> sorted = positives <= 1024 ? stackalloc int[positives] : new int[positives];
        for (int row = 0; row < rows; row++)
        {
            int count = 0;
            foreach (int target in targets.Slice(row * positives, positives))
            {
                if (target == ignoreIndex)
                {
                    continue;
                }

                if ((uint)target >= (uint)classes)
                {
                    ThrowTargetOutOfRange(target, classes, ignoreIndex, row, targetsName);
                }

                sorted[count++] = target;
            }

            Span<int> present = sorted.Slice(0, count);
            present.Sort();
            for (int i = 1; i < count; i++)
            {
                if (present[i] == present[i - 1])
                {
                    throw new ArgumentException($"Row {row} names class {present[i]} twice as a positive; each positive may appear once (pad with the ignore index {ignoreIndex}). Nothing was written.", targetsName);
                }
            }
        }
    }

    /// <summary>Checks the per-row losses of a loss without reduction: one per row, apart from the logits and the gradient.</summary>
    /// <param name="losses">The per-row losses.</param>
    /// <param name="rows">The number of rows (targets).</param>
    /// <param name="logits">The logits.</param>
    /// <param name="gradient">The gradient, or an empty span.</param>
    /// <param name="name">The user's name of the losses parameter.</param>
    public static void ValidateLosses<T>(ReadOnlySpan<T> losses, int rows, ReadOnlySpan<T> logits, ReadOnlySpan<T> gradient, string name)
    {
        if (losses.Length != rows)
        {
            throw new ArgumentException($"This span has {losses.Length} elements but there are {rows} rows; it needs one loss per row.", name);
        }

        if (losses.Overlaps(logits) || losses.Overlaps(gradient))
        {
            throw new ArgumentException("The losses overlap the logits or the gradient; they must be separate memory.", name);
        }
    }

    /// <summary>
    /// Checks the class weights of a loss: one per class. With no rows the number of classes is the fixed
    /// width if there is one, else any length is accepted (nothing is read).
    /// </summary>
    /// <param name="weights">The per-class weights.</param>
    /// <param name="logits">The logits (one row, or the rows row-major).</param>
    /// <param name="rows">The number of rows: 1 for a one-row loss, else the number of targets.</param>
    /// <param name="width">The kernel's fixed number of classes, or 0 for any.</param>
    /// <param name="name">The user's name of the class-weights parameter.</param>
    public static void ValidateClassWeights<T>(ReadOnlySpan<T> weights, ReadOnlySpan<T> logits, int rows, int width, string name)
    {
        int classes = rows != 0 ? logits.Length / rows : width != 0 ? width : weights.Length;
        if (weights.Length != classes)
        {
            throw new ArgumentException($"This span has {weights.Length} elements but there are {classes} classes; it needs one weight per class.", name);
        }
    }

    /// <summary>Checks a span of one element per row of a loss (sample weights, LSE, predictions, entropy).</summary>
    /// <param name="values">The per-row span.</param>
    /// <param name="rows">The number of rows (targets).</param>
    /// <param name="name">The user's name of the parameter.</param>
    public static void ValidatePerRow<T>(ReadOnlySpan<T> values, int rows, string name)
    {
        if (values.Length != rows)
        {
            throw new ArgumentException($"This span has {values.Length} elements but there are {rows} rows; it needs one element per row.", name);
        }
    }

    /// <summary>
    /// Checks the gradient of a loss: as long as the logits, and either the same memory (the gradient
    /// replaces the logits, read before written element by element) or apart from them.
    /// </summary>
    /// <param name="gradient">The gradient.</param>
    /// <param name="logits">The logits.</param>
    /// <param name="name">The user's name of the gradient parameter.</param>
    public static void ValidateGradient<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> logits, string name)
    {
        if (gradient.Length != logits.Length)
        {
            ThrowSpanLengthMismatch(logits.Length, gradient.Length, name);
        }

        if (gradient.Overlaps(logits, out int offset) && offset != 0)
        {
            ThrowPartialOverlap(name);
        }
    }

    /// <summary>
    /// Checks a per-column gradient of a backward kernel (dγ or dβ), which every row adds into: one
    /// element per column of a row.
    /// </summary>
    /// <param name="gradient">The per-column gradient.</param>
    /// <param name="rowLength">Elements per row (for a one-row kernel, the row's length).</param>
    /// <param name="name">The user's name of the parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateColumnGradient<T>(ReadOnlySpan<T> gradient, int rowLength, string name)
    {
        if (gradient.Length != rowLength)
        {
            ThrowColumnsMismatch(gradient.Length, rowLength, name);
        }
    }

    /// <summary>
    /// Checks the gradient of a run-time scalar parameter (DyT's dα) of a backward kernel: exactly one element,
    /// which the kernel adds into (+=) once per row.
    /// </summary>
    /// <param name="gradient">The one-element gradient.</param>
    /// <param name="name">The user's name of the parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateScalarGradient<T>(ReadOnlySpan<T> gradient, string name)
    {
        if (gradient.Length != 1)
        {
            throw new ArgumentException($"This span has {gradient.Length} elements; the gradient of a scalar parameter needs exactly one, which the kernel adds into.", name);
        }
    }

    /// <summary>Checks a span of one element per logit of an elementwise loss (the soft targets, the per-element losses).</summary>
    /// <param name="values">The span.</param>
    /// <param name="logits">The logits.</param>
    /// <param name="name">The user's name of the parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateElementwise<T>(ReadOnlySpan<T> values, ReadOnlySpan<T> logits, string name)
    {
        if (values.Length != logits.Length)
        {
            ThrowSpanLengthMismatch(logits.Length, values.Length, name);
        }
    }

    /// <summary>
    /// Checks a per-class span of an elementwise loss (its weights): <paramref name="classes"/> elements, K &gt; 0 unless there
    /// are no logits, and the logits whole rows of K. The first per-class span sets K (pass its own length).
    /// </summary>
    /// <param name="values">The per-class span.</param>
    /// <param name="logits">The logits (rows of K, row-major).</param>
    /// <param name="classes">K: the length of the kernel's first per-class span.</param>
    /// <param name="name">The user's name of the parameter.</param>
    public static void ValidatePerClass<T>(ReadOnlySpan<T> values, ReadOnlySpan<T> logits, int classes, string name)
    {
        if (values.Length != classes)
        {
            throw new ArgumentException($"This span has {values.Length} elements but the kernel's first per-class span has {classes}; they must be equal (one per class).", name);
        }

        if (logits.Length != 0 && (classes == 0 || logits.Length % classes != 0))
        {
            throw new ArgumentException($"The logits have {logits.Length} elements, which is not a whole number of rows of {classes} classes (this span's length).", name);
        }
    }

    /// <summary>Checks that a span the kernel writes shares no memory with another span of the call.</summary>
    /// <param name="written">The span the kernel writes.</param>
    /// <param name="other">Another span of the call.</param>
    /// <param name="name">The user's name of the written span.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateApart<T>(ReadOnlySpan<T> written, ReadOnlySpan<T> other, string name)
    {
        if (written.Overlaps(other))
        {
            throw new ArgumentException("This span is written by the kernel and overlaps another of its spans; it must be separate memory.", name);
        }
    }

    /// <summary>
    /// Checks the uniform samples of a <c>[GumbelSoftmax]</c> kernel: one per logit, and either the output's memory (each
    /// U is read before its output is written) or apart from it. The values are not checked (docs/attributes.md).
    /// </summary>
    /// <param name="uniform">The uniform samples U.</param>
    /// <param name="input">The logits.</param>
    /// <param name="output">The output.</param>
    /// <param name="name">The user's name of the uniform parameter.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValidateNoise<T>(ReadOnlySpan<T> uniform, ReadOnlySpan<T> input, ReadOnlySpan<T> output, string name)
    {
        if (uniform.Length != input.Length)
        {
            ThrowSpanLengthMismatch(input.Length, uniform.Length, name);
        }

        if (uniform.Overlaps(output, out int offset) && offset != 0)
        {
            ThrowPartialOverlap(name);
        }
    }

    /// <summary>
    /// Checks a <c>[TopKSoftmax]</c> call and returns the number of rows: a positive row length dividing the logits (for one
    /// row, the logits' length), of the fixed width if any, and of at least K elements; K indices per row; weights as long as
    /// the logits (and the logits' memory or apart from them) or, compact, K per row (apart from the logits).
    /// </summary>
    /// <param name="logits">The logits.</param>
    /// <param name="weights">The weights.</param>
    /// <param name="indices">The indices.</param>
    /// <param name="rowLength">Elements per row (for a one-row kernel, the logits' length).</param>
    /// <param name="k">The kernel's K.</param>
    /// <param name="compact">True when the weights are K per row.</param>
    /// <param name="width">The kernel's fixed row length, or 0 for any length.</param>
    /// <param name="logitsName">The user's name of the logits parameter.</param>
    /// <param name="weightsName">The user's name of the weights parameter.</param>
    /// <param name="indicesName">The user's name of the indices parameter.</param>
    /// <param name="rowLengthName">The user's name of the row-length parameter (for one row, of the logits).</param>
    /// <returns>The number of rows.</returns>
    public static int ValidateTopK<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> weights, ReadOnlySpan<int> indices, int rowLength, int k, bool compact, int width, string logitsName, string weightsName, string indicesName, string rowLengthName)
    {
        if (rowLength <= 0 && rowLengthName != logitsName)
        {
            ThrowRowLengthNotPositive(rowLength, rowLengthName);
        }

        if (rowLength < k)
        {
            throw new ArgumentException($"A row has {rowLength} elements, fewer than K = {k}: there are no K largest to keep.", rowLengthName);
        }

        if (logits.Length % rowLength != 0)
        {
            ThrowNotMultiple(logits.Length, rowLength, logitsName);
        }

        if (width != 0 && rowLength != width)
        {
            ThrowWidthMismatch(rowLength, width, rowLengthName);
        }

        int rows = logits.Length / rowLength;
        if (indices.Length != rows * k)
        {
            throw new ArgumentException($"This span has {indices.Length} elements but there are {rows} rows of K = {k} indices; it needs {rows * k}.", indicesName);
        }

        if (compact)
        {
            if (weights.Length != rows * k)
            {
                throw new ArgumentException($"This span has {weights.Length} elements but there are {rows} rows of K = {k} weights (Compact = true); it needs {rows * k}.", weightsName);
            }

            ValidateApart(weights, logits, weightsName);
        }
        else
        {
            if (weights.Length != logits.Length)
            {
                ThrowSpanLengthMismatch(logits.Length, weights.Length, weightsName);
            }

            if (weights.Overlaps(logits, out int offset) && offset != 0)
            {
                ThrowPartialOverlap(weightsName);
            }
        }

        return rows;
    }

    /// <summary>
    /// Checks the additive mask of an attention softmax: whole rows of <paramref name="rowLength"/>, their count
    /// dividing the number of rows (row r takes mask row r mod that count: one row broadcast over all, one per
    /// head's query, or one per row), and no overlap with the output (a later row would read what an earlier wrote).
    /// </summary>
    /// <param name="mask">The mask rows.</param>
    /// <param name="input">The input rows.</param>
    /// <param name="rowLength">Elements per row (for a one-row kernel, the row's length).</param>
    /// <param name="output">The output rows.</param>
    /// <param name="name">The user's name of the mask parameter.</param>
    public static void ValidateMask<T>(ReadOnlySpan<T> mask, ReadOnlySpan<T> input, int rowLength, ReadOnlySpan<T> output, string name)
    {
        int rows = rowLength == 0 ? 0 : input.Length / rowLength;
        int maskRows = rowLength == 0 ? 0 : mask.Length / rowLength;
        bool empty = input.Length == 0 && mask.Length == 0;
        if (!empty && (rowLength == 0 || mask.Length % rowLength != 0 || maskRows == 0 || rows % maskRows != 0))
        {
            throw new ArgumentException(
                $"This mask has {mask.Length} elements; it needs whole rows of {rowLength} elements, as many as divide the {rows} input row(s): one row for all, or one per row, or one per row of a head.",
                name);
        }

        if (mask.Overlaps(output))
        {
            throw new ArgumentException("This mask overlaps the output; it must be separate memory (a later row would read what an earlier row wrote).", name);
        }
    }

    /// <summary>Checks the rows per head of an attention softmax: positive, and dividing the number of rows.</summary>
    /// <param name="rowsPerHead">The rows of one head (its queries).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="name">The user's name of the parameter.</param>
    public static void ValidateRowsPerHead(int rowsPerHead, int rows, string name)
    {
        if (rowsPerHead <= 0)
        {
            throw new ArgumentOutOfRangeException(name, rowsPerHead, "The rows per head must be positive.");
        }

        if (rows % rowsPerHead != 0)
        {
            throw new ArgumentException($"There are {rows} rows, not a multiple of {rowsPerHead} rows per head.", name);
        }
    }

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> for a path the machine lacks.</summary>
    /// <param name="path">The path that was called.</param>
    [DoesNotReturn]
    public static void ThrowPathNotSupported(KernelPath path) =>
        throw new PlatformNotSupportedException($"The {path} path of this kernel needs instructions that this machine (or the runtime's configuration) does not offer.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ValidateOverlap<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, string outputName)
    {
        // The same memory (in place) is allowed; any other overlap would let one element's
        // result overwrite another element's input before it is read.
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            ThrowOverlap(outputName);
        }
    }

    [DoesNotReturn]
    private static void ThrowLengthMismatch(int inputLength, int outputLength, string outputName) =>
        throw new ArgumentException($"The output has {outputLength} elements but the input has {inputLength}; they must be equal.", outputName);

    [DoesNotReturn]
    private static void ThrowOverlap(string outputName) =>
        throw new ArgumentException("The input and the output overlap without starting at the same element; use the same span for in-place work, or separate memory.", outputName);

    [DoesNotReturn]
    private static void ThrowWidthMismatch(int length, int width, string name) =>
        throw new ArgumentException($"This kernel was generated for rows of exactly {width} elements (Width = {width}), but a row has {length}.", name);

    [DoesNotReturn]
    private static void ThrowSpanLengthMismatch(int inputLength, int length, string name) =>
        throw new ArgumentException($"This span has {length} elements but the input has {inputLength}; they must be equal.", name);

    [DoesNotReturn]
    private static void ThrowPartialOverlap(string name) =>
        throw new ArgumentException("This span overlaps another one without starting at the same element; use the same span (in place) or separate memory.", name);

    [DoesNotReturn]
    private static void ThrowColumnsOverlap(string name) =>
        throw new ArgumentException("This parameter overlaps an output; per-column parameters must be separate memory.", name);

    [DoesNotReturn]
    private static void ThrowColumnsMismatch(int length, int rowLength, string name) =>
        throw new ArgumentException($"This parameter has {length} elements but a row has {rowLength}; it needs one element per column.", name);

    [DoesNotReturn]
    private static void ThrowChannelsMismatch(int length, int channels, string name) =>
        throw new ArgumentException($"This parameter has {length} elements but a row has {channels} channels; it needs one element per channel.", name);

    [DoesNotReturn]
    private static void ThrowRowLengthNotPositive(int rowLength, string name) =>
        throw new ArgumentOutOfRangeException(name, rowLength, "The row length must be greater than zero.");

    [DoesNotReturn]
    private static void ThrowTargetOutOfRange(int target, int classes, int ignoreIndex, int row, string name) =>
        throw new ArgumentOutOfRangeException(
            name,
            target,
            $"{(row < 0 ? "The target" : $"The target of row {row}")} is {target}: it must be a class in [0, {classes}) or the ignore index {ignoreIndex}. Nothing was written.");

    [DoesNotReturn]
    private static void ThrowNotMultiple(int length, int rowLength, string name) =>
        throw new ArgumentException($"The input has {length} elements, which is not a whole number of rows of {rowLength}.", name);
}
