namespace Farm.Core.Pipelines;

/// <summary>The fields of a <see cref="ActionType.Pipeline"/> action.</summary>
/// <param name="Pipeline">The pipeline to start.</param>
/// <param name="Variables">Its variables; values may hold <c>#{...}</c> references.</param>
/// <param name="Wait">Wait for the started execution and succeed or fail with it; otherwise succeed once it started.</param>
public sealed record PipelineInvocation(string Pipeline, IReadOnlyDictionary<string, string> Variables, bool Wait);
