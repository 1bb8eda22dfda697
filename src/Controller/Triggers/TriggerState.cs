namespace Farm.Controller.Triggers;

/// <summary>Stored state of a trigger grain.</summary>
public sealed class TriggerState
{
    /// <summary>Per source trigger (its git action's name): the trigger's own webhook secret, hex, made when first asked for.</summary>
    public Dictionary<string, string> Secrets { get; set; } = [];

    /// <summary>Per source (git action name): full ref name to the commit polling last saw.</summary>
    public Dictionary<string, Dictionary<string, string>> Heads { get; set; } = [];

    /// <summary>Per source: commits triggers started, oldest first, at most <see cref="TriggerGrain.StartedKept"/>.</summary>
    public Dictionary<string, List<StartedCommit>> Started { get; set; } = [];

    /// <summary>Per schedule (cron and time zone): when it last fired.</summary>
    public Dictionary<string, DateTimeOffset> LastFired { get; set; } = [];
}

/// <summary>A commit a trigger started; <see cref="ExecutionId"/> is null while the start is under way.</summary>
public sealed class StartedCommit
{
    public string Commit { get; set; } = "";

    public string? ExecutionId { get; set; }

    public DateTimeOffset At { get; set; }
}
