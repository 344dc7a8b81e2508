using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Tests;

/// <summary>The run-time behaviour table of api.md, on every path of every kernel.</summary>
public class BehaviourTests
{
    public static IEnumerable<object[]> AllKernels => KernelCatalog.Names();

    /// <summary>The row length used for a kernel in these tests (its fixed width, or a length with a tail).</summary>
    private static int RowLength(KernelInfo kernel) => kernel.Width != 0 ? kernel.Width : 37;

    [Fact]
    public void SelectedPathIsTheExpectedOne()
    {
        // The ISA matrix sets KERNELGEN_EXPECTED_PATH, so four runs cannot silently test one path four times.
        string? expected = Environment.GetEnvironmentVariable("KERNELGEN_EXPECTED_PATH");
        KernelPath machine = expected is not null
            ? Enum.Parse<KernelPath>(expected)
            : System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && Runtime.VectorMath512.IsSupported ? KernelPath.Avx512
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && Runtime.VectorMath256.IsSupported ? KernelPath.Avx2
            : System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported ? KernelPath.Neon
            : Runtime.VectorMath128.IsSupported ? KernelPath.Vector128
            : KernelPath.Scalar;
        foreach (KernelInfo kernel in KernelCatalog.All)
        {
            // A kernel emitted without the machine's path falls to the next one it has.
            KernelPath want = machine;
            while (want != KernelPath.Scalar && !kernel.Paths.ContainsKey(want.ToString()))
            {
                want = want switch
                {
                    KernelPath.Avx512 => KernelPath.Avx2,
                    KernelPath.Avx2 => System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported ? KernelPath.Neon : KernelPath.Vector128,
                    KernelPath.Neon => KernelPath.Vector128,
                    _ => KernelPath.Scalar,
                };
            }

            Assert.True(want == kernel.Selected, $"{kernel.Name}: selected {kernel.Selected}, expected {want}");
        }
    }

