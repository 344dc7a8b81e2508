using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace KernelGen.Generator.Helpers;

/// <summary>
/// An immutable array with value equality, so that models holding lists compare by content
/// and the incremental pipeline can cache them (ImmutableArray compares by reference).
/// </summary>
internal readonly struct EquatableArray<T> : System.IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : System.IEquatable<T>
{
    private readonly T[]? items;

    public EquatableArray(IEnumerable<T> items) => this.items = items.ToArray();

    public static EquatableArray<T> Empty => new(System.Array.Empty<T>());

    public int Count => this.items?.Length ?? 0;

    public T this[int index] => this.items![index];

    public bool Equals(EquatableArray<T> other)
    {
        T[] mine = this.items ?? System.Array.Empty<T>();
        T[] theirs = other.items ?? System.Array.Empty<T>();
        if (mine.Length != theirs.Length)
        {
            return false;
        }

        for (int i = 0; i < mine.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(mine[i], theirs[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && this.Equals(other);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T item in this.items ?? System.Array.Empty<T>())
        {
            hash = unchecked((hash * 31) + (item?.GetHashCode() ?? 0));
        }

        return hash;
    }

    public ImmutableArray<T> ToImmutableArray() => this.items is null ? ImmutableArray<T>.Empty : ImmutableArray.Create(this.items);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(this.items ?? System.Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => this.GetEnumerator();
}
