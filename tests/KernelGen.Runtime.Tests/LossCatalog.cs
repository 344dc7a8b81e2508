using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Tests;

/// <summary>A one-row loss.</summary>
public delegate T RowLoss<T>(ReadOnlySpan<T> logits, int target);

/// <summary>A one-row loss with its gradient.</summary>
public delegate T RowLossGradient<T>(ReadOnlySpan<T> logits, int target, Span<T> gradient);

/// <summary>A reduced many-rows loss.</summary>
public delegate T RowsLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets);

/// <summary>A reduced many-rows loss with its gradient.</summary>
public delegate T RowsLossGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> gradient);

/// <summary>A many-rows loss without reduction.</summary>
public delegate void RowsLosses<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses);

/// <summary>A many-rows loss without reduction, with its gradient.</summary>
public delegate void RowsLossesGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses, Span<T> gradient);

/// <summary>What one call of a loss kernel gave back, in double.</summary>
/// <param name="Loss">The returned loss (NaN for Reduction = None, which returns nothing).</param>
/// <param name="Losses">The per-row losses (None), else empty.</param>
/// <param name="Gradient">The gradient, else empty.</param>
/// <param name="Lse">The per-row LSE (LseOutput), else empty.</param>
/// <param name="Predictions">The per-row argmax (PredictionOutput), else empty.</param>
/// <param name="Entropy">The per-row entropy (EntropyOutput), else empty.</param>
public sealed record LossResult(double Loss, double[] Losses, double[] Gradient, double[] Lse, int[] Predictions, double[] Entropy);

/// <summary>The spans of a call besides the logits and targets; empty when the kernel lacks them.</summary>
public ref struct LossSpans<T>
{
    public ReadOnlySpan<T> ClassWeights;
    public ReadOnlySpan<T> SampleWeights;
    public Span<T> Losses;
    public Span<T> Lse;
    public Span<int> Predictions;
    public Span<T> Entropy;
    public Span<T> Gradient;
}

/// <summary>One generated cross-entropy kernel found by reflection.</summary>
public sealed class LossInfo
{
    public required string Name { get; init; }

    public required bool IsDouble { get; init; }

    public required bool ManyRows { get; init; }

    public required bool HasGradient { get; init; }

    public required LossReduction Reduction { get; init; }

    public required int IgnoreIndex { get; init; }

    public required double LabelSmoothing { get; init; }

    public required double ZLoss { get; init; }

    public required double Softcap { get; init; }

    public required bool ClassWeights { get; init; }

    public required bool SampleWeights { get; init; }

    public required bool HasLse { get; init; }

    public required bool HasPredictions { get; init; }

    public required bool HasEntropy { get; init; }

    public required int Width { get; init; }

    public required int Unroll { get; init; }

    public required MethodInfo Dispatcher { get; init; }

    /// <summary>CrossEntropy, CompSum, Focal or Dice: the attribute of a loss of the target probability (see <see cref="LossCatalog.TargetLosses"/>).</summary>
    public string Kind { get; init; } = "CrossEntropy";

    /// <summary>τ (CompSum), γ (Focal), α (Dice).</summary>
    public double Parameter1 { get; init; }

    /// <summary>α (Focal), γ (Dice).</summary>
    public double Parameter2 { get; init; }

    /// <summary>m1, m2, m3 of a margin softmax (1, 0, 0 for InfoNCE; Parameter1 is s, or 1/τ).</summary>
    public double M1 { get; init; } = 1;

    public double M2 { get; init; }

    public double M3 { get; init; }

    /// <summary>A margin softmax's per-row margins: 0 none, 1 replaces m2, 2 replaces m3 (a margins span, <see cref="MarginsFor"/>).</summary>
    public int PerRowMargin { get; init; }

    /// <summary>The per-row margins the tests use (0.3 to 0.6).</summary>
    public static double[] MarginsFor(int rows) => Enumerable.Range(0, rows).Select(static i => 0.3 + (((i * 17) % 7) / 20.0)).ToArray();

