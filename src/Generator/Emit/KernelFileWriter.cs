using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Helpers;
using KernelGen.Generator.Models;

namespace KernelGen.Generator.Emit;

/// <summary>What a kernel family writes inside the shell that <see cref="KernelFileWriter"/> provides.</summary>
internal interface IKernelRowWriter
{
    /// <summary>One sentence for the XML docs: what the kernel computes.</summary>
    string Summary { get; }

    /// <summary>The fixed row length (0 = any): with one, row methods take no length.</summary>
    int Width { get; }

    /// <summary>Writes the private constants of the paths class (the width, temperature factors...).</summary>
    void WriteConstants(IndentedWriter writer);

    /// <summary>
    /// Writes <c>private static void {path}Row(ref T x, ..., ref T y[, nint n])</c> (one <c>ref T</c> per span of the
    /// signature and one <c>T</c> per scalar, in its order, named by <see cref="KernelParameter.RowName"/>) and any helpers it needs.
    /// </summary>
    void WriteRow(IndentedWriter writer, PathInfo path);

    /// <summary>Writes <c>private static void ReferenceRow(ReadOnlySpan&lt;T&gt; x, ..., Span&lt;T&gt; y)</c>, one span per span of the signature (and the scalars, as <c>T</c>).</summary>
    void WriteReferenceRow(IndentedWriter writer);

    /// <summary>
    /// Writes the path's own <c>{path}Rows</c> loop and returns true, or returns false to let the shell
    /// write the plain one (each row through <c>{path}Row</c>). A family writes its own to carry work
    /// from one row to the next.
    /// </summary>
    bool WriteRowsLoop(IndentedWriter writer, PathInfo path);

    /// <summary>
    /// Writes <c>ReferenceRows</c> (same parameters as the kernel) and returns true, or returns false to let the
    /// shell write the plain one (each row through <c>ReferenceRow</c>). A loss writes its own: it reduces over rows.
    /// </summary>
    bool WriteReferenceRowsLoop(IndentedWriter writer);
}

/// <summary>
/// A family whose vector rows can write their output with streaming (non-temporal) stores: the shell's rows loop
/// decides once per call (<c>CacheHints.ShouldStream(input, output)</c>: an output of 8 MiB or more that does not
/// overlap the input) and passes the decision to every row as a last argument, <c>bool stream</c>. The rows do not fence
/// their streaming stores: the shell's loop does, once after the last row (on the thread that wrote them, also for a
/// parallel block), so that the output is complete when the call returns.
/// </summary>
internal interface IKernelStreamingWriter
{
    /// <summary>True when the path's row method takes the trailing <c>bool stream</c>.</summary>
    bool StreamsOutput(PathInfo path);
}

/// <summary>
/// A family whose vector rows can also be taken two at a time while the output stays in cache: <c>{path}RowPair</c>
/// takes each span the rows share (<see cref="KernelParameter.IsBroadcast"/>) once and every other span twice
/// (<c>{name}0</c> for the first row, <c>{name}1</c> for the second), then <c>nint n</c> as <c>{path}Row</c> (no
/// <c>bool stream</c>: it writes with ordinary stores). The shell's many-rows loop calls it for the rows two by two when
/// the call's output does not stream, and <c>{path}Row</c> for an odd last row and for every row of a call whose output
/// streams (the shell's decision, as for <see cref="IKernelStreamingWriter"/>, which a pairing family is).
/// </summary>
internal interface IKernelRowPairWriter
{
    /// <summary>True when the path writes <c>{path}RowPair</c> and its many-rows loop takes rows two at a time.</summary>
    bool PairsRows(PathInfo path);
}

/// <summary>
/// A family whose vector rows, many of them short and in cache, can run as a chain: <c>{path}RowChain</c> takes the
/// spans of the first row as <c>{path}Row</c> does, then <c>int rows</c> (at least 1) and <c>nint n</c> (when the width is
/// not fixed), and carries work from one row into the row before it (the RMS norms: each row's output pass sums the next
/// row's squares, so that reading the next row overlaps writing this one). Every row must come out with the bits
/// <c>{path}Row</c> gives it. The shell's many-rows loop hands it all the rows of a call whose output does not stream
/// (the shell's decision, as for <see cref="IKernelStreamingWriter"/>, which a chaining family is) and whose rows are at
/// most <see cref="ChainsRowsUpTo"/> elements long.
/// </summary>
internal interface IKernelRowChainWriter
{
    /// <summary>The longest row the path's many-rows loop hands to <c>{path}RowChain</c>; 0 when the path writes none.</summary>
    int ChainsRowsUpTo(PathInfo path);
}

