namespace Farm.Core.Executions;

/// <summary>A stage of an execution; its status follows from its actions.</summary>
public sealed record StageRun(string Name, RunStatus Status, IReadOnlyList<ActionRun> Actions);
