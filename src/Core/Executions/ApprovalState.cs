namespace Farm.Core.Executions;

/// <summary>An approval action's question, deadline and, once made, its decision.</summary>
public sealed record ApprovalState(string Message, string? ReviewUrl, DateTimeOffset WaitingSince, DateTimeOffset Deadline)
{
    /// <summary>True when approved, false when rejected, null while it waits.</summary>
    public bool? Approved { get; init; }

    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? Comment { get; init; }
}
