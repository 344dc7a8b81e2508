using System;
using System.Diagnostics;
using KernelGen.Accuracy;

// The exhaustive accuracy sweep behind docs/accuracy.md: every float in [−87.34, −0] through each
// width's exp, compared with the exact value; and, with --kernels, every kernel's worst error per path.
// With --tanh, every float in [+0, 10] through each width's tanh, and a sample of doubles.
// Usage: dotnet run -c Release --project bench/KernelGen.AccuracySweep [-- --stride N | --kernels [--quick] | --tanh [--stride N]]
if (args.Length >= 1 && args[0] == "--kernels")
{
    // The tolerance table: every kernel's worst error on every path, over long rows.
    KernelGen.Accuracy.KernelSweep.Run(args.Length == 2 && args[1] == "--quick" ? new[] { 1000, 65_537 } : new[] { 1000, 65_537, 1_000_003 });
    return;
}

if (args.Length >= 1 && args[0] == "--tanh")
{
    int tanhStride = args.Length == 3 && args[1] == "--stride" ? int.Parse(args[2]) : 1;
    Console.WriteLine($"Sweeping every {(tanhStride == 1 ? string.Empty : tanhStride + "th ")}float in [+0, {TanhSweep.UpperFloat}] and 3·10⁶ doubles on {Environment.ProcessorCount} threads.");
    Console.WriteLine($"{"tanh",-22} {"element",8} {"inputs",14} {"max ulp",8} {"at x",24} {"seconds",8}");
    foreach (string name in TanhSweep.Names)
    {
        if (!TanhSweep.IsAvailable(name))
        {
            Console.WriteLine($"{name,-22} (not available on this machine)");
            continue;
        }

        var floatWatch = Stopwatch.StartNew();
        TanhSweepResult f = TanhSweep.RunFloat(name, tanhStride);
        Console.WriteLine($"{f.Name,-22} {"float",8} {f.Count,14:N0} {f.MaxUlp,8:F3} {f.WorstInput,24:R} {floatWatch.Elapsed.TotalSeconds,8:F1}");
        var doubleWatch = Stopwatch.StartNew();
        TanhSweepResult d = TanhSweep.RunDouble(name, 3_000_000);
        Console.WriteLine($"{d.Name,-22} {"double",8} {d.Count,14:N0} {d.MaxUlp,8:F3} {d.WorstInput,24:R} {doubleWatch.Elapsed.TotalSeconds,8:F1}");
    }

    Console.WriteLine("ulp: |y − tanh(x)| / ulp(tanh(x)), tanh(x) from Math.Tanh in double (float results) or Math.Tanh itself (double results).");
    return;
}

int stride = args.Length == 2 && args[0] == "--stride" ? int.Parse(args[1]) : 1;
Console.WriteLine($"Sweeping every {(stride == 1 ? string.Empty : stride + "th ")}float in [{ExpSweep.Lower}, -0] on {Environment.ProcessorCount} threads.");
Console.WriteLine($"{"exp",-30} {"floats",14} {"max ulp",8} {"at x",14} {"ulp - |x|/25",12} {"flushed",8} {"subnormal ulp",14} {"seconds",8}");
foreach (string name in ExpSweep.Names)
{
    if (!ExpSweep.IsAvailable(name))
    {
        Console.WriteLine($"{name,-30} (not available on this machine)");
        continue;
    }

    var watch = Stopwatch.StartNew();
    ExpSweepResult r = ExpSweep.Run(name, stride: stride);
    Console.WriteLine($"{r.Name,-30} {r.Count,14:N0} {r.MaxUlp,8:F3} {r.WorstInput,14:R} {r.MaxUlpNetOfArgument,12:F3} {r.Flushed,8:N0} {r.MaxSubnormalUlp,14:F3} {watch.Elapsed.TotalSeconds,8:F1}");
}

Console.WriteLine("ulp: |y − e^x| / ulp(e^x) for results in the normal range; results below 2^-126 may be flushed to 0 (counted), else measured in units of 2^-149.");
Console.WriteLine("ulp - |x|/25: the worst error less what a reduction by ln 2 rounded to one float costs at x (the AVX-512 table exp's; docs/accuracy.md).");
