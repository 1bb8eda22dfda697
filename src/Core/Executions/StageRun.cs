using Farm.Core.Pipelines;

namespace Farm.Core.Executions;

/// <summary>A stage of an execution; once entered, its status follows from its actions.</summary>
public sealed record StageRun(string Name, RunStatus Status, IReadOnlyList<ActionRun> Actions)
{
    /// <summary>The stage's onFailure, copied from the pinned version so the execution needs nothing else.</summary>
    public FailureHandling OnFailure { get; init; } = FailureHandling.Fail;

    /// <summary>The stage's beforeEntry rules; null when there are none.</summary>
    public EntryConditions? BeforeEntry { get; init; }

    /// <summary>How many times an execution entered the stage.</summary>
    public int Entries { get; init; }

    /// <summary>Automatic retries made by an onFailure of retry.</summary>
    public int AutomaticRetries { get; init; }

    /// <summary>Why the stage was skipped or failed on entry; null otherwise.</summary>
    public string? Message { get; init; }
}
