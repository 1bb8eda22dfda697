namespace Farm.Core.Executions;

/// <summary>
/// Where an execution, a stage or an action stands. Succeeded, Failed, Stopped, Superseded,
/// Abandoned and Skipped are final (a retry makes a stage and its actions pending again).
/// </summary>
public enum RunStatus
{
    /// <summary>Not started: waiting for its turn (a stage also while its execution waits to enter it).</summary>
    Pending,

    /// <summary>An action whose attempt is waiting for, or offered to, an agent.</summary>
    Queued,

    /// <summary>Running.</summary>
    InProgress,

    /// <summary>Finished successfully.</summary>
    Succeeded,

    /// <summary>Finished with a failure.</summary>
    Failed,

    /// <summary>An execution asked to stop whose running actions have not all ended yet.</summary>
    Stopping,

    /// <summary>An execution, or a stage, that was stopped.</summary>
    Stopped,

    /// <summary>An execution overtaken by a newer one while it waited to enter a stage.</summary>
    Superseded,

    /// <summary>An action cancelled by a stop with abandon.</summary>
    Abandoned,

    /// <summary>A stage skipped by its beforeEntry rules, or one a rollback does not run.</summary>
    Skipped,
}

/// <summary>Questions about <see cref="RunStatus"/> that several places ask.</summary>
public static class RunStatusExtensions
{
    /// <summary>True for statuses nothing moves on from (without a retry).</summary>
    public static bool IsFinal(this RunStatus status) =>
        status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Stopped or RunStatus.Superseded
            or RunStatus.Abandoned or RunStatus.Skipped;

    /// <summary>True for a stage the execution may move past.</summary>
    public static bool IsPassed(this RunStatus status) => status is RunStatus.Succeeded or RunStatus.Skipped;
}
