namespace Farm.Agent.Hosting;

/// <summary>
/// Jittered exponential backoff: 0.2 s doubling up to a maximum, each wait a random 50-100 % of its
/// step, so a fleet that lost its controller does not reconnect in one wave.
/// </summary>
public sealed class Backoff(TimeSpan max)
{
    private TimeSpan _step = TimeSpan.FromMilliseconds(200);

    public TimeSpan Next()
    {
        var wait = _step * (0.5 + Random.Shared.NextDouble() / 2);
        _step = TimeSpan.FromTicks(Math.Min(max.Ticks, _step.Ticks * 2));
        return wait;
    }

    public void Reset() => _step = TimeSpan.FromMilliseconds(200);
}