    /// <summary>Path name (Avx512, Avx2, Neon, Vector128, Scalar, Reference) → method.</summary>
    public required IReadOnlyDictionary<string, MethodInfo> Paths { get; init; }

    public override string ToString() => this.Name;

    /// <summary>The class weights the tests use for K classes (0.25 to 1.75), unless a test gives its own.</summary>
    public static double[] ClassWeightsFor(int classes) => Enumerable.Range(0, classes).Select(static k => 0.25 + (((k * 7919) % 13) / 8.0)).ToArray();

    /// <summary>The sample weights the tests use for the rows (0.5 to 2), unless a test gives its own.</summary>
    public static double[] SampleWeightsFor(int rows) => Enumerable.Range(0, rows).Select(static i => 0.5 + (((i * 31) % 7) / 4.0)).ToArray();

    /// <summary>The number of classes of a call.</summary>
    public int Classes(int logits, int rows) => !this.ManyRows ? logits : rows == 0 ? (this.Width != 0 ? this.Width : 0) : logits / rows;

    /// <summary>
    /// Runs <paramref name="method"/> on the logits (rounded to the element type) and targets (one per row;
    /// the first only for a one-row kernel), into fresh outputs; the weights default to <see cref="ClassWeightsFor"/> and <see cref="SampleWeightsFor"/>.
    /// </summary>
    public LossResult Run(MethodInfo method, double[] logits, int[] targets, double[]? classWeights = null, double[]? sampleWeights = null) =>
        this.IsDouble
            ? this.Run<double>(method, logits, targets, classWeights, sampleWeights, static v => v, static v => v)
            : this.Run<float>(method, logits, targets, classWeights, sampleWeights, static v => (float)v, static v => v);

