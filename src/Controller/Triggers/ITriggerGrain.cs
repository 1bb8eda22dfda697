namespace Farm.Controller.Triggers;

/// <summary>
/// What a pipeline's triggers must remember across restarts, keyed by the pipeline's name: the
/// branch and tag heads polling last saw per source, the commits triggers started (so one commit
/// never starts twice), each webhook trigger's secret, and when each schedule last fired. It calls nothing:
/// git and execution starts happen outside it, so a slow remote never holds its turn. Every
/// method is a short read or compare-and-set that is persisted before it returns.
/// </summary>
public interface ITriggerGrain : IGrainWithStringKey
{
    /// <summary>
    /// The webhook secret (64 hex characters) of the trigger on <paramref name="source"/>, made and
    /// stored on first use. Each trigger has its own, so a secret given to one Git host's hook starts
    /// nothing through another trigger.
    /// </summary>
    Task<string> GetSecret(string source);

    /// <summary>
    /// Claims <paramref name="commit"/> of <paramref name="source"/> for a trigger start. Refused,
    /// with the execution it started, when a trigger has claimed the same commit before.
    /// </summary>
    Task<ClaimOutcome> Claim(string source, string commit);

    /// <summary>Records the execution a claimed commit started.</summary>
    Task Started(string source, string commit, string executionId);

    /// <summary>Gives a claim back after the pipeline refused the start, so a later push or poll may try again.</summary>
    Task Release(string source, string commit);

    /// <summary>
    /// Stores the refs (full ref name to commit) polling saw in <paramref name="source"/> now, and
    /// returns the ones it saw the time before; null on the first poll of the source.
    /// </summary>
    Task<Dictionary<string, string>?> ReplaceHeads(string source, Dictionary<string, string> heads);

    /// <summary>
    /// When <paramref name="schedule"/> last fired; the first call stores <paramref name="now"/> as if
    /// it had fired then, so a new schedule waits for its next occurrence.
    /// </summary>
    Task<DateTimeOffset> LastFired(string schedule, DateTimeOffset now);

    /// <summary>Records a fire at <paramref name="firedAt"/> if the schedule last fired at <paramref name="previous"/>; false when another fire came first.</summary>
    Task<bool> MarkFired(string schedule, DateTimeOffset previous, DateTimeOffset firedAt);
}
