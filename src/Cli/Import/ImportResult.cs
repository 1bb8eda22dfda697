namespace Farm.Cli.Import;

/// <summary>The outcome of an import: the pipeline file with its notes, or the errors, never both.</summary>
/// <param name="Yaml">The Farm pipeline file; null when <see cref="Errors"/> is not empty.</param>
/// <param name="Notes">What changed in translation, in file order.</param>
/// <param name="Errors">Why nothing could be written.</param>
internal sealed record ImportResult(string? Yaml, IReadOnlyList<ImportNote> Notes, IReadOnlyList<ImportError> Errors)
{
    public bool Succeeded => Yaml is not null;
}