    /// <summary>Runs with the losses and gradient given by the caller (the tests of bad spans and of in-place gradients); the rest fresh.</summary>
    public double Call<T>(MethodInfo method, ReadOnlySpan<T> logits, int[] targets, Span<T> losses, Span<T> gradient)
        where T : struct
    {
        int rows = this.ManyRows ? targets.Length : 1;
        int classes = this.Classes(logits.Length, targets.Length);
        Func<double, T> narrow = static v => (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        var spans = new LossSpans<T>
        {
            ClassWeights = this.ClassWeights ? ClassWeightsFor(classes).Select(narrow).ToArray() : default,
            SampleWeights = this.SampleWeights ? SampleWeightsFor(rows).Select(narrow).ToArray() : default,
            Losses = losses,
            Lse = this.HasLse ? new T[rows] : default,
            Predictions = this.HasPredictions ? new int[rows] : default,
            Entropy = this.HasEntropy ? new T[rows] : default,
            Gradient = gradient,
        };
        return this.Call(method, logits, targets, spans);
    }

    /// <summary>Runs with every span given by the caller, in the kernel's order.</summary>
    public double Call<T>(MethodInfo method, ReadOnlySpan<T> logits, int[] targets, LossSpans<T> o)
        where T : struct
    {
        bool none = this.Reduction == LossReduction.None;
        string key = (this.ManyRows ? "rows" : "row") + (this.ClassWeights ? ",cw" : string.Empty) + (this.SampleWeights ? ",sw" : string.Empty) + (this.PerRowMargin != 0 ? ",m" : string.Empty)
            + (this.ManyRows && none ? ",losses" : string.Empty) + (this.HasLse ? ",lse" : string.Empty) + (this.HasPredictions ? ",pred" : string.Empty)
            + (this.HasEntropy ? ",ent" : string.Empty) + (this.HasGradient ? ",g" : string.Empty);
        D Get<D>() where D : Delegate => (D)method.CreateDelegate(typeof(D));
        T[] margins = this.PerRowMargin != 0 ? MarginsFor(targets.Length).Select(static v => (T)Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture)).ToArray() : Array.Empty<T>();
        switch (key)
        {
            case "rows,m,g": return ToDouble(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, Span<T>, T>>()(logits, targets, margins, o.Gradient));
            case "rows,sw,m,losses,g": Get<Action<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, ReadOnlySpan<T>, Span<T>, Span<T>>>()(logits, targets, o.SampleWeights, margins, o.Losses, o.Gradient); return double.NaN;
            case "row": return ToDouble(Get<RowLoss<T>>()(logits, targets[0]));
            case "row,g": return ToDouble(Get<RowLossGradient<T>>()(logits, targets[0], o.Gradient));
            case "row,cw,g": return ToDouble(Get<Func<ReadOnlySpan<T>, int, ReadOnlySpan<T>, Span<T>, T>>()(logits, targets[0], o.ClassWeights, o.Gradient));
            case "rows": return ToDouble(Get<RowsLoss<T>>()(logits, targets));
            case "rows,g": return ToDouble(Get<RowsLossGradient<T>>()(logits, targets, o.Gradient));
            case "rows,losses": Get<RowsLosses<T>>()(logits, targets, o.Losses); return double.NaN;
            case "rows,losses,g": Get<RowsLossesGradient<T>>()(logits, targets, o.Losses, o.Gradient); return double.NaN;
            case "rows,cw,g": return ToDouble(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, Span<T>, T>>()(logits, targets, o.ClassWeights, o.Gradient));
            case "rows,sw,g": return ToDouble(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, Span<T>, T>>()(logits, targets, o.SampleWeights, o.Gradient));
            case "rows,sw,losses,g": Get<Action<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, Span<T>, Span<T>>>()(logits, targets, o.SampleWeights, o.Losses, o.Gradient); return double.NaN;
            case "rows,cw,sw,g": return ToDouble(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, ReadOnlySpan<T>, Span<T>, T>>()(logits, targets, o.ClassWeights, o.SampleWeights, o.Gradient));
            case "rows,losses,lse,pred,ent,g":
                Get<Action<ReadOnlySpan<T>, ReadOnlySpan<int>, Span<T>, Span<T>, Span<int>, Span<T>, Span<T>>>()(logits, targets, o.Losses, o.Lse, o.Predictions, o.Entropy, o.Gradient);
                return double.NaN;
            case "rows,lse,ent": return ToDouble(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<int>, Span<T>, Span<T>, T>>()(logits, targets, o.Lse, o.Entropy));
            case "rows,cw,pred": return ToDouble(Get<Func<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, Span<int>, T>>()(logits, targets, o.ClassWeights, o.Predictions));
            case "rows,cw,sw,losses,ent,g":
                Get<Action<ReadOnlySpan<T>, ReadOnlySpan<int>, ReadOnlySpan<T>, ReadOnlySpan<T>, Span<T>, Span<T>, Span<T>>>()(logits, targets, o.ClassWeights, o.SampleWeights, o.Losses, o.Entropy, o.Gradient);
                return double.NaN;
            default: throw new NotSupportedException($"{this.Name}: no delegate for the shape '{key}'; add one to LossInfo.Call.");
        }
    }

    private static double ToDouble<T>(T value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);

    private LossResult Run<T>(MethodInfo method, double[] logits, int[] targets, double[]? classWeights, double[]? sampleWeights, Func<double, T> narrow, Func<T, double> widen)
        where T : struct
    {
        T[] x = logits.Select(narrow).ToArray();
        int rows = this.ManyRows ? targets.Length : 1;
        int classes = this.Classes(logits.Length, targets.Length);
        var losses = new T[this.ManyRows && this.Reduction == LossReduction.None ? targets.Length : 0];
        var gradient = new T[this.HasGradient ? logits.Length : 0];
        var lse = new T[this.HasLse ? rows : 0];
        var predictions = new int[this.HasPredictions ? rows : 0];
        var entropy = new T[this.HasEntropy ? rows : 0];
        var spans = new LossSpans<T>
        {
            ClassWeights = this.ClassWeights ? (classWeights ?? ClassWeightsFor(classes)).Select(narrow).ToArray() : default,
            SampleWeights = this.SampleWeights ? (sampleWeights ?? SampleWeightsFor(rows)).Select(narrow).ToArray() : default,
            Losses = losses,
            Lse = lse,
            Predictions = predictions,
            Entropy = entropy,
            Gradient = gradient,
        };
        double loss = this.Call<T>(method, x, targets, spans);
        return new LossResult(loss, losses.Select(widen).ToArray(), gradient.Select(widen).ToArray(), lse.Select(widen).ToArray(), predictions, entropy.Select(widen).ToArray());
    }
}

