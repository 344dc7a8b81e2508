using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Tests;

namespace KernelGen.Accuracy;

/// <summary>
/// Measures each kernel's worst error (testing.md §4 units) on every path this machine runs,
/// over long rows of the inputs that stress accuracy, and prints the table of docs/accuracy.md.
/// </summary>
public static class KernelSweep
{
    private delegate void Row<T>(ReadOnlySpan<T> input, Span<T> output);

    public static void Run(int[] lengths)
    {
        string[] paths = { "Avx512", "Avx2", "Neon", "Vector128", "Scalar", "Reference" };
        string[] distributions = { "Normal", "Uniform100", "Wide1e4", "Masked", "Overflow90" };
        Console.WriteLine($"Lengths {string.Join(", ", lengths)}; inputs {string.Join(", ", distributions)}.");
        Console.WriteLine();
        Console.WriteLine("| kernel | " + string.Join(" | ", paths) + " |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", paths.Length)));
        foreach (MethodInfo kernel in typeof(SweepKernels).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(static m => m.Name.EndsWith('F') || m.Name.EndsWith('D')))
        {
            bool isDouble = kernel.Name.EndsWith('D');
            bool log = kernel.Name.StartsWith("Log", StringComparison.Ordinal);
            Type pathsType = typeof(SweepKernels).GetNestedType(kernel.Name + "Paths")!;
            var cells = new List<string>();
            foreach (string path in paths)
            {
                MethodInfo? method = pathsType.GetMethod(path);
                if (method is null || !Available(path))
                {
                    cells.Add("—");
                    continue;
                }

                double worst = 0;
                int seed = 1;
                foreach (int n in lengths)
                {
                    foreach (string distribution in distributions)
                    {
                        double[] x = Inputs.Make(distribution, n, seed++);
                        if (!isDouble)
                        {
                            x = x.Select(static v => (double)(float)v).ToArray();
                        }

                        double[] y = Call(method, x, isDouble);
                        double[] expected = Oracle.Softmax(x, 1.0, log);
                        double max = x.Max();
                        for (int i = 0; i < n; i++)
                        {
                            worst = Math.Max(worst, Oracle.Units(y[i], expected[i], x[i], max, 1.0, log, isDouble));
                        }
                    }
                }

                cells.Add(worst.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
            }

            Console.WriteLine($"| {kernel.Name} | " + string.Join(" | ", cells) + " |");
        }
    }

    private static bool Available(string path) => path switch
    {
        "Avx512" => Runtime.VectorMath512.IsSupported,
        "Avx2" => Runtime.VectorMath256.IsSupported,
        "Neon" => System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported,
        "Vector128" => Runtime.VectorMath128.IsSupported,
        _ => true,
    };

    private static double[] Call(MethodInfo method, double[] x, bool isDouble)
    {
        if (isDouble)
        {
            var y = new double[x.Length];
            ((Row<double>)method.CreateDelegate(typeof(Row<double>)))(x, y);
            return y;
        }

        float[] input = x.Select(static v => (float)v).ToArray();
        var output = new float[x.Length];
        ((Row<float>)method.CreateDelegate(typeof(Row<float>)))(input, output);
        return output.Select(static v => (double)v).ToArray();
    }
}
