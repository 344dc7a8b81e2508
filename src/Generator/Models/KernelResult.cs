using KernelGen.Generator.Helpers;

namespace KernelGen.Generator.Models;

/// <summary>What a transform returns: the model to emit (null when the declaration is broken) and the diagnostics to report.</summary>
internal sealed record KernelResult<TModel>(TModel? Model, EquatableArray<DiagnosticInfo> Diagnostics)
    where TModel : class;
