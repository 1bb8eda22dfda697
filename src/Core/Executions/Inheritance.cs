namespace Farm.Core.Executions;

/// <summary>
/// What a rollback takes from the earlier execution it rolls back to: the output variables of its
/// actions, by namespace, and the artifacts they made, so the stage runs with exactly those.
/// </summary>
public sealed record Inheritance(
    string ExecutionId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Outputs,
    IReadOnlyList<ArtifactRef> Artifacts);