    [Fact]
    public void EmittedPathsFollowTargets()
    {
        Assert.Equal(new[] { "Avx2", "Neon", "Reference", "Scalar" }, KernelCatalog.Get("SoftmaxAvx2NeonOnlyF").Paths.Keys.Order());
        Assert.Equal(new[] { "Reference", "Scalar" }, KernelCatalog.Get("LogSoftmaxScalarOnlyD").Paths.Keys.Order());
        Assert.Equal(new[] { "Avx2", "Avx512", "Neon", "Reference", "Scalar", "Vector128" }, KernelCatalog.Get("SoftmaxAutoF").Paths.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void UnsupportedPathsThrowPlatformNotSupported(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int n = RowLength(kernel);
        foreach ((string path, MethodInfo method) in kernel.Paths.Where(static p => !Harness.IsSupported(p.Key)))
        {
            var error = Assert.ThrowsAny<Exception>(() => Harness.Run(kernel, method, new double[n], n));
            Assert.IsType<PlatformNotSupportedException>(error);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void InPlaceGivesTheSameResultAsOutOfPlace(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int n = RowLength(kernel);
        double[] x = Harness.Rounded(kernel, Inputs.Make("Uniform100", n * 3, 7).Take(kernel.ManyRows ? n * 3 : n).ToArray());
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel))
        {
            Assert.Equal(Harness.Run(kernel, method, x, n), Harness.RunInPlace(kernel, method, x, n));
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void NaNSpoilsOnlyItsRow(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int n = RowLength(kernel);
        int rows = kernel.ManyRows ? 3 : 1;
        double[] x = Harness.Rounded(kernel, Inputs.Make("Normal", n * rows, 3));
        x[n / 2] = double.NaN;      // in the first row
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel))
        {
            double[] y = Harness.Run(kernel, method, x, n);
            Assert.True(y.Take(n).All(double.IsNaN), $"{path}: a row with a NaN must be all NaN");
            Assert.True(y.Skip(n).All(double.IsFinite), $"{path}: other rows must be unaffected");
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void RowOfMinusInfinityIsNaNAndMasksWeighNothing(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int n = RowLength(kernel);
        int rows = kernel.ManyRows && n > 1 ? 2 : 1;
        double[] x = Harness.Rounded(kernel, Inputs.Make("Normal", n * rows, 5));
        for (int i = 0; i < n; i++)
        {
            x[i] = double.NegativeInfinity;          // row 0: all −inf (PyTorch gives NaN; so do we)
        }

        if (rows == 2)
        {
            for (int i = n; i < 2 * n; i += 2)
            {
                x[i] = double.NegativeInfinity;      // row 1: every other entry masked
            }
        }

        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel))
        {
            double[] y = Harness.Run(kernel, method, x, n);
            Assert.True(y.Take(n).All(double.IsNaN), $"{path}: an all −inf row gives NaN");
            for (int i = n; i < n * rows; i += 2)
            {
                Assert.Equal(kernel.IsLog ? double.NegativeInfinity : 0.0, y[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void HugeLogitsDoNotOverflowAndPropertiesHold(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int n = RowLength(kernel);
        var random = new Random(11);
        double[] x = Enumerable.Range(0, n).Select(_ => 1e4 + (random.NextDouble() * 50)).ToArray();
        x = Harness.Rounded(kernel, x);
        int argmax = Array.IndexOf(x, x.Max());
        double[] shifted = Harness.Rounded(kernel, x.Select(static v => v - 1e4).ToArray());
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel))
        {
            double[] y = Harness.Run(kernel, method, x, n);
            double[] p = kernel.IsLog ? y.Select(Math.Exp).ToArray() : y;
            Assert.All(p, static v => Assert.InRange(v, 0.0, 1.0));
            Assert.Equal(1.0, p.Sum(), kernel.IsDouble ? 1e-12 : 1e-5);
            Assert.Equal(argmax, Array.IndexOf(p, p.Max()));

            // Shift invariance: softmax(x + c) = softmax(x), within the float rounding of x − c itself.
            double[] z = Harness.Run(kernel, method, shifted, n);
            (double units, _) = Harness.Worst(kernel, shifted, y, n);
            Assert.True(units <= (kernel.IsDouble ? Harness.DoubleTolerance : Harness.FloatTolerance) * 4, $"{path}: shift invariance off by {units} units");
            Assert.Equal(z.Length, y.Length);
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void BadArgumentsThrowAndWriteNothing(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        int n = RowLength(kernel);
        foreach ((string path, MethodInfo method) in kernel.Paths.Append(new("Dispatch", kernel.Dispatcher)).Where(static p => Harness.IsSupported(p.Key)))
        {
            if (kernel.IsDouble)
            {
                CheckBadArguments<double>(kernel, method, n);
            }
            else
            {
                CheckBadArguments<float>(kernel, method, n);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllKernels))]
    public void EmptyInputWritesNothing(string name)
    {
        KernelInfo kernel = KernelCatalog.Get(name);
        foreach ((string path, MethodInfo method) in Harness.RunnablePaths(kernel))
        {
            Assert.Empty(Harness.Run(kernel, method, Array.Empty<double>(), RowLength(kernel)));
        }
    }

    private static void CheckBadArguments<T>(KernelInfo kernel, MethodInfo method, int n)
        where T : struct, IEquatable<T>
    {
        T sentinel = (T)Convert.ChangeType(7.0, typeof(T));
        T[] Output(int length) => Enumerable.Repeat(sentinel, length).ToArray();

        // Lengths differ.
        T[] output = Output(n + 1);
        Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, new T[n], output, n));
        Assert.All(output, v => Assert.Equal(sentinel, v));

        // Partial overlap (the output starts one element after the input).
        if (n > 1)
        {
            T[] shared = Output((2 * n) + 1);
            Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, shared.AsSpan(0, n), shared.AsSpan(1, n), n));
            Assert.All(shared, v => Assert.Equal(sentinel, v));
        }

        if (kernel.ManyRows)
        {
            output = Output(n * 2);
            Assert.Throws<ArgumentOutOfRangeException>(() => kernel.Run<T>(method, new T[n * 2], output, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => kernel.Run<T>(method, new T[n * 2], output, -3));
            if (n > 1)
            {
                Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, new T[(n * 2) + 1], Output((n * 2) + 1), n));
            }

            if (kernel.Width != 0)
            {
                // A whole number of rows, but not of the fixed width.
                Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, new T[n * 2], output, n * 2));
            }

            Assert.All(output, v => Assert.Equal(sentinel, v));
        }
        else if (kernel.Width != 0)
        {
            output = Output(n + 1);
            Assert.Throws<ArgumentException>(() => kernel.Run<T>(method, new T[n + 1], output, n + 1));
            Assert.All(output, v => Assert.Equal(sentinel, v));
        }
    }
}
