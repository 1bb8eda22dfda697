namespace Farm.Core.Pipelines;

/// <summary>How executions of one pipeline share its stages, as CodePipeline defines the three modes.</summary>
public enum ExecutionMode
{
    /// <summary>
    /// One execution in a stage at a time; an execution waiting to enter a stage is overtaken, and
    /// ends Superseded, when a newer one reaches the same point. The default.
    /// </summary>
    Superseded,

    /// <summary>One execution in a stage at a time; the others wait and enter in the order they started.</summary>
    Queued,

    /// <summary>Executions run independently; stages are never locked.</summary>
    Parallel,
}