/// <summary>
/// A family whose many-rows kernels may run their rows on several threads (<c>Parallel = true</c>): each path method
/// then hands blocks of rows of its <c>{Path}Rows</c> method to <c>KernelGen.Runtime.RowParallel</c>. The rows must be
/// independent (no sum over rows, no use of the row's index), and the signature's parameters spans only.
/// </summary>
internal interface IKernelParallelWriter
{
    /// <summary>True when the kernel was declared with <c>Parallel = true</c>.</summary>
    bool RowsInParallel { get; }
}

/// <summary>A family whose argument checks are not the shell's (e.g. per-channel spans of another length than the row).</summary>
internal interface IKernelValidationWriter
{
    /// <summary>Writes the checks at the top of every path method and of Reference (the user's parameter names are in scope).</summary>
    void WriteValidation(IndentedWriter writer, KernelSignature signature, string pathsClass);
}

/// <summary>
/// Writes the file every kernel shares: the header, the containing namespace and types, the
/// dispatching body of M, and the nested MPaths class with one public method per path (argument
/// checks, then the rows), Reference and Selected. The family's <see cref="IKernelRowWriter"/>
/// writes what happens to one row.
/// </summary>
internal static class KernelFileWriter
{
    /// <summary>
    /// Put on every method that walks rows: compiled fully optimized at the first call, so a kernel
    /// never runs as tier-0 code (or waits for on-stack replacement) in its first calls and benchmarks.
    /// </summary>
    public const string HotMethodAttribute = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    public const string GeneratedCodeAttribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"KernelGen\", \"" + GeneratorInfo.Version + "\")]";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string Arguments = "global::KernelGen.Runtime.KernelArguments";

    public static string Write(HierarchyInfo hierarchy, KernelSignature signature, int targets, IKernelRowWriter rows)
    {
        var writer = new IndentedWriter();
        writer.Line("// <auto-generated/>");
        writer.Line("// Written by KernelGen " + GeneratorInfo.Version + ". Each path below is specialized for this kernel's options;");
        writer.Line("// the arithmetic words (exp, reductions) are KernelGen.Runtime methods that inline here.");
        writer.Line("#nullable enable");
        writer.Line();

        var scopes = new Stack<IndentedWriter.BlockScope>();
        if (hierarchy.Namespace is not null)
        {
            scopes.Push(writer.Block("namespace " + hierarchy.Namespace));
        }

        foreach (ContainingTypeInfo type in hierarchy.Types)
        {
            scopes.Push(writer.Block("partial class " + type.Name));
        }

        // Generated code names its own members fully qualified, so that no user parameter name can shadow them.
        string pathsClass = "global::" + hierarchy.FullName + "." + signature.MethodName + "Paths";
        List<PathInfo> paths = PathInfo.All.Where(p => (targets & p.TargetFlag) != 0).ToList();
        WriteDispatcher(writer, signature, paths, pathsClass);
        writer.Line();
        WritePathsClass(writer, signature, paths, rows, pathsClass);

        while (scopes.Count != 0)
        {
            scopes.Pop().Dispose();
        }

        return writer.ToString();
    }

    /// <summary>The C# type of the element: float or double.</summary>
    public static string ElementName(ElementType element) => element == ElementType.Float ? "float" : "double";

    private static string Parameters(KernelSignature s) =>
        string.Join(", ", s.Parameters.Select(p => Declaration(p, ElementName(s.Element), p.Name)));

    private static string ArgumentList(KernelSignature s) => string.Join(", ", s.Parameters.Select(static p => p.Name));

    /// <summary>The parameters of the generated helpers (rows loops), named by role so no user name can clash.</summary>
    public static string LocalParameters(KernelSignature s) =>
        string.Join(", ", s.Parameters.Select(p => Declaration(p, ElementName(s.Element), p.LocalName)));

