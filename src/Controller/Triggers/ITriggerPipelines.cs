using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// The latest version of each applied pipeline, parsed, for reading its triggers. The controller's
/// implementation is <see cref="StoredPipelines"/>. Thread-safe; errors of the store propagate.
/// </summary>
public interface ITriggerPipelines
{
    /// <summary>
    /// The latest version of <paramref name="name"/>; null when it has not been applied. The name may
    /// come from anyone (a webhook URL): a name that was never applied must cost no grain activation
    /// and no memory that stays.
    /// </summary>
    Task<PipelineDefinition?> GetAsync(string name);

    /// <summary>The latest version of every applied pipeline.</summary>
    Task<IReadOnlyList<PipelineDefinition>> ListAsync();
}
