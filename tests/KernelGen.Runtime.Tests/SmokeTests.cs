using System;
using Xunit;

namespace KernelGen.Tests;

public class SmokeTests
{
    [Fact]
    public void Runs()
    {
        float[] x = { 1, 2, 3, 4 };
        float[] y = new float[4];
        SmokeKernels.SoftmaxAuto(x, y);
        Assert.Equal(1.0, y[0] + y[1] + y[2] + y[3], 5);
    }
}