    private static string Declaration(KernelParameter p, string t, string name)
    {
        string type = SignatureShape.TypeText(p.Role, t);
        return (type.EndsWith(">", System.StringComparison.Ordinal) ? "global::System." + type : type) + " " + name;
    }

    /// <summary>The return type of the kernel's methods: T for a reduced loss, else void.</summary>
    public static string ReturnType(KernelSignature s) => s.ReturnsElement ? ElementName(s.Element) : "void";

    // "return " before a call whose value the method passes on, or nothing.
    private static string Return(KernelSignature s) => s.ReturnsElement ? "return " : string.Empty;

    private static void WriteDispatcher(IndentedWriter writer, KernelSignature s, List<PathInfo> paths, string pathsClass)
    {
        string modifiers = s.Modifiers.Length == 0 ? "static partial" : s.Modifiers + " static partial";
        writer.Line(GeneratedCodeAttribute);
        using (writer.Block($"{modifiers} {ReturnType(s)} {s.MethodName}({Parameters(s)})"))
        {
            writer.Line("// Dispatch to the widest path this machine has. Every condition is a JIT-time constant,");
            writer.Line("// so only the chosen call survives in the machine code.");
            foreach (PathInfo path in paths.Where(static p => p.IsVector))
            {
                using (writer.Block($"if ({path.DispatchCondition})"))
                {
                    if (s.ReturnsElement)
                    {
                        writer.Line($"return {pathsClass}.{path.Name}({ArgumentList(s)});");
                    }
                    else
                    {
                        writer.Line($"{pathsClass}.{path.Name}({ArgumentList(s)});");
                        writer.Line("return;");
                    }
                }

                writer.Line();
            }

            writer.Line($"{Return(s)}{pathsClass}.Scalar({ArgumentList(s)});");
        }
    }

    private static void WritePathsClass(IndentedWriter writer, KernelSignature s, List<PathInfo> paths, IKernelRowWriter rows, string pathsClass)
    {
        string t = ElementName(s.Element);
        bool parallel = rows is IKernelParallelWriter { RowsInParallel: true } && s.Shape == KernelShape.ManyRows;
        writer.Line($"/// <summary>The code paths of the <c>{s.MethodName}</c> kernel ({rows.Summary}): one method per path, the");
        writer.Line("/// scalar <see cref=\"Reference\"/> that specifies it, and the path this machine <see cref=\"Selected\"/>.</summary>");
        writer.Line(GeneratedCodeAttribute);
        using (writer.Block($"{s.PathsAccessibility} static class {s.MethodName}Paths"))
        {
            rows.WriteConstants(writer);
            writer.Line();
            if (parallel)
            {
                WriteParallelBlocks(writer, s, t, paths);
            }

            writer.Line($"/// <summary>The path that <c>{s.MethodName}</c> dispatches to on this machine.</summary>");
            writer.Line("public static global::KernelGen.KernelPath Selected =>");
            foreach (PathInfo path in paths.Where(static p => p.IsVector))
            {
                writer.Line($"    ({path.DispatchCondition}) ? global::KernelGen.KernelPath.{path.Name} :");
            }

            writer.Line("    global::KernelGen.KernelPath.Scalar;");

            foreach (PathInfo path in paths)
            {
                writer.Line();
                writer.Line($"/// <summary>The {path.Description}. Same contract as <c>{s.MethodName}</c>.</summary>");
                if (path.IsVector)
                {
                    writer.Line("/// <exception cref=\"global::System.PlatformNotSupportedException\">The machine lacks this path's instructions.</exception>");
                }

                using (writer.Block($"public static {ReturnType(s)} {path.Name}({Parameters(s)})"))
                {
                    if (path.IsVector)
                    {
                        using (writer.Block($"if (!({path.SupportCondition}))"))
                        {
                            writer.Line($"{Arguments}.ThrowPathNotSupported(global::KernelGen.KernelPath.{path.Name});");
                        }

                        writer.Line();
                    }

                    WriteValidation(writer, s, pathsClass, rows);
                    if (parallel)
                    {
                        WriteParallelDispatch(writer, s, t, path.Name);
                    }

                    writer.Line($"{Return(s)}{pathsClass}.{path.Name}Rows({ArgumentList(s)});");
                }
            }

            writer.Line();
            writer.Line($"/// <summary>The scalar reference of <c>{s.MethodName}</c>: the textbook formula in double precision with compensated");
            writer.Line("/// sums, written for clarity and accuracy, never for speed. The oracle of the tests and the readable specification.</summary>");
            using (writer.Block($"public static {ReturnType(s)} Reference({Parameters(s)})"))
            {
                WriteValidation(writer, s, pathsClass, rows);
                writer.Line($"{Return(s)}{pathsClass}.ReferenceRows({ArgumentList(s)});");
            }

            foreach (PathInfo path in paths)
            {
                writer.Line();
                if (!rows.WriteRowsLoop(writer, path))
                {
                    WriteRowsLoop(writer, s, t, path.Name, rows.Width, rows is IKernelStreamingWriter streaming && streaming.StreamsOutput(path), rows is IKernelRowPairWriter pairing && pairing.PairsRows(path), rows is IKernelRowChainWriter chaining ? chaining.ChainsRowsUpTo(path) : 0);
                }
            }

            writer.Line();
            if (!rows.WriteReferenceRowsLoop(writer))
            {
                WriteReferenceRowsLoop(writer, s, t);
            }

            foreach (PathInfo path in paths)
            {
                writer.Line();
                rows.WriteRow(writer, path);
            }

            writer.Line();
            rows.WriteReferenceRow(writer);
        }
    }

