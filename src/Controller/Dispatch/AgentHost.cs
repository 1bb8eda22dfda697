using Farm.Api.V1;
using Farm.Core.Pipelines;

namespace Farm.Controller.Dispatch;

/// <summary>
/// What an agent's host offers actions, as the agent last said: its Docker engine (available, or
/// why not) and what its owner allows (<see cref="HostPolicy"/>). The dispatcher offers an agent
/// only the actions <see cref="Refusal"/> lets through, so an action waits with that sentence as its
/// reason instead of failing on a host that cannot or may not run it. <see cref="ClockOffset"/> is how
/// far the agent's clock is ahead of the controller's, from its heartbeats, for <c>farm doctor</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AgentHost(
    [property: Id(0)] bool EngineAvailable,
    [property: Id(1)] string[] EngineProblems,
    [property: Id(2)] string EngineVersion,
    [property: Id(3)] bool AllowShell,
    [property: Id(4)] bool AllowHostNetwork,
    [property: Id(5)] string[] AllowedVolumes,
    [property: Id(6)] TimeSpan ClockOffset = default)
{
    /// <summary>What an agent that said nothing offers: no engine, nothing its owner did not allow.</summary>
    public static readonly AgentHost Nothing = new(false, ["the agent did not report a Docker engine"], "", false, false, []);

    /// <summary>From an agent's hello; an engine or policy it left out counts as none.</summary>
    public static AgentHost From(EngineStatus? engine, HostPolicy? policy) => new(
        engine?.Available ?? false,
        engine is null ? Nothing.EngineProblems : engine.Problems.ToArray(),
        engine?.Version ?? "",
        policy?.AllowShell ?? false,
        policy?.AllowHostNetwork ?? false,
        policy?.AllowedVolumes.ToArray() ?? []);

    /// <summary>The same host with the engine as a heartbeat reported it.</summary>
    public AgentHost WithEngine(EngineStatus engine) =>
        this with { EngineAvailable = engine.Available, EngineProblems = engine.Problems.ToArray(), EngineVersion = engine.Version };

    public HostPolicy Policy()
    {
        var policy = new HostPolicy { AllowShell = AllowShell, AllowHostNetwork = AllowHostNetwork };
        policy.AllowedVolumes.Add(AllowedVolumes);
        return policy;
    }

    public EngineStatus Engine()
    {
        var engine = new EngineStatus { Available = EngineAvailable, Version = EngineVersion };
        engine.Problems.Add(EngineProblems);
        return engine;
    }

    /// <summary>
    /// The offset a heartbeat sent at <paramref name="sentAt"/> and received at <paramref name="now"/>
    /// shows, when it differs from <see cref="ClockOffset"/> by more than half a second (so not every
    /// heartbeat changes the registration); null otherwise.
    /// </summary>
    public TimeSpan? NewClockOffset(DateTimeOffset sentAt, DateTimeOffset now)
    {
        var offset = sentAt - now;
        return (offset - ClockOffset).Duration() > TimeSpan.FromMilliseconds(500) ? offset : null;
    }

    /// <summary>True when the engine part differs from <paramref name="engine"/>.</summary>
    public bool EngineDiffers(EngineStatus engine) =>
        engine.Available != EngineAvailable || engine.Version != EngineVersion || !engine.Problems.SequenceEqual(EngineProblems);

    /// <summary>
    /// Why this host will not take <paramref name="action"/>, or null; <paramref name="policy"/> is
    /// <see cref="Policy"/>, made once by the caller.
    /// </summary>
    public string? Refusal(ActionDefinition action, HostPolicy policy)
    {
        if (!EngineAvailable && EngineStatus.IsNeededBy(action.Type.Name()))
        {
            return $"container actions are unavailable there: {string.Join(" ", EngineProblems)}";
        }

        return policy.Refusal(action.Type == ActionType.Shell, action.Network, action.Deploy?.Volumes ?? []);
    }
}
