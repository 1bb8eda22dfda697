namespace Farm.Core.Pipelines;

/// <summary>
/// What starts executions without a person: a Git source's changes (by polling, or by webhook
/// pushes from the Git host), or a schedule. Exactly one of <see cref="Source"/> and
/// <see cref="Schedule"/> is set.
/// </summary>
public sealed record TriggerDefinition
{
    /// <summary>The name of the git action whose repository the trigger watches.</summary>
    public string? Source { get; init; }

    /// <summary>Poll the repository this often; null for no polling.</summary>
    public TimeSpan? Poll { get; init; }

    /// <summary>Accept push events on the webhook endpoint.</summary>
    public bool Webhook { get; init; }

    /// <summary>Branch name globs to include and exclude; an empty include list means every branch.</summary>
    public GlobFilter Branches { get; init; } = GlobFilter.Everything;

    /// <summary>Tag name globs; tags start executions only when <see cref="GlobFilter.Include"/> is not empty.</summary>
    public GlobFilter Tags { get; init; } = GlobFilter.Nothing;

    /// <summary>Changed file path globs; a push that changes none of the included paths starts nothing.</summary>
    public GlobFilter Paths { get; init; } = GlobFilter.Everything;

    /// <summary>A five-field cron expression, for schedule triggers.</summary>
    public string? Schedule { get; init; }

    /// <summary>The time zone (IANA id) the schedule is read in; default UTC.</summary>
    public string TimeZone { get; init; } = "UTC";
}

/// <summary>Include and exclude globs (<c>*</c> within a segment, <c>**</c> across <c>/</c>).</summary>
public sealed record GlobFilter(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    public static readonly GlobFilter Everything = new([], []);
    public static readonly GlobFilter Nothing = new(["!"], []);
}
