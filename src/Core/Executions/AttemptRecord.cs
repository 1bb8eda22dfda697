namespace Farm.Core.Executions;

/// <summary>An earlier attempt of an action, kept when a retry or a requeue starts a new one.</summary>
public sealed record AttemptRecord(
    string AttemptId,
    RunStatus Status,
    string? Agent,
    int? ExitCode,
    string? Message,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);
