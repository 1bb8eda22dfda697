namespace Farm.Cli.Progress;

/// <summary>
/// How long to wait between attempts to reach the controller again after a stream broke: doubling
/// from half a second to ten, so a quick restart is picked up at once and a long one is not hammered,
/// and giving up once the outage has lasted two minutes, longer than a controller takes to restart.
/// </summary>
internal sealed class ReconnectBackoff
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private DateTimeOffset? _outageStart;
    private TimeSpan _nextDelay = FirstDelay;

    public ReconnectBackoff(TimeProvider time) => _time = time;

    /// <summary>True while an outage is being waited out (a failure not yet followed by <see cref="Reset"/>).</summary>
    public bool InOutage => _outageStart is not null;

    /// <summary>
    /// Records a failure and returns how long to wait before trying again, or null when the outage
    /// has lasted <see cref="GiveUpAfter"/> and the caller should stop.
    /// </summary>
    public TimeSpan? NextDelay()
    {
        var now = _time.GetUtcNow();
        _outageStart ??= now;
        var remaining = GiveUpAfter - (now - _outageStart.Value);
        if (remaining <= TimeSpan.Zero)
        {
            return null;
        }

        var delay = _nextDelay < remaining ? _nextDelay : remaining;
        _nextDelay = TimeSpan.FromTicks(Math.Min(_nextDelay.Ticks * 2, LongestDelay.Ticks));
        return delay;
    }

    /// <summary>The connection works again: the next failure starts a new outage with the shortest delay.</summary>
    public void Reset()
    {
        _outageStart = null;
        _nextDelay = FirstDelay;
    }
}
