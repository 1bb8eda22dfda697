namespace Farm.Controller.Triggers;

/// <summary>What a trigger start came to: started, already started by an earlier trigger, or refused by the pipeline.</summary>
public sealed record TriggerLaunch(string? ExecutionId, string? AlreadyStartedBy, bool AlreadyStarted, string? Refusal)
{
    public static TriggerLaunch Started(string executionId) => new(executionId, null, false, null);

    public static TriggerLaunch Duplicate(string? executionId) => new(null, executionId, true, null);

    public static TriggerLaunch Refused(string reason) => new(null, null, false, reason);
}
