namespace Farm.Core.Pipelines;

/// <summary>
/// Thrown by <see cref="StructureLimitFilter"/> from inside YamlDotNet's loading, the one way out of
/// its recursion; <see cref="PipelineParser.Parse"/> catches it and reports <see cref="Error"/> alone,
/// since nothing past a hostile structure is worth reading.
/// </summary>
internal sealed class DocumentLimitException(PipelineError error) : Exception(error.ToString())
{
    public PipelineError Error { get; } = error;
}
