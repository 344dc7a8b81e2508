namespace KernelGen.Generator.Models;

/// <summary>What every family's model offers the generator's output step.</summary>
internal interface IKernelModel
{
    /// <summary>The generated file's name: <c>{Namespace}.{Types}.{Method}.g.cs</c>.</summary>
    string HintName { get; }
}
