namespace Farm.Controller.Dispatch;

/// <summary>
/// The queue of attempts and the registry of connected agents (one grain, key 0). Matches each
/// queued attempt, first in first out, with a connected agent that has every label the action asks
/// for and a free slot, and offers it through the agent's observer. Its state is memory only: after a
/// restart agents reconnect and executions queue again what no agent vouches for (see
/// <see cref="Alive"/>). It calls no other grain, so nothing that calls it can deadlock with it.
/// </summary>
public interface IDispatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Adds attempts to the queue and offers what can be offered now. Known attempts are ignored.</summary>
    Task Enqueue(Job[] jobs);

    /// <summary>An agent connected (or reconnected, replacing its older connection).</summary>
    Task Connect(AgentRegistration agent, IAgentObserver observer);

    /// <summary>A connection ended. Ignored when the agent has connected again since.</summary>
    Task Disconnect(string agentId, Guid connectionId);

    /// <summary>
    /// Capacity and running attempts reported by the agent. Of <paramref name="running"/> only the
    /// attempts offered to this agent count as its own; the reply names the others. Not
    /// <see cref="HeartbeatReply.Known"/> when this dispatcher does not know the connection: it is a
    /// new activation (its silo died, or the controller restarted) and the session must
    /// <see cref="Connect"/> again.
    /// </summary>
    Task<HeartbeatReply> Heartbeat(string agentId, Guid connectionId, int freeSlots, string[] running);

    /// <summary>
    /// True when the attempt was offered to the agent and the agent has not let go of it: offered,
    /// accepted, or an offer it left unanswered so long that its slot went back (it may yet start it);
    /// false when it is queued here or was offered to another agent; null when this dispatcher never
    /// saw it, which happens only when it lost its registry (a restart or a failover) between the
    /// offer and the claim. The execution asks before it lets an agent act on an attempt nobody has
    /// claimed yet.
    /// </summary>
    Task<bool?> Holds(string agentId, string attemptId);

    /// <summary>The agent's answer to an offer. A refusal puts the attempt back at the head of the queue.</summary>
    Task OfferAnswered(string agentId, string attemptId, bool accepted);

    /// <summary>The agent finished the attempt and freed its slot.</summary>
    Task Released(string agentId, string attemptId);

    /// <summary>
    /// Withdraws attempts: queued ones leave the queue; an agent holding one is told to cancel it
    /// (SIGTERM, <paramref name="grace"/>, SIGKILL) and its slot comes back with its next heartbeat.
    /// </summary>
    Task Cancel(string[] attemptIds, string reason, TimeSpan grace);

    /// <summary>Of <paramref name="attemptIds"/>, those queued here or held by a connected agent.</summary>
    Task<string[]> Alive(string[] attemptIds);

    /// <summary>
    /// As <see cref="Alive"/>, with when this activation began: a dispatcher that has just taken over
    /// (in a cluster, after the silo it lived on died) knows no agent yet, so an execution counts
    /// every attempt's lease from then at the earliest and agents have a whole lease to register again.
    /// </summary>
    Task<Vouch> Vouch(string[] attemptIds);

    /// <summary>Connected agents, for display.</summary>
    Task<AgentStatus[]> Agents();

    /// <summary>Offers the agent nothing more and tells it to drain; ignored when it is not connected.</summary>
    Task Drain(string agentId, string reason);

    /// <summary>
    /// Ends the agent's session (it was revoked) and forgets it: its attempts are no longer vouched
    /// for, so their executions' leases decide what becomes of them.
    /// </summary>
    Task Revoke(string agentId, string reason);

    /// <summary>
    /// What the agent's host offers changed (its engine went away or came back), as the connection
    /// <paramref name="connectionId"/> reports; ignored for an older connection.
    /// </summary>
    Task HostChanged(string agentId, Guid connectionId, AgentHost host);

    /// <summary>For each of these attempts that is queued, why no agent has taken it yet.</summary>
    Task<Dictionary<string, string>> WhyWaiting(string[] attemptIds);

    /// <summary>Replaces the labels dispatch matches for a connected agent; ignored when it is not connected.</summary>
    Task SetLabels(string agentId, string[] labels);
}

/// <summary>What the dispatcher vouches for, and since when it has been able to.</summary>
[GenerateSerializer, Immutable]
public sealed record Vouch([property: Id(0)] string[] Alive, [property: Id(1)] DateTimeOffset Since);

/// <summary>
/// The dispatcher's answer to a heartbeat: whether it knows the connection, and which of the listed
/// attempts were not offered to the agent (they count for nothing).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HeartbeatReply([property: Id(0)] bool Known, [property: Id(1)] string[] NotOffered);

/// <summary>A connected agent as the dispatcher sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentStatus(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string[] Labels,
    [property: Id(2)] int Slots,
    [property: Id(3)] int FreeSlots,
    [property: Id(4)] string[] Attempts,
    [property: Id(5)] DateTimeOffset LastSeen,
    [property: Id(6)] bool Draining = false,
    [property: Id(7)] AgentHost? Host = null);
