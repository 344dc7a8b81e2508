using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;

namespace KernelGen.Charts;

/// <summary>The two kinds of chart: throughput per shape with the copy roofline, and speed-ups over ONNX Runtime as bars.</summary>
internal static class Charts
{
    private const int Width = 1200;
    private const int Height = 700;

    /// <summary>
    /// Throughput (billions of elements per second) of every method of <paramref name="report"/> at each shape, shapes
    /// ordered by row length; the Copy row is drawn as a dashed black line: the copy-bandwidth roofline of a kernel
    /// that reads and writes each element once. Returns the file, or null without a Copy row.
    /// </summary>
    public static string? ThroughputLines(BenchmarkReport report, string directory)
    {
        List<string> shapes = report.Shapes
            .OrderBy(s => report.Rows.First(r => r.Shape == s).RowLength)
            .ThenBy(s => report.Rows.First(r => r.Shape == s).Rows)
            .ToList();
        if (!report.Methods.Contains("Copy") || shapes.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        IPalette palette = new ScottPlot.Palettes.Category20();
        int colour = 0;
        foreach (string method in report.Methods)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < shapes.Count; i++)
            {
                if (report.Rows.FirstOrDefault(r => r.Method == method && r.Shape == shapes[i]) is { } row)
                {
                    xs.Add(i);
                    ys.Add(row.GigaElementsPerSecond);
                }
            }

            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            bool copy = method == "Copy";
            line.LegendText = copy ? "copy bandwidth (roofline: 4 B read + 4 B written per element)" : method;
            line.LineWidth = copy ? 3 : 2;
            line.MarkerSize = copy ? 0 : 7;
            line.Color = copy ? Colors.Black : palette.GetColor(colour++);
            if (copy)
            {
                line.LinePattern = LinePattern.Dashed;
            }
            else if (IsPeer(method))
            {
                line.LinePattern = LinePattern.Dotted;
                line.MarkerShape = MarkerShape.OpenCircle;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, shapes.Count).Select(static i => (double)i).ToArray(),
            shapes.Select(static s => s.Replace("x", " × ", StringComparison.Ordinal)).ToArray());
        // The parallel class times methods on every core beside one thread: the title says which.
        string threads = report.Rows.Any(static r => r.Method.Contains("Parallel", StringComparison.Ordinal))
            ? "one thread; *_Parallel on every core"
            : "one thread";
        plot.Title($"{report.ClassName}: throughput by shape (rows × row length), {threads}, float");
        plot.XLabel("shape (rows × row length), by row length");
        plot.YLabel("billion elements per second (higher is better)");
        plot.Axes.SetLimitsY(0, report.Rows.Max(static r => r.GigaElementsPerSecond) * 1.1);
        AddMachine(plot, report);
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, report, directory, "throughput");
    }

    /// <summary>
    /// Speed-up over ONNX Runtime (its time / the method's, same run) of every method at each shape, as grouped bars,
    /// with the parity line at 1. Returns the file, or null when the report has no ONNX Runtime column.
    /// </summary>
    public static string? SpeedupBars(BenchmarkReport report, string directory)
    {
        // Methods that have a ratio to ONNX Runtime (a gradient method has none: ONNX Runtime computes no gradient).
        List<string> methods = report.Methods
            .Where(m => m != "Copy" && !m.StartsWith("OnnxRuntime", StringComparison.Ordinal) && report.Rows.Any(r => r.Method == m && r.VersusOnnx is not null))
            .ToList();
        List<string> shapes = report.Shapes.ToList();
        if (methods.Count == 0 || report.Rows.All(static r => r.VersusOnnx is null))
        {
            return null;
        }

        var plot = new Plot();
        IPalette palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        int group = methods.Count + 1;
        for (int s = 0; s < shapes.Count; s++)
        {
            for (int m = 0; m < methods.Count; m++)
            {
                if (report.Rows.FirstOrDefault(r => r.Method == methods[m] && r.Shape == shapes[s]) is { VersusOnnx: double speedup })
                {
                    bars.Add(new Bar
                    {
                        Position = (s * group) + m,
                        Value = speedup,
                        FillColor = palette.GetColor(m),
                        Label = speedup.ToString("0.00", CultureInfo.InvariantCulture) + "×",
                    });
                }
            }
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        var parity = plot.Add.HorizontalLine(1.0);
        parity.Color = Colors.Black;
        parity.LinePattern = LinePattern.Dashed;
        parity.LegendText = "ONNX Runtime (1×)";
        for (int m = 0; m < methods.Count; m++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = methods[m], FillColor = palette.GetColor(m) });
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, shapes.Count).Select(s => (s * group) + ((methods.Count - 1) / 2.0)).ToArray(),
            shapes.Select(static s => s.Replace("x", " × ", StringComparison.Ordinal)).ToArray());
        plot.Title($"{report.ClassName}: speed-up over ONNX Runtime (same run, one thread, float)");
        plot.XLabel("shape (rows × row length)");
        plot.YLabel("ONNX Runtime time / method time (higher is better)");
        plot.Axes.SetLimitsY(0, Math.Max(1.6, bars.Max(static b => b.Value) * 1.2));
        AddMachine(plot, report);
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, report, directory, "vs-onnx");
    }

    private static bool IsPeer(string method) =>
        method.StartsWith("OnnxRuntime", StringComparison.Ordinal) || method.StartsWith("TensorPrimitives", StringComparison.Ordinal);

    private static void AddMachine(Plot plot, BenchmarkReport report)
    {
        if (report.Machine.Length != 0)
        {
            plot.Axes.Bottom.Label.Text += "  —  " + report.Machine;
            plot.Axes.Bottom.Label.FontSize = 13;
        }
    }

    private static string Save(Plot plot, BenchmarkReport report, string directory, string kind)
    {
        string file = Path.Combine(directory, $"{Slug(report.ClassName)}-{kind}.png");
        plot.SavePng(file, Width, Height);
        return file;
    }

    // SoftmaxAlgorithms -> softmax-algorithms
    private static string Slug(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
