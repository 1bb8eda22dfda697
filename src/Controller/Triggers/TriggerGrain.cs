using System.Security.Cryptography;
using Farm.Controller.Storage;

namespace Farm.Controller.Triggers;

public sealed class TriggerGrain(
    [PersistentState("triggers", RelationalGrainStorage.Name)] IPersistentState<TriggerState> state,
    TimeProvider time) : Grain, ITriggerGrain
{
    /// <summary>Commits remembered per source; far more than any branch moves between two polls.</summary>
    internal const int StartedKept = 1000;

    public async Task<string> GetSecret(string source)
    {
        if (!state.State.Secrets.TryGetValue(source, out var secret))
        {
            state.State.Secrets[source] = secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            await state.WriteStateAsync();
        }

        return secret;
    }

    public async Task<ClaimOutcome> Claim(string source, string commit)
    {
        commit = commit.ToLowerInvariant();
        if (!state.State.Started.TryGetValue(source, out var started))
        {
            state.State.Started[source] = started = [];
        }

        if (started.FirstOrDefault(s => s.Commit == commit) is { } existing)
        {
            return new ClaimOutcome(false, existing.ExecutionId);
        }

        started.Add(new StartedCommit { Commit = commit, At = time.GetUtcNow() });
        if (started.Count > StartedKept)
        {
            started.RemoveRange(0, started.Count - StartedKept);
        }

        await state.WriteStateAsync();
        return new ClaimOutcome(true, null);
    }

    public async Task Started(string source, string commit, string executionId)
    {
        commit = commit.ToLowerInvariant();
        if (state.State.Started.GetValueOrDefault(source)?.FirstOrDefault(s => s.Commit == commit) is { } claimed)
        {
            claimed.ExecutionId = executionId;
            await state.WriteStateAsync();
        }
    }

    public async Task Release(string source, string commit)
    {
        commit = commit.ToLowerInvariant();
        if (state.State.Started.GetValueOrDefault(source)?.RemoveAll(s => s.Commit == commit && s.ExecutionId is null) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<Dictionary<string, string>?> ReplaceHeads(string source, Dictionary<string, string> heads)
    {
        var previous = state.State.Heads.GetValueOrDefault(source);
        state.State.Heads[source] = heads;
        await state.WriteStateAsync();
        return previous;
    }

    public async Task<DateTimeOffset> LastFired(string schedule, DateTimeOffset now)
    {
        if (state.State.LastFired.TryGetValue(schedule, out var last))
        {
            return last;
        }

        state.State.LastFired[schedule] = now;
        await state.WriteStateAsync();
        return now;
    }

    public async Task<bool> MarkFired(string schedule, DateTimeOffset previous, DateTimeOffset firedAt)
    {
        if (state.State.LastFired.TryGetValue(schedule, out var last) && last != previous)
        {
            return false;
        }

        state.State.LastFired[schedule] = firedAt;
        await state.WriteStateAsync();
        return true;
    }
}
