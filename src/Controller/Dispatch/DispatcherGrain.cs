using Farm.Controller.Hosting;
using Farm.Controller.Telemetry;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Dispatch;

public sealed partial class DispatcherGrain(
    IOptions<ControllerOptions> options,
    TimeProvider time,
    FarmMetrics metrics,
    ILogger<DispatcherGrain> logger) : Grain, IDispatcherGrain
{
    // When each queued attempt entered the queue, for the dispatch latency.
    private readonly Dictionary<string, DateTimeOffset> _queuedAt = new(StringComparer.Ordinal);
    private readonly LinkedList<Job> _queue = new();
    private readonly Dictionary<string, ConnectedAgent> _agents = new(StringComparer.Ordinal);
    private DateTimeOffset _activatedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activatedAt = time.GetUtcNow();
        // The registry lives in memory; an idle dispatcher must not be collected while agents are connected.
        DelayDeactivation(TimeSpan.FromDays(3650));
        Report();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Dispatcher(null);
        return Task.CompletedTask;
    }

    public Task Enqueue(Job[] jobs)
    {
        foreach (var job in jobs)
        {
            if (!IsKnown(job.AttemptId))
            {
                _queue.AddLast(job);
                _queuedAt[job.AttemptId] = time.GetUtcNow();
            }
        }

        Pump();
        return Task.CompletedTask;
    }

    public Task Connect(AgentRegistration agent, IAgentObserver observer)
    {
        var connected = new ConnectedAgent(agent, observer, time.GetUtcNow());
        foreach (var attemptId in agent.Running)
        {
            connected.Running.Add(attemptId);
            RemoveQueued(attemptId);
        }

        connected.FreeSlots = Math.Max(0, agent.Slots - connected.Running.Count);
        _agents[agent.AgentId] = connected;
        LogConnected(agent.AgentId, string.Join(",", agent.Labels), agent.Slots);
        if (agent.Draining)
        {
            observer.Drain("The agent is drained.");
        }
        Pump();
        return Task.CompletedTask;
    }

    public Task Disconnect(string agentId, Guid connectionId)
    {
        if (_agents.TryGetValue(agentId, out var agent) && agent.Registration.ConnectionId == connectionId)
        {
            // Its attempts are no longer vouched for; their executions' leases decide what happens.
            _agents.Remove(agentId);
            LogDisconnected(agentId);
            Report();
        }

        return Task.CompletedTask;
    }

    public Task<bool> Heartbeat(string agentId, Guid connectionId, int freeSlots, string[] running)
    {
        if (!_agents.TryGetValue(agentId, out var agent))
        {
            return Task.FromResult(false);
        }

        if (agent.Registration.ConnectionId != connectionId)
        {
            // An older session of an agent that has connected again since: the newer one counts.
            return Task.FromResult(true);
        }

        var now = time.GetUtcNow();
        agent.LastSeen = now;
        agent.Running.Clear();
        agent.Running.UnionWith(running);

        // An offer still in flight when the agent wrote this heartbeat is neither running nor answered;
        // it keeps its slot. One never answered within two intervals is dropped: the attempt's
        // execution queues it again when its lease runs out.
        foreach (var (attemptId, offer) in agent.Offered.ToList())
        {
            if (agent.Running.Contains(attemptId) || now - offer.At > options.Value.HeartbeatInterval * 2)
            {
                agent.Offered.Remove(attemptId);
            }
        }

        agent.FreeSlots = Math.Max(0, freeSlots - agent.Offered.Count);
        Pump();
        return Task.FromResult(true);
    }

    public Task OfferAnswered(string agentId, string attemptId, bool accepted)
    {
        if (!_agents.TryGetValue(agentId, out var agent) || !agent.Offered.Remove(attemptId, out var offer))
        {
            return Task.CompletedTask;
        }

        if (accepted)
        {
            agent.Running.Add(attemptId);
        }
        else
        {
            // The agent is fuller than it last said: no more offers to it until its next heartbeat.
            agent.FreeSlots = 0;
            _queue.AddFirst(offer.Job);
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task Released(string agentId, string attemptId)
    {
        if (_agents.TryGetValue(agentId, out var agent) && agent.Running.Remove(attemptId))
        {
            agent.FreeSlots = Math.Min(agent.Registration.Slots, agent.FreeSlots + 1);
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task Cancel(string[] attemptIds, string reason, TimeSpan grace)
    {
        foreach (var attemptId in attemptIds)
        {
            RemoveQueued(attemptId);
            foreach (var agent in _agents.Values)
            {
                if (agent.Running.Remove(attemptId) | agent.Offered.Remove(attemptId))
                {
                    agent.Observer.Cancel(attemptId, reason, grace);
                }
            }
        }

        Report();
        return Task.CompletedTask;
    }

    public Task<string[]> Alive(string[] attemptIds) =>
        Task.FromResult(attemptIds.Where(IsKnown).ToArray());

    public Task<Vouch> Vouch(string[] attemptIds) =>
        Task.FromResult(new Vouch(attemptIds.Where(IsKnown).ToArray(), _activatedAt));

    public Task<AgentStatus[]> Agents() =>
        Task.FromResult(_agents.Values
            .OrderBy(a => a.Registration.AgentId, StringComparer.Ordinal)
            .Select(a => new AgentStatus(
                a.Registration.AgentId, a.Labels.Order(StringComparer.Ordinal).ToArray(), a.Registration.Slots, a.FreeSlots,
                a.Running.Concat(a.Offered.Keys).Order(StringComparer.Ordinal).ToArray(), a.LastSeen, a.Draining))
            .ToArray());

    public Task Drain(string agentId, string reason)
    {
        if (_agents.TryGetValue(agentId, out var agent) && !agent.Draining)
        {
            agent.Draining = true;
            // Offers in flight stay with it: the agent refuses them, which queues them again.
            agent.Observer.Drain(reason);
            LogDraining(agentId, reason);
        }

        return Task.CompletedTask;
    }

    public Task Revoke(string agentId, string reason)
    {
        if (_agents.Remove(agentId, out var agent))
        {
            agent.Observer.End(reason);
            // Offers it never answered go back to the queue; what it ran is lost with it.
            foreach (var (job, _) in agent.Offered.Values)
            {
                _queue.AddFirst(job);
            }

            LogRevoked(agentId, reason);
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task SetLabels(string agentId, string[] labels)
    {
        if (_agents.TryGetValue(agentId, out var agent))
        {
            agent.Labels = labels.ToHashSet(StringComparer.Ordinal);
            Pump();
        }

        return Task.CompletedTask;
    }

    private bool IsKnown(string attemptId) =>
        _queue.Any(j => j.AttemptId == attemptId)
        || _agents.Values.Any(a => a.Running.Contains(attemptId) || a.Offered.ContainsKey(attemptId));

    private void RemoveQueued(string attemptId)
    {
        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (node.Value.AttemptId == attemptId)
            {
                _queue.Remove(node);
                _queuedAt.Remove(attemptId);
                return;
            }
        }
    }

    /// <summary>Offers queued attempts, oldest first, each to the matching agent with the most free slots.</summary>
    private void Pump()
    {
        var node = _queue.First;
        while (node is not null && _agents.Values.Any(a => a.FreeSlots > 0 && !a.Draining))
        {
            var next = node.Next;
            var job = node.Value;
            var agent = _agents.Values
                .Where(a => a.FreeSlots > 0 && !a.Draining && job.RunsOn.All(a.Labels.Contains)
                    && (job.PinnedAgent is null || job.PinnedAgent == a.Registration.AgentId))
                .MaxBy(a => a.FreeSlots);
            if (agent is not null)
            {
                _queue.Remove(node);
                agent.FreeSlots--;
                agent.Offered[job.AttemptId] = (job, time.GetUtcNow());
                LogOffered(job.AttemptId, agent.Registration.AgentId);
                agent.Observer.Offer(job);
                if (_queuedAt.Remove(job.AttemptId, out var queuedAt))
                {
                    metrics.Dispatched(time.GetUtcNow() - queuedAt);
                }
            }

            node = next;
        }

        Report();
    }

    private void Report() => metrics.Dispatcher(new DispatcherGauges(
        _queue.Count, _agents.Values.Sum(a => a.Running.Count + a.Offered.Count), _agents.Count));

    private sealed class ConnectedAgent(AgentRegistration registration, IAgentObserver observer, DateTimeOffset now)
    {
        public AgentRegistration Registration { get; } = registration;
        public IAgentObserver Observer { get; } = observer;
        public HashSet<string> Labels { get; set; } = registration.Labels.ToHashSet(StringComparer.Ordinal);
        public bool Draining { get; set; } = registration.Draining;
        public HashSet<string> Running { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (Job Job, DateTimeOffset At)> Offered { get; } = new(StringComparer.Ordinal);
        public int FreeSlots { get; set; }
        public DateTimeOffset LastSeen { get; set; } = now;
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Agent {AgentId} connected with labels [{Labels}] and {Slots} slots")]
    private partial void LogConnected(string agentId, string labels, int slots);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Agent {AgentId} disconnected")]
    private partial void LogDisconnected(string agentId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Agent {AgentId} drains: {Reason}")]
    private partial void LogDraining(string agentId, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Agent {AgentId} was revoked; its session ends: {Reason}")]
    private partial void LogRevoked(string agentId, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Offered attempt {AttemptId} to agent {AgentId}")]
    private partial void LogOffered(string attemptId, string agentId);
}
