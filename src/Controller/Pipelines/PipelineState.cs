namespace Farm.Controller.Pipelines;

/// <summary>Stored state of a pipeline grain.</summary>
public sealed class PipelineState
{
    /// <summary>Every applied version, oldest first; version n is at index n - 1.</summary>
    public List<PipelineVersionRecord> Versions { get; set; } = [];

    /// <summary>Executions started so far; numbers the next execution id.</summary>
    public int ExecutionsStarted { get; set; }
}

/// <summary>One applied version as stored.</summary>
public sealed record PipelineVersionRecord(int Version, string Source, DateTimeOffset AppliedAt);