    // Parallel = true: one cached static delegate per path that runs a block of rows of {Path}Rows, the spans cut to the
    // block (row-major data by rows, per-row statistics by row, per-column parameters whole).
    private static void WriteParallelBlocks(IndentedWriter writer, KernelSignature s, string t, List<PathInfo> paths)
    {
        var spans = s.Parameters.Where(static p => p.IsSpan).ToList();
        string Argument(KernelParameter p) => p.Role == ParameterRole.RowLength
            ? "block.RowLength"
            : $"block.{(p.IsBroadcast ? "Whole" : p.IsPerRow ? "PerRow" : "Rows")}({spans.IndexOf(p)})";
        string arguments = string.Join(", ", s.Parameters.Select(Argument));
        writer.Line("// Parallel = true: a call's rows are cut into blocks, one per thread (KernelGen.Runtime.RowParallel); each block runs a path's rows loop on");
        writer.Line("// its rows of the data, its rows of the per-row outputs and the whole of the per-column parameters. Cached: nothing is allocated per call.");
        foreach (PathInfo path in paths)
        {
            writer.Line($"private static readonly global::KernelGen.Runtime.RowParallel.RowsBody<{t}> {path.Name}Block =");
            writer.Line($"    static (ref global::KernelGen.Runtime.RowParallel.RowBlock<{t}> block) => {path.Name}Rows({arguments});");
        }

        writer.Line();
    }

    // Parallel = true: a path method hands its rows to the pool when the call is large enough for two threads or more,
    // with the number of blocks PartsFor gave (asked once per call). The one local, the pattern's, is named apart from the
    // user's parameter names, which are in scope; the row length is validated > 0 above.
    private static void WriteParallelDispatch(IndentedWriter writer, KernelSignature s, string t, string pathName)
    {
        string rowLength = s.RowLengthName!;
        string spans = string.Join(", ", s.Parameters.Where(static p => p.IsSpan).Select(static p => p.Name));
        string rows = $"{s.InputName}.Length / {rowLength}";
        string parts = "parts";
        while (s.Parameters.Any(p => p.Name == parts))
        {
            parts = "_" + parts;
        }

        using (writer.Block($"if (global::KernelGen.Runtime.RowParallel.PartsFor({rows}, {s.InputName}.Length) is int {parts} and > 1)"))
        {
            writer.Line($"global::KernelGen.Runtime.RowParallel.For({pathName}Block, {rows}, {rowLength}, {parts}, new global::KernelGen.Runtime.RowParallel.SpanList<{t}>({spans}));");
            writer.Line("return;");
        }

        writer.Line();
    }