/// <summary>Finds every kernel declared in <see cref="LossKernels"/>.</summary>
public static class LossCatalog
{
    public static readonly IReadOnlyList<LossInfo> All = Discover(
        Project<CrossEntropyAttribute>(static a => new Spec("CrossEntropy", a.Reduction, a.IgnoreIndex, a.ClassWeights, a.SampleWeights, a.Width, a.Unroll)
        {
            LabelSmoothing = a.LabelSmoothing,
            ZLoss = a.ZLoss,
            Softcap = a.Softcap,
            HasLse = a.LseOutput,
            HasPredictions = a.PredictionOutput,
            HasEntropy = a.EntropyOutput,
        }));

    /// <summary>The kernels of the losses of the target probability ([CompSumLoss], [FocalLoss], [DiceLoss]): the cross-entropy's shapes.</summary>
    public static readonly IReadOnlyList<LossInfo> TargetLosses = Discover(
        Project<CompSumLossAttribute>(static c => Spec.Of("CompSum", c) with { Parameter1 = c.Tau }),
        Project<FocalLossAttribute>(static f => Spec.Of("Focal", f) with { Parameter1 = f.Gamma, Parameter2 = f.Alpha }),
        Project<DiceLossAttribute>(static d => Spec.Of("Dice", d) with { Parameter1 = d.Alpha, Parameter2 = d.Gamma }));

    /// <summary>The kernels of [MarginSoftmaxLoss] and [InfoNceLoss]: the cross-entropy's shapes over cosines or similarities.</summary>
    public static readonly IReadOnlyList<LossInfo> MarginLosses = Discover(
        Project<MarginSoftmaxLossAttribute>(static m => Spec.Of("MarginSoftmax", m) with { Parameter1 = m.Scale, M1 = m.M1, M2 = m.M2, M3 = m.M3, PerRowMargin = (int)m.SampleMargins }),
        Project<InfoNceLossAttribute>(static n => Spec.Of("InfoNce", n) with { Parameter1 = 1.0 / n.Temperature }));

    /// <summary>The kernels of the losses of row statistics ([SphericalZLoss], [MultiMarginLoss]): the cross-entropy's shapes with class weights at most.</summary>
    /// <remarks>Kind: SphericalZ (Parameter1 = a, Parameter2 = b), WestonWatkins or CrammerSinger (Parameter1 = m, Parameter2 = p).</remarks>
    public static readonly IReadOnlyList<LossInfo> RowLosses = Discover(
        Project<SphericalZLossAttribute>(static z => new Spec("SphericalZ", z.Reduction, z.IgnoreIndex, false, false, z.Width, z.Unroll) { Parameter1 = z.A, Parameter2 = z.B }),
        Project<MultiMarginLossAttribute>(static m => new Spec(m.Form == MultiMarginForm.CrammerSinger ? "CrammerSinger" : "WestonWatkins", m.Reduction, m.IgnoreIndex, m.ClassWeights, false, m.Width, m.Unroll)
        {
            Parameter1 = m.Margin,
            Parameter2 = m.Squared ? 2 : 1,
        }));

    public static LossInfo Get(string name) => All.Concat(TargetLosses).Concat(MarginLosses).Concat(RowLosses).Single(k => k.Name == name);

    /// <summary>The kernel names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(Func<LossInfo, bool>? filter = null) =>
        All.Where(filter ?? (static _ => true)).Select(static k => new object[] { k.Name });

    /// <summary>The paths of <paramref name="kernel"/> this machine runs, the dispatcher, and Reference.</summary>
    public static IEnumerable<(string Name, MethodInfo Method)> RunnablePaths(LossInfo kernel) =>
        Harness.RunnablePaths(kernel.Paths, kernel.Dispatcher);

