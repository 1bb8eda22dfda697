namespace Farm.Core.Executions;

/// <summary>Where an execution, a stage or an action stands. Succeeded and Failed are final.</summary>
public enum RunStatus
{
    /// <summary>Not started: waiting for its turn.</summary>
    Pending,

    /// <summary>An action whose attempt is waiting for, or offered to, an agent.</summary>
    Queued,

    /// <summary>Running.</summary>
    InProgress,

    /// <summary>Finished successfully.</summary>
    Succeeded,

    /// <summary>Finished with a failure.</summary>
    Failed,
}