    private static void WriteValidation(IndentedWriter writer, KernelSignature s, string pathsClass, IKernelRowWriter rows)
    {
        if (rows is IKernelValidationWriter custom)
        {
            custom.WriteValidation(writer, s, pathsClass);
        }
        else
        {
            WriteDefaultValidation(writer, s, pathsClass);
        }
    }

    /// <summary>Writes the checks the shell gives a kernel that has no <see cref="IKernelValidationWriter"/> (a family's own checks may start with them).</summary>
    public static void WriteDefaultValidation(IndentedWriter writer, KernelSignature s, string pathsClass)
    {
        string t = ElementName(s.Element);
        if (s.Has(ParameterRole.Target) || s.Has(ParameterRole.Targets))
        {
            WriteLossValidation(writer, s, pathsClass, t);
            return;
        }

        writer.Line(s.Shape == KernelShape.ManyRows
            ? $"{Arguments}.ValidateRows<{t}>({s.InputName}, {s.OutputName}, {s.RowLengthName}, {pathsClass}.Width, nameof({s.InputName}), nameof({s.OutputName}), nameof({s.RowLengthName}));"
            : $"{Arguments}.ValidateRow<{t}>({s.InputName}, {s.OutputName}, {pathsClass}.Width, nameof({s.InputName}), nameof({s.OutputName}));");
        string rowLength = s.Shape == KernelShape.ManyRows ? s.RowLengthName! : s.InputName + ".Length";
        if (s.IsBackward)
        {
            WriteBackwardValidation(writer, s, t, rowLength);
            return;
        }

        string? sum = s.NameOf(ParameterRole.Sum);
        if (s.NameOf(ParameterRole.Residual) is { } residual && sum is not null)
        {
            writer.Line($"{Arguments}.ValidateResidual<{t}>({residual}, {s.InputName}, {s.OutputName}, {sum}, nameof({residual}));");
            writer.Line($"{Arguments}.ValidateSum<{t}>({sum}, {s.InputName}, {residual}, {s.OutputName}, nameof({sum}));");
        }

        if (s.Parameters.Any(static p => p.IsRunningStatistic))
        {
            // An inference-time normalization over channels: every per-channel span (statistics, γ, β) has C elements.
            foreach (KernelParameter p in s.Parameters.Where(static p => p.IsBroadcast))
            {
                writer.Line($"{Arguments}.ValidateChannels<{t}>({p.Name}, {rowLength}, {s.OutputName}, nameof({p.Name}));");
            }

            // A statistic the call updates (PowerNorm in training) is written after the rows are read: apart from the input and from γ and β too.
            foreach (KernelParameter updated in s.Parameters.Where(static p => p.Role == ParameterRole.UpdatedQuadraticMean))
            {
                foreach (KernelParameter other in s.Parameters.Where(p => p.IsSpan && p != updated && p.Role != ParameterRole.Output))
                {
                    writer.Line($"{Arguments}.ValidateApart<{t}>({updated.Name}, {other.Name}, nameof({updated.Name}));");
                }
            }

            return;
        }

        foreach (KernelParameter p in s.Parameters.Where(static p => p.IsBroadcast))
        {
            writer.Line(sum is null
                ? $"{Arguments}.ValidateColumns<{t}>({p.Name}, {rowLength}, {s.OutputName}, nameof({p.Name}));"
                : $"{Arguments}.ValidateColumns<{t}>({p.Name}, {rowLength}, {s.OutputName}, {sum}, nameof({p.Name}));");
        }

        WritePerRowValidation(writer, s, t);
    }

    // A normalization's per-row statistics (μ, 1/σ): one element per row (one for the one-row shape), each apart
    // from every other span (the kernel writes them while it reads and writes the rows).
    private static void WritePerRowValidation(IndentedWriter writer, KernelSignature s, string t)
    {
        string rows = s.Shape == KernelShape.ManyRows ? $"{s.InputName}.Length / {s.RowLengthName}" : "1";
        var before = new List<KernelParameter>();
        foreach (KernelParameter p in s.Parameters.Where(static p => p.IsSpan))
        {
            if (p.IsPerRow)
            {
                writer.Line($"{Arguments}.ValidatePerRow<{t}>({p.Name}, {rows}, nameof({p.Name}));");
                foreach (KernelParameter other in before)
                {
                    writer.Line($"{Arguments}.ValidateApart<{t}>({p.Name}, {other.Name}, nameof({p.Name}));");
                }
            }

            before.Add(p);
        }
    }

