using Farm.Core.Executions;

namespace Farm.Controller.Executions;

/// <summary>Stored state of an execution grain.</summary>
public sealed class ExecutionState
{
    /// <summary>The state machine's state; null before <see cref="IExecutionGrain.Begin"/>.</summary>
    public ExecutionRun? Run { get; set; }

    /// <summary>
    /// The pipeline file, in executions stored before it moved to <see cref="ExecutionSource"/>; null
    /// in newer ones, which then do not write it again with every transition.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>The execution's number within its pipeline.</summary>
    public int Number { get; set; }

    /// <summary>Set once a failed stage's onFailure rollback was asked for, so it is asked for once.</summary>
    public bool RollbackRequested { get; set; }

    /// <summary>Set once the parent pipeline action was told this execution finished.</summary>
    public bool ParentNotified { get; set; }

    /// <summary>
    /// W3C trace context of the execution's root span, made at its start: every dispatch, on any
    /// silo and after any restart, is a span of this one trace.
    /// </summary>
    public string? TraceParent { get; set; }
}

/// <summary>
/// The pipeline file of an execution's pinned version, so the execution never depends on later
/// applies. A row of its own, written once at the start: the execution's state row is written at
/// every transition.
/// </summary>
public sealed class ExecutionSource
{
    public string Text { get; set; } = "";
}
