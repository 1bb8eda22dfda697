namespace Farm.Bench;

/// <summary>
/// What the Docker engine said about one container, each time as the engine stamped its event.
/// </summary>
/// <param name="Id">The container id.</param>
/// <param name="Attempt">The <c>farm.attempt</c> label: the Farm attempt that ran it; null for a bare run.</param>
/// <param name="Created">The engine's <c>create</c> event.</param>
/// <param name="Started">The engine's <c>start</c> event: the container's process is running.</param>
/// <param name="Died">The engine's <c>die</c> event: the process has exited.</param>
public sealed record ContainerTimes(
    string Id, string? Attempt, DateTimeOffset? Created = null, DateTimeOffset? Started = null, DateTimeOffset? Died = null)
{
    public bool IsComplete => Created is not null && Started is not null && Died is not null;
}
