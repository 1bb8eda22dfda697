namespace Farm.Core.Executions;

/// <summary>
/// The whole state of one execution. Immutable: every transition of <see cref="ExecutionMachine"/>
/// returns a new value with <see cref="Revision"/> one higher, so a stored or watched copy never
/// changes under its reader.
/// </summary>
public sealed record ExecutionRun
{
    /// <summary>The trigger of an execution started by a person or a tool.</summary>
    public const string ManualTrigger = "manual";

    /// <summary>The trigger of a rollback.</summary>
    public const string RollbackTrigger = "rollback";

    /// <summary>The trigger of an execution started by a Git host's webhook push.</summary>
    public const string WebhookTrigger = "webhook";

    /// <summary>The trigger of an execution started because polling found a new commit.</summary>
    public const string PollTrigger = "poll";

    /// <summary>The trigger of an execution started by a schedule.</summary>
    public const string ScheduleTrigger = "schedule";

    /// <summary>The trigger of an execution started by another pipeline's pipeline action.</summary>
    public const string PipelineTrigger = "pipeline";

    public required string Id { get; init; }
    public required string Pipeline { get; init; }
    public required int PipelineVersion { get; init; }
    public RunStatus Status { get; init; } = RunStatus.InProgress;
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the execution failed, stopped or was superseded; null otherwise.</summary>
    public string? Message { get; init; }

    /// <summary>What started it: one of the <c>*Trigger</c> constants.</summary>
    public string Trigger { get; init; } = ManualTrigger;

    /// <summary>More about what started it: the person, the webhook delivery, the schedule, the parent execution.</summary>
    public string? TriggeredBy { get; init; }

    /// <summary>The source revisions it builds, one per git action, fixed at start.</summary>
    public IReadOnlyList<PinnedSource> Sources { get; init; } = [];

    /// <summary>When a pipeline action started this execution and waits for it: that action.</summary>
    public ParentLink? Parent { get; init; }

    /// <summary>For a rollback: what it reuses from the execution it rolls back to.</summary>
    public Inheritance? Inherited { get; init; }

    /// <summary>Declared pipeline variables after start overrides, by name.</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    public required IReadOnlyList<StageRun> Stages { get; init; }

    /// <summary>The stage the execution waits to enter; null when it does not wait.</summary>
    public int? WaitingForStage { get; init; }

    /// <summary>Why it waits there.</summary>
    public string? WaitingReason { get; init; }

    /// <summary>Grows by one with every transition.</summary>
    public long Revision { get; init; }

    /// <summary>Attempts created so far in this execution; numbers the next attempt id.</summary>
    public int AttemptsCreated { get; init; }

    /// <summary>True once nothing more will happen without a retry.</summary>
    public bool IsFinished => Status.IsFinal();

    /// <summary>The stage the execution is in (entered, not yet passed or ended); null between stages.</summary>
    public int? CurrentStage
    {
        get
        {
            for (var i = 0; i < Stages.Count; i++)
            {
                if (Stages[i].Status is RunStatus.InProgress)
                {
                    return i;
                }
            }

            return null;
        }
    }
}
