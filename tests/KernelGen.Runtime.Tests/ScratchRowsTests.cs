using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using KernelGen.Runtime;
using Xunit;

namespace KernelGen.Tests;

/// <summary>
/// <see cref="ScratchRows"/>, tested once: 64-byte aligned, as long as asked, reused (not reallocated) for a length it
/// already holds, and one buffer per thread.
/// </summary>
public class ScratchRowsTests
{
    // The address of a reference, without unsafe code.
    private static nint AddressOf<T>(ref T value) => Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref Unsafe.As<T, byte>(ref value));

    [Fact]
    public void ScratchIsAlignedLongEnoughAndReused()
    {
        ref float first = ref ScratchRows.Get<float>(1000);
        Assert.Equal(0, AddressOf(ref first) % 64);
        first = 1;
        Unsafe.Add(ref first, 999) = 2;   // the last element asked for is writable
        nint address = AddressOf(ref first);

        ref double again = ref ScratchRows.Get<double>(500);   // the same 4000 bytes: the same buffer
        Assert.Equal(address, AddressOf(ref again));

        ref double longer = ref ScratchRows.Get<double>(100_000);   // longer: a new buffer, still aligned
        Assert.Equal(0, AddressOf(ref longer) % 64);
        Unsafe.Add(ref longer, 99_999) = 3;
        Assert.Equal(3, Unsafe.Add(ref longer, 99_999));
    }

    [Fact]
    public async Task EachThreadHasItsOwnScratch()
    {
        static nint Address() => AddressOf(ref ScratchRows.Get<byte>(256));
        nint here = Address();
        nint there = await Task.Factory.StartNew(Address, TaskCreationOptions.LongRunning);
        Assert.NotEqual(here, there);
    }

    [Fact]
    public void ANegativeLengthThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScratchRows.Get<float>(-1));
}