    // A loss: the targets against the logits (range included: nothing is written when one is wrong), then each
    // weight span, then each output: its length, and apart from every other span (only the gradient may be the logits).
    private static void WriteLossValidation(IndentedWriter writer, KernelSignature s, string pathsClass, string t)
    {
        string logits = s.InputName;
        string? gradient = s.NameOf(ParameterRole.Gradient);
        string? classWeights = s.NameOf(ParameterRole.ClassWeights);
        string? sampleWeights = s.NameOf(ParameterRole.SampleWeights);
        if (s.NameOf(ParameterRole.Target) is { } target)
        {
            writer.Line($"{Arguments}.ValidateTarget<{t}>({logits}, {target}, {pathsClass}.Width, {pathsClass}.IgnoreIndex, nameof({logits}), nameof({target}));");
            if (classWeights is not null)
            {
                writer.Line($"{Arguments}.ValidateClassWeights<{t}>({classWeights}, {logits}, 1, {pathsClass}.Width, nameof({classWeights}));");
            }
        }

        if (s.NameOf(ParameterRole.Targets) is { } targets)
        {
            writer.Line($"{Arguments}.ValidateTargets<{t}>({logits}, {targets}, {pathsClass}.Width, {pathsClass}.IgnoreIndex, nameof({logits}), nameof({targets}));");
            if (classWeights is not null)
            {
                writer.Line($"{Arguments}.ValidateClassWeights<{t}>({classWeights}, {logits}, {targets}.Length, {pathsClass}.Width, nameof({classWeights}));");
            }

            if (sampleWeights is not null)
            {
                writer.Line($"{Arguments}.ValidatePerRow<{t}>({sampleWeights}, {targets}.Length, nameof({sampleWeights}));");
            }

            if (s.NameOf(ParameterRole.SampleMargins) is { } margins)
            {
                writer.Line($"{Arguments}.ValidatePerRow<{t}>({margins}, {targets}.Length, nameof({margins}));");
            }

            if (s.NameOf(ParameterRole.Losses) is { } losses)
            {
                writer.Line($"{Arguments}.ValidateLosses<{t}>({losses}, {targets}.Length, {logits}, {gradient ?? "default"}, nameof({losses}));");
            }

            // The other per-row outputs: one per row, apart from the logits, the gradient and each other.
            var written = new List<string>();
            foreach (ParameterRole role in new[] { ParameterRole.LseOutput, ParameterRole.EntropyOutput })
            {
                if (s.NameOf(role) is not { } output)
                {
                    continue;
                }

                writer.Line($"{Arguments}.ValidatePerRow<{t}>({output}, {targets}.Length, nameof({output}));");
                foreach (string? other in new[] { logits, gradient, s.NameOf(ParameterRole.Losses) }.Concat(written))
                {
                    if (other is not null)
                    {
                        writer.Line($"{Arguments}.ValidateApart<{t}>({output}, {other}, nameof({output}));");
                    }
                }

                written.Add(output);
            }

            if (s.NameOf(ParameterRole.Predictions) is { } predictions)
            {
                writer.Line($"{Arguments}.ValidatePerRow<int>({predictions}, {targets}.Length, nameof({predictions}));");
                writer.Line($"{Arguments}.ValidateApart<int>({predictions}, {targets}, nameof({predictions}));");
            }
        }

        if (gradient is not null)
        {
            writer.Line($"{Arguments}.ValidateGradient<{t}>({gradient}, {logits}, nameof({gradient}));");
        }

        // Nothing the kernel writes may share memory with the weights it reads.
        foreach (string weights in new[] { classWeights, sampleWeights, s.NameOf(ParameterRole.SampleMargins) }.Where(static w => w is not null).Select(static w => w!))
        {
            foreach (ParameterRole role in new[] { ParameterRole.Losses, ParameterRole.LseOutput, ParameterRole.EntropyOutput, ParameterRole.Gradient })
            {
                if (s.NameOf(role) is { } output)
                {
                    writer.Line($"{Arguments}.ValidateApart<{t}>({output}, {weights}, nameof({output}));");
                }
            }
        }
    }

