namespace Farm.Controller.Pipelines;

/// <summary>
/// One pipeline, keyed by its name: its versions and the numbering of its executions.
/// Calls are processed one at a time, so two applies never make the same version number.
/// </summary>
public interface IPipelineGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores a pipeline file as the next version. The caller has validated it; the grain parses it
    /// again and throws <see cref="ArgumentException"/> when it is invalid or names another pipeline.
    /// </summary>
    Task<ApplyOutcome> Apply(string source);

    /// <summary>A stored version; 0 for the latest. Null when the pipeline or version does not exist.</summary>
    Task<StoredPipelineVersion?> GetVersion(int version);

    /// <summary>Starts an execution of the latest version.</summary>
    Task<StartOutcome> Start(Dictionary<string, string> variables);
}