    // An attribute type and what it says of its kernels: one row of the table each list is built from.
    private static Func<MethodInfo, Spec?> Project<TAttribute>(Func<TAttribute, Spec> project)
        where TAttribute : Attribute =>
        method => method.GetCustomAttribute<TAttribute>() is { } attribute ? project(attribute) : null;

    // The kernels of LossKernels, in declaration order, that carry one of the attributes (the first that matches).
    private static List<LossInfo> Discover(params Func<MethodInfo, Spec?>[] projections)
    {
        var found = new List<LossInfo>();
        foreach (MethodInfo method in typeof(LossKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (projections.Select(project => project(method)).FirstOrDefault(static spec => spec is not null) is { } spec)
            {
                found.Add(Build(method, spec));
            }
        }

        return found;
    }

    // The parameters are (logits, targets, the inputs and side outputs the spec counts, [losses,] [gradient]): what is
    // left after the side spans is the losses (Reduction = None, many rows) and the gradient, if any.
    private static LossInfo Build(MethodInfo method, Spec a)
    {
        ParameterInfo[] parameters = method.GetParameters();
        bool manyRows = parameters[1].ParameterType == typeof(ReadOnlySpan<int>);
        int outputs = parameters.Length - 2 - a.SideSpans;
        return new LossInfo
        {
            Name = method.Name,
            IsDouble = parameters[0].ParameterType == typeof(ReadOnlySpan<double>),
            ManyRows = manyRows,
            HasGradient = outputs == (manyRows && a.Reduction == LossReduction.None ? 2 : 1),
            Reduction = a.Reduction,
            IgnoreIndex = a.IgnoreIndex,
            LabelSmoothing = a.LabelSmoothing,
            ZLoss = a.ZLoss,
            Softcap = a.Softcap,
            ClassWeights = a.ClassWeights,
            SampleWeights = a.SampleWeights,
            HasLse = a.HasLse,
            HasPredictions = a.HasPredictions,
            HasEntropy = a.HasEntropy,
            Width = a.Width,
            Unroll = a.Unroll,
            Dispatcher = method,
            Paths = KernelCatalog.PathsOf(typeof(LossKernels).GetNestedType(method.Name + "Paths", BindingFlags.Public)!),
            Kind = a.Kind,
            Parameter1 = a.Parameter1,
            Parameter2 = a.Parameter2,
            M1 = a.M1,
            M2 = a.M2,
            M3 = a.M3,
            PerRowMargin = a.PerRowMargin,
        };
    }

    // What an attribute says of its kernel (the LossInfo values that do not come from the method itself).
    private sealed record Spec(string Kind, LossReduction Reduction, int IgnoreIndex, bool ClassWeights, bool SampleWeights, int Width, int Unroll)
    {
        public double LabelSmoothing { get; init; }

        public double ZLoss { get; init; }

        public double Softcap { get; init; }

        public bool HasLse { get; init; }

        public bool HasPredictions { get; init; }

        public bool HasEntropy { get; init; }

        public double Parameter1 { get; init; }

        public double Parameter2 { get; init; }

        public double M1 { get; init; } = 1;

        public double M2 { get; init; }

        public double M3 { get; init; }

        public int PerRowMargin { get; init; }

        // The spans between the targets and the losses or gradient: weights, per-row margins, the side outputs.
        public int SideSpans =>
            (this.ClassWeights ? 1 : 0) + (this.SampleWeights ? 1 : 0) + (this.PerRowMargin != 0 ? 1 : 0)
            + (this.HasLse ? 1 : 0) + (this.HasPredictions ? 1 : 0) + (this.HasEntropy ? 1 : 0);

        public static Spec Of(string kind, TargetProbabilityLossAttribute a) =>
            new(kind, a.Reduction, a.IgnoreIndex, a.ClassWeights, a.SampleWeights, a.Width, a.Unroll);
    }
}
