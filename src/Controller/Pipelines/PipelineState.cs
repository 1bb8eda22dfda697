namespace Farm.Controller.Pipelines;

/// <summary>Stored state of a pipeline grain.</summary>
public sealed class PipelineState
{
    /// <summary>Every applied version, oldest first; version n is at index n - 1.</summary>
    public List<PipelineVersionRecord> Versions { get; set; } = [];

    /// <summary>Executions started so far; numbers the next execution id.</summary>
    public int ExecutionsStarted { get; set; }

    /// <summary>Disabled inbound transitions: stage name to the reason given.</summary>
    public Dictionary<string, string> DisabledTransitions { get; set; } = [];

    /// <summary>Executions in each stage now, by stage name.</summary>
    public Dictionary<string, List<string>> InStage { get; set; } = [];

    /// <summary>Executions waiting to enter each stage, in the order they will enter, by stage name.</summary>
    public Dictionary<string, List<string>> Waiting { get; set; } = [];

    /// <summary>Grows with every change of the above; watchers compare it.</summary>
    public long Revision { get; set; }
}

/// <summary>One applied version as stored.</summary>
public sealed record PipelineVersionRecord(int Version, string Source, DateTimeOffset AppliedAt);
