namespace Farm.Controller.Triggers;

/// <summary>
/// Starts an execution for a commit a poll or a push found, at most once per source and commit:
/// the trigger grain's claim comes first, so a poll and a webhook that see the same commit start
/// one execution between them. A refused start gives the claim back; a start that fails in flight
/// (timeout, cancellation) keeps it, since the execution may exist: never twice beats always once.
/// </summary>
public sealed class TriggerLauncher(IGrainFactory grains, ITriggerStarter starter)
{
    public async Task<TriggerLaunch> LaunchAsync(
        string pipeline, string source, string commit, string trigger, string triggeredBy, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<ITriggerGrain>(pipeline);
        var claim = await grain.Claim(source, commit);
        if (!claim.Claimed)
        {
            return TriggerLaunch.Duplicate(claim.ExecutionId);
        }

        var outcome = await starter.StartAsync(pipeline, new Dictionary<string, string> { [source] = commit }, trigger, triggeredBy, cancellationToken);
        if (outcome.ExecutionId is null)
        {
            await grain.Release(source, commit);
            return TriggerLaunch.Refused(string.Join(" ", outcome.Errors));
        }

        await grain.Started(source, commit, outcome.ExecutionId);
        return TriggerLaunch.Started(outcome.ExecutionId);
    }
}
