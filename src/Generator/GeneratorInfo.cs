namespace KernelGen.Generator;

/// <summary>Facts about this generator that emitted code repeats.</summary>
internal static class GeneratorInfo
{
    /// <summary>The version written into <c>[GeneratedCode]</c>; kept constant so snapshots do not churn with builds.</summary>
    public const string Version = "0.1.0";
}
