namespace Farm.Agent.Executors;

/// <summary>
/// How an attempt is to be stopped, set before its token is cancelled: the commands get SIGTERM,
/// then <see cref="Grace"/> to end by themselves, then SIGKILL. Zero (a timeout, an agent shutting
/// down) kills at once.
/// </summary>
public sealed class StopRequest
{
    public TimeSpan Grace { get; set; }
}
