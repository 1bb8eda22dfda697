namespace Farm.Cli.Import;

/// <summary>A problem that stops the import: the input is not JSON, or lacks what a pipeline needs.</summary>
/// <param name="Line">1-based line in the input; 0 when the problem is tied to no place.</param>
/// <param name="Path">Where in the JSON, as <c>$.pipeline.stages[0].name</c>.</param>
/// <param name="Message">What is wrong and what to change.</param>
internal sealed record ImportError(int Line, string Path, string Message)
{
    /// <summary><c>FILE:LINE: PATH: message</c>, the form editors recognise.</summary>
    public string Format(string file) =>
        Line > 0 ? $"{file}:{Line}: {Path}: {Message}" : $"{file}: {Path}: {Message}";
}
