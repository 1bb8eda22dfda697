using Farm.Controller.Executions;
using Farm.Controller.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>Starts trigger executions through <see cref="ExecutionStarter"/>, as the API starts them, without variables.</summary>
public sealed class ExecutionStarterAdapter(ExecutionStarter starter) : ITriggerStarter
{
    public Task<StartOutcome> StartAsync(
        string pipeline, IReadOnlyDictionary<string, string> revisions, string trigger, string triggeredBy, CancellationToken cancellationToken) =>
        starter.StartAsync(pipeline, [], revisions, trigger, triggeredBy, null, cancellationToken);
}
