using Farm.Controller.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Starts an execution for a trigger. The controller's implementation is
/// <see cref="ExecutionStarterAdapter"/>: it resolves every git source and asks the pipeline grain.
/// Thread-safe; may take as long as the slowest remote; returns a refusal rather than throwing
/// when the pipeline will not start (unknown pipeline, source gone, variables without defaults).
/// </summary>
public interface ITriggerStarter
{
    /// <param name="revisions">Git action name to the commit to pin; other git actions follow their own branch.</param>
    /// <param name="trigger">One of the <c>ExecutionRun.*Trigger</c> constants.</param>
    /// <param name="triggeredBy">Shown beside the execution: which push, poll or schedule started it.</param>
    Task<StartOutcome> StartAsync(
        string pipeline, IReadOnlyDictionary<string, string> revisions, string trigger, string triggeredBy, CancellationToken cancellationToken);
}
