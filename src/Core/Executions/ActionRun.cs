namespace Farm.Core.Executions;

/// <summary>An action of an execution with its latest attempt.</summary>
public sealed record ActionRun
{
    public required string Name { get; init; }
    public required int RunOrder { get; init; }

    /// <summary>The action type, lower case as in pipeline files (<c>container</c>, <c>shell</c>).</summary>
    public required string Type { get; init; }
    public RunStatus Status { get; init; } = RunStatus.Pending;

    /// <summary>Attempts made so far; the latest is <see cref="AttemptId"/>.</summary>
    public int Attempt { get; init; }

    /// <summary>The latest attempt's id (see <see cref="AttemptIds"/>); null before the first.</summary>
    public string? AttemptId { get; init; }

    /// <summary>The agent that accepted the latest attempt.</summary>
    public string? Agent { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>Why it failed; null otherwise.</summary>
    public string? Message { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>True while an attempt of this action is offered to or running on an agent.</summary>
    public bool IsActive => Status is RunStatus.Queued or RunStatus.InProgress;
}
