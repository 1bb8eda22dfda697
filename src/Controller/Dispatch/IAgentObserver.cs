using Orleans.Concurrency;

namespace Farm.Controller.Dispatch;

/// <summary>
/// The controller's end of one agent's open stream, on whichever silo holds it. The dispatcher
/// reaches every agent through this observer, never through a static table, so dispatch works
/// from any silo of a cluster. One-way: the dispatcher never waits on an agent's network.
/// </summary>
public interface IAgentObserver : IGrainObserver
{
    /// <summary>Sends an offer down the stream. The agent answers with an offer reply.</summary>
    [OneWay]
    Task Offer(Job job);

    /// <summary>Tells the agent to stop an attempt: SIGTERM, <paramref name="grace"/>, SIGKILL; it reports nothing for it.</summary>
    [OneWay]
    Task Cancel(string attemptId, string reason, TimeSpan grace);

    /// <summary>Tells the agent to drain: take no new work, finish what runs.</summary>
    [OneWay]
    Task Drain(string reason);

    /// <summary>Ends the session at once (the agent was revoked): the call ends with PERMISSION_DENIED and <paramref name="reason"/>.</summary>
    [OneWay]
    Task End(string reason);
}
