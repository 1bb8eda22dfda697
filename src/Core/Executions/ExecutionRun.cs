namespace Farm.Core.Executions;

/// <summary>
/// The whole state of one execution. Immutable: every transition of <see cref="ExecutionMachine"/>
/// returns a new value with <see cref="Revision"/> one higher, so a stored or watched copy never
/// changes under its reader.
/// </summary>
public sealed record ExecutionRun
{
    public required string Id { get; init; }
    public required string Pipeline { get; init; }
    public required int PipelineVersion { get; init; }
    public RunStatus Status { get; init; } = RunStatus.InProgress;
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the execution failed; null otherwise.</summary>
    public string? Message { get; init; }

    /// <summary>Declared pipeline variables after start overrides, by name.</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    public required IReadOnlyList<StageRun> Stages { get; init; }

    /// <summary>Grows by one with every transition.</summary>
    public long Revision { get; init; }

    /// <summary>Attempts created so far in this execution; numbers the next attempt id.</summary>
    public int AttemptsCreated { get; init; }

    public bool IsFinished => Status is RunStatus.Succeeded or RunStatus.Failed;
}