    // A backward kernel: dy as long as the input; dx apart from the input, and dy's memory or apart from it;
    // per-column parameters one row long; each per-column gradient (and dα, one element) apart from every span before it (every
    // row reads and adds into it, so it may share memory with nothing).
    private static void WriteBackwardValidation(IndentedWriter writer, KernelSignature s, string t, string rowLength)
    {
        string dy = s.NameOf(ParameterRole.OutputGradient)!;
        writer.Line($"{Arguments}.ValidateGradients<{t}>({dy}, {s.InputName}, {s.OutputName}, nameof({dy}), nameof({s.OutputName}));");
        var before = new List<KernelParameter>();
        foreach (KernelParameter p in s.Parameters)
        {
            if (p.Role is ParameterRole.Weight or ParameterRole.Bias)
            {
                writer.Line($"{Arguments}.ValidateColumns<{t}>({p.Name}, {rowLength}, {s.OutputName}, nameof({p.Name}));");
            }
            else if (p.Role is ParameterRole.WeightGradient or ParameterRole.BiasGradient or ParameterRole.AlphaGradient)
            {
                writer.Line(p.Role == ParameterRole.AlphaGradient
                    ? $"{Arguments}.ValidateScalarGradient<{t}>({p.Name}, nameof({p.Name}));"
                    : $"{Arguments}.ValidateColumnGradient<{t}>({p.Name}, {rowLength}, nameof({p.Name}));");
                foreach (KernelParameter other in before)
                {
                    writer.Line($"{Arguments}.ValidateApart<{t}>({p.Name}, {other.Name}, nameof({p.Name}));");
                }
            }

            if (p.IsSpan)
            {
                before.Add(p);
            }
        }
    }

