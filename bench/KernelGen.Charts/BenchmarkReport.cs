using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace KernelGen.Charts;

/// <summary>One row of a report: a method at a shape, with the KernelGen columns it needs.</summary>
/// <param name="Method">The benchmark method (e.g. Avx512_TwoPass, OnnxRuntime_Softmax, Copy).</param>
/// <param name="Shape">Rows × row length, as "ROWSxLENGTH".</param>
/// <param name="NanosecondsPerElement">The median time per element.</param>
/// <param name="VersusOnnx">The speed-up over ONNX Runtime in the same run (null where the class has no ONNX row).</param>
internal sealed record ReportRow(string Method, string Shape, double NanosecondsPerElement, double? VersusOnnx)
{
    /// <summary>The row length (the number after the x).</summary>
    public long RowLength => long.Parse(this.Shape[(this.Shape.IndexOf('x', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);

    /// <summary>The number of rows.</summary>
    public long Rows => long.Parse(this.Shape[..this.Shape.IndexOf('x', StringComparison.Ordinal)], CultureInfo.InvariantCulture);

    /// <summary>Billions of elements per second.</summary>
    public double GigaElementsPerSecond => 1.0 / this.NanosecondsPerElement;
}

/// <summary>A BenchmarkDotNet CSV report of one benchmark class, and the machine line of its GitHub report.</summary>
internal sealed class BenchmarkReport
{
    private BenchmarkReport(string className, IReadOnlyList<ReportRow> rows, string machine)
    {
        this.ClassName = className;
        this.Rows = rows;
        this.Machine = machine;
    }

    /// <summary>The class name without its namespace, e.g. SoftmaxAlgorithms.</summary>
    public string ClassName { get; }

    /// <summary>The rows, in the report's order.</summary>
    public IReadOnlyList<ReportRow> Rows { get; }

    /// <summary>The processor and runtime lines of the run (from the GitHub report beside the CSV), or "".</summary>
    public string Machine { get; }

    /// <summary>True for the classes drawn as bars against ONNX Runtime: the normalizations and the losses (few shapes, one peer each).</summary>
    public bool IsNormalization => this.ClassName.Contains("Norm", StringComparison.Ordinal) || this.ClassName.Contains("Entropy", StringComparison.Ordinal);

    /// <summary>The shapes in the report, in order of first appearance.</summary>
    public IReadOnlyList<string> Shapes => this.Rows.Select(static r => r.Shape).Distinct().ToList();

    /// <summary>The methods in the report, in order of first appearance.</summary>
    public IReadOnlyList<string> Methods => this.Rows.Select(static r => r.Method).Distinct().ToList();

    /// <summary>Reads <c>...Namespace.Class-report.csv</c> (and its <c>-report-github.md</c> sibling for the machine).</summary>
    public static BenchmarkReport Read(string csvPath)
    {
        string name = Path.GetFileName(csvPath);
        name = name[..name.IndexOf("-report", StringComparison.Ordinal)];
        string className = name[(name.LastIndexOf('.') + 1)..];

        List<string[]> lines = File.ReadAllLines(csvPath).Where(static l => l.Length != 0).Select(SplitCsv).ToList();
        var rows = new List<ReportRow>();
        if (lines.Count > 1)
        {
            string[] header = lines[0];
            int method = Array.IndexOf(header, "Method");
            int shape = Array.IndexOf(header, "Shape");
            int perElement = Array.IndexOf(header, "ns/elem");
            int onnx = Array.IndexOf(header, "vs ORT");
            if (method >= 0 && shape >= 0 && perElement >= 0)
            {
                foreach (string[] fields in lines.Skip(1))
                {
                    if (Number(fields[perElement]) is double ns && ns > 0)
                    {
                        double? versus = onnx >= 0 ? Number(fields[onnx].TrimEnd('x')) : null;
                        rows.Add(new ReportRow(fields[method], fields[shape], ns, versus));
                    }
                }
            }
        }

        string github = csvPath.Replace("-report.csv", "-report-github.md", StringComparison.Ordinal);
        string machine = File.Exists(github)
            ? string.Join(", ", File.ReadLines(github).Select(static l => l.Trim())
                .Where(static l => l.StartsWith("Intel", StringComparison.Ordinal) || l.StartsWith("AMD", StringComparison.Ordinal) || l.StartsWith("[Host]", StringComparison.Ordinal))
                .Select(static l => l.StartsWith("[Host]", StringComparison.Ordinal)
                    ? l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Split('(')[0].Trim()
                    : l.Split(',')[0].Trim()))
            : string.Empty;
        return new BenchmarkReport(className, rows, machine);
    }

    private static double? Number(string text) =>
        double.TryParse(text.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    // RFC 4180 fields: commas separate, quotes enclose a field that holds commas or quotes ("" is one quote).
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
