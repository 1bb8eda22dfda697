namespace Farm.Bench;

/// <summary>One bare create+start+wait+remove through Docker.DotNet.</summary>
/// <param name="Decided">Read from the clock just before the create call: the bare run's "ready".</param>
/// <param name="Container">The engine's times for the container.</param>
/// <param name="Removed">Read from the clock when the remove call returned.</param>
public sealed record BareSample(DateTimeOffset Decided, ContainerTimes Container, DateTimeOffset Removed)
{
    public TimeSpan DecidedToStarted => Container.Started!.Value - Decided;

    public TimeSpan DecidedToCreated => Container.Created!.Value - Decided;

    public TimeSpan CreatedToStarted => Container.Started!.Value - Container.Created!.Value;

    /// <summary>The whole cycle, the bare counterpart of a Farm stage's wall time.</summary>
    public TimeSpan Cycle => Removed - Decided;
}
