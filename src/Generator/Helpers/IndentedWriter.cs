using System;
using System.Text;

namespace KernelGen.Generator.Helpers;

/// <summary>
/// Writes indented C# text. <see cref="Block(string)"/> opens a brace block that closes when disposed:
/// <c>using (writer.Block("if (x)")) { ... }</c>.
/// </summary>
internal sealed class IndentedWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder builder = new();
    private int depth;

    /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
    public IndentedWriter Line(string text = "")
    {
        if (text.Length != 0)
        {
            for (int i = 0; i < this.depth; i++)
            {
                this.builder.Append(IndentUnit);
            }

            this.builder.Append(text);
        }

        this.builder.Append('\n');
        return this;
    }

    /// <summary>Writes several lines (a raw string with \n separators), each re-indented.</summary>
    public IndentedWriter Lines(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
        {
            this.Line(line);
        }

        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until disposed.</summary>
    public BlockScope Block(string header)
    {
        this.Line(header);
        return this.Block();
    }

    /// <summary>Writes an opening brace and indents until disposed.</summary>
    public BlockScope Block()
    {
        this.Line("{");
        this.depth++;
        return new BlockScope(this);
    }

    public override string ToString() => this.builder.ToString();

    /// <summary>Closes a block: dedents and writes the closing brace.</summary>
    internal readonly struct BlockScope : IDisposable
    {
        private readonly IndentedWriter writer;

        public BlockScope(IndentedWriter writer) => this.writer = writer;

        public void Dispose()
        {
            this.writer.depth--;
            this.writer.Line("}");
        }
    }
}
