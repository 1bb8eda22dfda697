namespace Farm.Core.Executions;

/// <summary>An action of an execution with its latest attempt; earlier attempts are in <see cref="PreviousAttempts"/>.</summary>
public sealed record ActionRun
{
    public required string Name { get; init; }
    public required int RunOrder { get; init; }

    /// <summary>The action type, lower case as in pipeline files (<c>container</c>, <c>shell</c>).</summary>
    public required string Type { get; init; }

    /// <summary>The namespace its output variables are known by; null when it has none.</summary>
    public string? Namespace { get; init; }

    public RunStatus Status { get; init; } = RunStatus.Pending;

    /// <summary>Attempts made so far; the latest is <see cref="AttemptId"/>.</summary>
    public int Attempt { get; init; }

    /// <summary>The latest attempt's id (see <see cref="AttemptIds"/>); null before the first.</summary>
    public string? AttemptId { get; init; }

    /// <summary>The agent that accepted the latest attempt.</summary>
    public string? Agent { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>Why it failed or was abandoned; null otherwise.</summary>
    public string? Message { get; init; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The latest attempt's configuration as dispatched.</summary>
    public ResolvedAction? Resolved { get; init; }

    /// <summary>Output variables of the latest attempt.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Artifacts the latest attempt made.</summary>
    public IReadOnlyList<ArtifactRef> Artifacts { get; init; } = [];

    /// <summary>For approval actions: the question and the decision; null for other types and before it waits.</summary>
    public ApprovalState? Approval { get; init; }

    /// <summary>New attempts allowed after lost ones (the action's <c>retry.onAgentLost</c>).</summary>
    public int RetryOnAgentLost { get; init; }

    /// <summary>Attempts of this action lost with their agent so far.</summary>
    public int LostAttempts { get; init; }

    /// <summary>
    /// Container-deploy actions rolling over several agents: the agents chosen at the first dispatch,
    /// in the order they are deployed to; empty when one agent takes it as any action.
    /// </summary>
    public IReadOnlyList<string> RollingTargets { get; init; } = [];

    /// <summary>Agents of <see cref="RollingTargets"/> deployed to so far; their attempts are in <see cref="PreviousAttempts"/>.</summary>
    public IReadOnlyList<string> RolledOut { get; init; } = [];

    /// <summary>The agent the next attempt must run on: the first of <see cref="RollingTargets"/> not rolled out; null when not rolling.</summary>
    public string? NextTarget => RollingTargets.FirstOrDefault(agent => !RolledOut.Contains(agent));

    /// <summary>Every earlier attempt, oldest first.</summary>
    public IReadOnlyList<AttemptRecord> PreviousAttempts { get; init; } = [];

    /// <summary>True while an attempt of this action is offered to or running on an agent.</summary>
    public bool IsActive => Status is RunStatus.Queued or RunStatus.InProgress;
}
