namespace Farm.Core.Pipelines;

/// <summary>One problem in a pipeline file, where it is and what to change.</summary>
/// <param name="Line">1-based line in the file; 0 when the problem is not tied to a place.</param>
/// <param name="Column">1-based column in the file; 0 when the problem is not tied to a place.</param>
/// <param name="Message">A sentence a person can act on.</param>
public sealed record PipelineError(int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}, column {Column}: {Message}" : Message;
}
