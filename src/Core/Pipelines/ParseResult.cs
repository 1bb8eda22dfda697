namespace Farm.Core.Pipelines;

/// <summary>The outcome of parsing a pipeline file: a pipeline, or every error found, never both.</summary>
public sealed record ParseResult(PipelineDefinition? Pipeline, IReadOnlyList<PipelineError> Errors)
{
    /// <summary>True when the file parsed: <see cref="Pipeline"/> is set and <see cref="Errors"/> is empty.</summary>
    public bool Succeeded => Pipeline is not null;
}