    // The loop over rows lives in its own method so that its locals can never clash with the user's parameter names.
    // 'streams': the row takes a last 'bool stream' (write the output with streaming stores), decided here once per call.
    // 'pairs': IKernelRowPairWriter; 'chainUpTo': IKernelRowChainWriter's longest chained row (0: no chain).
    private static void WriteRowsLoop(IndentedWriter writer, KernelSignature s, string t, string pathName, int width, bool streams, bool pairs = false, int chainUpTo = 0)
    {
        string streamArgument = streams ? ", stream" : string.Empty;
        void WriteStreamDecision()
        {
            if (streams)
            {
                writer.Line("// An output much larger than the caches (and not written over the input) is written with streaming stores.");
                writer.Line("bool stream = global::KernelGen.Runtime.CacheHints.ShouldStream(input, output);");
            }
        }

        void WriteStreamFence()
        {
            if (streams)
            {
                using (writer.Block("if (stream)"))
                {
                    writer.Line("// One store fence after the rows (a fence per row costs time): the output is complete when the call returns.");
                    writer.Line("global::KernelGen.Runtime.CacheHints.StreamingFence();");
                }
            }
        }

        string lengthArgument = width == 0 ? ", rowLength" : string.Empty;
        List<KernelParameter> spans = s.Parameters.Where(static p => p.Role != ParameterRole.RowLength).ToList();
        writer.Line(HotMethodAttribute);
        if (s.Shape == KernelShape.ManyRows)
        {
            using (writer.Block($"private static void {pathName}Rows({LocalParameters(s)})"))
            {
                foreach (KernelParameter p in spans.Where(static p => p.IsSpan))
                {
                    writer.Line($"ref {t} {p.RowName} = ref {MemoryMarshal}.GetReference({p.LocalName});");
                }

                writer.Line("int rows = input.Length / rowLength;");
                WriteStreamDecision();
                string Arguments(string row, string offset) => string.Join(", ", spans.Select(p => p.IsScalar ? p.LocalName : p.IsBroadcast ? $"ref {p.RowName}" : p.IsPerRow ? $"ref {Unsafe}.Add(ref {p.RowName}, {row})" : $"ref {Unsafe}.Add(ref {p.RowName}, {offset})"));
                if (chainUpTo > 0)
                {
                    var conditions = new List<string> { "rows != 0" };
                    if (streams)
                    {
                        conditions.Add("!stream");
                    }

                    if (width == 0)
                    {
                        conditions.Add($"rowLength <= {chainUpTo}");
                    }

                    writer.Line($"// In cache, rows of at most {chainUpTo} elements run as a chain ({pathName}RowChain): each row's first pass is done in the");
                    writer.Line("// output pass of the row before it, so that reading the next row overlaps writing this one.");
                    using (writer.Block($"if ({string.Join(" && ", conditions)})"))
                    {
                        writer.Line($"{pathName}RowChain({string.Join(", ", spans.Select(static p => p.IsScalar ? p.LocalName : $"ref {p.RowName}"))}, rows{lengthArgument});");
                        writer.Line("return;");
                    }
                }

                if (pairs)
                {
                    writer.Line($"// In cache, rows two at a time ({pathName}RowPair shares what the rows share); then one at a time: the last one when");
                    writer.Line("// their count is odd, every one when the output streams (one row's next-row prefetch beats two rows').");
                    writer.Line("int row = 0;");
                    using (writer.Block(streams ? "for (; !stream && row <= rows - 2; row += 2)" : "for (; row <= rows - 2; row += 2)"))
                    {
                        writer.Line("nint offset = (nint)row * rowLength;");
                        string pairArguments = string.Join(", ", spans.Select(p => p.IsScalar ? p.LocalName : p.IsBroadcast ? $"ref {p.RowName}"
                            : p.IsPerRow ? $"ref {Unsafe}.Add(ref {p.RowName}, row), ref {Unsafe}.Add(ref {p.RowName}, row + 1)"
                            : $"ref {Unsafe}.Add(ref {p.RowName}, offset), ref {Unsafe}.Add(ref {p.RowName}, offset + rowLength)"));
                        writer.Line($"{pathName}RowPair({pairArguments}{lengthArgument});");
                    }

                    using (writer.Block("for (; row < rows; row++)"))
                    {
                        writer.Line($"{pathName}Row({Arguments("row", "(nint)row * rowLength")}{lengthArgument}{streamArgument});");
                    }
                }
                else
                {
                    using (writer.Block("for (int row = 0; row < rows; row++)"))
                    {
                        writer.Line("nint offset = (nint)row * rowLength;");
                        writer.Line($"{pathName}Row({Arguments("row", "offset")}{lengthArgument}{streamArgument});");
                    }
                }

                WriteStreamFence();
            }
        }
        else
        {
            using (writer.Block($"private static void {pathName}Rows({LocalParameters(s)})"))
            {
                using (writer.Block("if (input.Length != 0)"))
                {
                    string length = width == 0 ? ", input.Length" : string.Empty;
                    string arguments = string.Join(", ", spans.Select(static p => p.IsScalar ? p.LocalName : $"ref {MemoryMarshal}.GetReference({p.LocalName})"));
                    if (streams)
                    {
                        WriteStreamDecision();
                        writer.Line($"{pathName}Row({arguments}{length}, stream);");
                        WriteStreamFence();
                    }
                    else
                    {
                        writer.Line($"{pathName}Row({arguments}{length});");
                    }
                }
            }
        }
    }

    private static void WriteReferenceRowsLoop(IndentedWriter writer, KernelSignature s, string t)
    {
        List<KernelParameter> spans = s.Parameters.Where(static p => p.Role != ParameterRole.RowLength).ToList();
        using (writer.Block($"private static void ReferenceRows({LocalParameters(s)})"))
        {
            if (s.Shape == KernelShape.ManyRows)
            {
                using (writer.Block("for (int start = 0; start < input.Length; start += rowLength)"))
                {
                    writer.Line($"ReferenceRow({string.Join(", ", spans.Select(static p => p.IsBroadcast || p.IsScalar ? p.LocalName : p.IsPerRow ? p.LocalName + ".Slice(start / rowLength, 1)" : p.LocalName + ".Slice(start, rowLength)"))});");
                }
            }
            else
            {
                writer.Line($"ReferenceRow({string.Join(", ", spans.Select(static p => p.LocalName))});");
            }
        }
    }
}
