namespace Farm.Bench;

/// <summary>One measured Farm action: the times Farm recorded and the engine's times for its container.</summary>
/// <param name="Stage">0-based stage index; stage 0's action is the cold first one.</param>
/// <param name="AttemptId">The attempt that ran, as the API reports it.</param>
/// <param name="Ready">
/// When the action became ready: the previous action's FinishedAt (the controller queues the next
/// action in the same grain call that records the previous one finished), or the execution's
/// StartedAt for the first.
/// </param>
/// <param name="Claimed">The action's StartedAt: when the controller recorded that the agent accepted the offer.</param>
/// <param name="Finished">The action's FinishedAt.</param>
/// <param name="Container">The engine's times for the attempt's container.</param>
/// <param name="PreviousDied">The engine's die time of the previous action's container; null for the first.</param>
public sealed record ActionSample(
    int Stage, string AttemptId, DateTimeOffset Ready, DateTimeOffset Claimed, DateTimeOffset Finished,
    ContainerTimes Container, DateTimeOffset? PreviousDied)
{
    /// <summary>The headline figure: ready until the engine says the container started.</summary>
    public TimeSpan ReadyToStarted => Container.Started!.Value - Ready;

    public TimeSpan ReadyToClaimed => Claimed - Ready;

    public TimeSpan ReadyToCreated => Container.Created!.Value - Ready;

    public TimeSpan CreatedToStarted => Container.Started!.Value - Container.Created!.Value;

    /// <summary>From the previous container's exit until Farm made this action ready: result reporting.</summary>
    public TimeSpan? PreviousDiedToReady => Ready - PreviousDied;

    /// <summary>From the previous container's exit until this one started: the gap a pipeline sees.</summary>
    public TimeSpan? PreviousDiedToStarted => Container.Started!.Value - PreviousDied;

    /// <summary>From the previous action's FinishedAt to this one's: the wall time of one stage.</summary>
    public TimeSpan StageWall => Finished - Ready;
}
