using Farm.Api.V1;
using System.Diagnostics.CodeAnalysis;
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
    // Queued attempts, oldest first, and the same nodes by attempt id: every lookup the grain makes
    // (an enqueue that may repeat one, a lease asking whether one is alive) is by id, and a scan of a
    // queue thousands long on each one made enqueuing quadratic (3.5 s turns in the throughput benchmark).
    private readonly LinkedList<Queued> _queue = new();
    private readonly Dictionary<string, LinkedListNode<Queued>> _queuedById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConnectedAgent> _agents = new(StringComparer.Ordinal);
    // How many connected agents hold each offered or running attempt (usually one; two when an agent
    // answers an offer late, after it went to another): the agents keep it up to date.
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
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
                _queuedById[job.AttemptId] = _queue.AddLast(new Queued(job, time.GetUtcNow()));
            }
        }

        Pump();
        return Task.CompletedTask;
    }

    public Task Connect(AgentRegistration agent, IAgentObserver observer)
    {
        if (_agents.TryGetValue(agent.AgentId, out var older))
        {
            // The newer connection replaces it; what it held counts only as the new one reports it.
            older.LetGoOfAll();
        }

        var connected = new ConnectedAgent(agent, observer, time.GetUtcNow(), _held);
        // Each of these the attempt's execution confirmed as this agent's (a claim), so they count.
        foreach (var attemptId in agent.Running)
        {
            connected.AddRunning(attemptId);
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
            agent.LetGoOfAll();
            LogDisconnected(agentId);
            Report();
        }

        return Task.CompletedTask;
    }

    public Task<HeartbeatReply> Heartbeat(string agentId, Guid connectionId, int freeSlots, string[] running)
    {
        if (!_agents.TryGetValue(agentId, out var agent))
        {
            return Task.FromResult(new HeartbeatReply(Known: false, []));
        }

        if (agent.Registration.ConnectionId != connectionId)
        {
            // An older session of an agent that has connected again since: the newer one counts.
            return Task.FromResult(new HeartbeatReply(Known: true, []));
        }

        var now = time.GetUtcNow();
        agent.LastSeen = now;
        // Only what was offered to this agent counts: a heartbeat naming another agent's attempt
        // must not keep that attempt's lease alive, nor take it out of the queue.
        var notOffered = agent.ReplaceRunning(running);
        if (notOffered.Length > 0)
        {
            LogNotOffered(agentId, notOffered.Length);
        }

        agent.ForgetLateOffers(now - options.Value.Lease);

        // An offer still in flight when the agent wrote this heartbeat is neither running nor answered;
        // it keeps its slot. One never answered within two intervals is dropped: the attempt's
        // execution queues it again when its lease runs out.
        foreach (var (attemptId, offer) in agent.Offered.ToList())
        {
            if (agent.Running.Contains(attemptId))
            {
                agent.RemoveOffer(attemptId, out _);
            }
            else if (now - offer.At > options.Value.HeartbeatInterval * 2)
            {
                agent.DropLateOffer(attemptId, now);
            }
        }

        agent.FreeSlots = Math.Max(0, freeSlots - agent.Offered.Count);
        Pump();
        return Task.FromResult(new HeartbeatReply(Known: true, notOffered));
    }

    public Task OfferAnswered(string agentId, string attemptId, bool accepted)
    {
        if (!_agents.TryGetValue(agentId, out var agent) || !agent.RemoveOffer(attemptId, out var job))
        {
            return Task.CompletedTask;
        }

        if (accepted)
        {
            agent.AddRunning(attemptId);
        }
        else
        {
            // The agent is fuller than it last said: no more offers to it until its next heartbeat.
            agent.FreeSlots = 0;
            QueueFirst(job);
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task<bool?> Holds(string agentId, string attemptId) =>
        Task.FromResult<bool?>(_agents.TryGetValue(agentId, out var agent) && agent.WasOffered(attemptId) ? true
            : IsKnown(attemptId) || _agents.Values.Any(a => a.WasOffered(attemptId)) ? false
            : null);

    public Task Released(string agentId, string attemptId)
    {
        if (_agents.TryGetValue(agentId, out var agent) && agent.RemoveRunning(attemptId))
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
            if (!_held.ContainsKey(attemptId))
            {
                continue;
            }

            foreach (var agent in _agents.Values)
            {
                if (agent.RemoveRunning(attemptId) | agent.RemoveOffer(attemptId, out _))
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
                a.Running.Concat(a.Offered.Keys).Order(StringComparer.Ordinal).ToArray(), a.LastSeen, a.Draining, a.Host))
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
            var unanswered = agent.Offered.Values.Select(o => o.Job).ToList();
            agent.LetGoOfAll();
            foreach (var job in unanswered)
            {
                QueueFirst(job);
            }

            LogRevoked(agentId, reason);
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task HostChanged(string agentId, Guid connectionId, AgentHost host)
    {
        if (_agents.TryGetValue(agentId, out var agent) && agent.Registration.ConnectionId == connectionId)
        {
            if (agent.Host?.EngineAvailable != host.EngineAvailable)
            {
                LogHostChanged(agentId, host.EngineAvailable ? "available" : "unavailable: " + string.Join(" ", host.EngineProblems));
            }

            agent.Host = host;
            Pump();
        }

        return Task.CompletedTask;
    }

    public Task<Dictionary<string, string>> WhyWaiting(string[] attemptIds)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attemptId in attemptIds)
        {
            if (_queuedById.TryGetValue(attemptId, out var node))
            {
                reasons[attemptId] = Explain(node.Value.Job);
            }
        }

        return Task.FromResult(reasons);
    }

    /// <summary>Why no agent has taken a queued job, in a sentence for <c>farm status</c>.</summary>
    private string Explain(Job job)
    {
        var labelled = _agents.Values.Where(a => a.HasLabelsFor(job)).ToList();
        if (labelled.Count == 0)
        {
            var wanted = job.PinnedAgent is { } pinned ? $"agent '{pinned}'" : job.RunsOn.Length == 0 ? "any agent" : $"an agent with labels [{string.Join(", ", job.RunsOn)}]";
            return $"waiting for {wanted}: none is connected";
        }

        var refused = labelled.Select(a => (Agent: a, Refusal: a.HostRefusal(job))).Where(x => x.Refusal is not null).ToList();
        if (refused.Count == labelled.Count)
        {
            return "waiting for an agent that can run it: " +
                string.Join("; ", refused.Take(5).Select(x => $"agent '{x.Agent.Registration.AgentId}': {x.Refusal}")) +
                (refused.Count > 5 ? $"; and {refused.Count - 5} more" : "");
        }

        return labelled.All(a => a.Draining) ? "waiting: every agent that could run it is drained" : "waiting for a free slot on an agent that can run it";
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

    private bool IsKnown(string attemptId) => _queuedById.ContainsKey(attemptId) || _held.ContainsKey(attemptId);

    /// <summary>Puts an attempt that was offered back at the head of the queue (no dispatch latency is counted for it again).</summary>
    private void QueueFirst(Job job)
    {
        if (!IsKnown(job.AttemptId))
        {
            _queuedById[job.AttemptId] = _queue.AddFirst(new Queued(job, null));
        }
    }

    private void RemoveQueued(string attemptId)
    {
        if (_queuedById.Remove(attemptId, out var node))
        {
            _queue.Remove(node);
        }
    }

    /// <summary>Offers queued attempts, oldest first, each to the matching agent with the most free slots.</summary>
    private void Pump()
    {
        if (_queue.Count == 0)
        {
            // Every heartbeat and release pumps; with nothing queued, a walk over thousands of idle agents would be all it did.
            Report();
            return;
        }

        // The agents that can take an offer, gathered once: a queue whose head no agent matches is
        // walked to its end, and each step used to look at every agent again.
        var open = _agents.Values.Where(a => a.FreeSlots > 0 && !a.Draining).ToList();
        var node = _queue.First;
        while (node is not null && open.Count > 0)
        {
            var next = node.Next;
            var (job, queuedAt) = node.Value;
            ConnectedAgent? agent = null;
            foreach (var candidate in open)
            {
                if ((agent is null || candidate.FreeSlots > agent.FreeSlots) && candidate.Matches(job))
                {
                    agent = candidate;
                }
            }

            if (agent is not null)
            {
                _queue.Remove(node);
                _queuedById.Remove(job.AttemptId);
                var now = time.GetUtcNow();
                agent.FreeSlots--;
                if (agent.FreeSlots == 0)
                {
                    open.Remove(agent);
                }

                agent.AddOffer(job, now);
                LogOffered(job.AttemptId, agent.Registration.AgentId);
                agent.Observer.Offer(job);
                if (queuedAt is { } since)
                {
                    metrics.Dispatched(now - since);
                }
            }

            node = next;
        }

        Report();
    }

    private void Report() => metrics.Dispatcher(new DispatcherGauges(_queue.Count, _held.Count, _agents.Count));

    /// <summary>A queued attempt; <see cref="Since"/> is when it was first queued, null when it came back after an offer.</summary>
    private readonly record struct Queued(Job Job, DateTimeOffset? Since);

    /// <summary>
    /// A connected agent. Its offered and running attempts change only through its methods, which
    /// keep the grain's count of holders per attempt (<c>held</c>) in step.
    /// </summary>
    private sealed class ConnectedAgent(AgentRegistration registration, IAgentObserver observer, DateTimeOffset now, Dictionary<string, int> held)
    {
        private readonly HashSet<string> _running = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (Job Job, DateTimeOffset At)> _offered = new(StringComparer.Ordinal);
        // Offers dropped unanswered (they no longer take a slot), with when: the agent may still
        // have started one, and says so in a heartbeat or a claim; after a lease the execution has
        // queued a new attempt instead and the entry goes.
        private readonly Dictionary<string, DateTimeOffset> _late = new(StringComparer.Ordinal);

        public AgentRegistration Registration { get; } = registration;
        public IAgentObserver Observer { get; } = observer;
        public HashSet<string> Labels { get; set; } = registration.Labels.ToHashSet(StringComparer.Ordinal);
        public bool Draining { get; set; } = registration.Draining;
        public IReadOnlySet<string> Running => _running;
        public IReadOnlyDictionary<string, (Job Job, DateTimeOffset At)> Offered => _offered;
        public int FreeSlots { get; set; }
        public DateTimeOffset LastSeen { get; set; } = now;

        /// <summary>What the agent's host offers actions; null: no limits stated (an in-process registration).</summary>
        public AgentHost? Host
        {
            get;
            set
            {
                field = value;
                _policy = value?.Policy();
            }
        } = registration.Host;

        private HostPolicy? _policy = registration.Host?.Policy();

        public bool Matches(Job job) => HasLabelsFor(job) && HostRefusal(job) is null;

        public bool HasLabelsFor(Job job)
        {
            if (job.PinnedAgent is not null && job.PinnedAgent != Registration.AgentId)
            {
                return false;
            }

            foreach (var label in job.RunsOn)
            {
                if (!Labels.Contains(label))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Why the agent's host will not take the job (its engine, its owner's policy), or null.</summary>
        public string? HostRefusal(Job job) => Host?.Refusal(job.Action, _policy!);

        public void AddOffer(Job job, DateTimeOffset at)
        {
            var had = Holds(job.AttemptId);
            _offered[job.AttemptId] = (job, at);
            Counted(job.AttemptId, had);
        }

        public bool RemoveOffer(string attemptId, [MaybeNullWhen(false)] out Job job)
        {
            if (!_offered.Remove(attemptId, out var offer))
            {
                job = null;
                return false;
            }

            job = offer.Job;
            Counted(attemptId, had: true);
            return true;
        }

        /// <summary>True when this agent was offered the attempt: it is offered, running, or an offer dropped late.</summary>
        public bool WasOffered(string attemptId) => Holds(attemptId) || _late.ContainsKey(attemptId);

        /// <summary>An offer unanswered for too long: it gives its slot back but stays this agent's to start.</summary>
        public void DropLateOffer(string attemptId, DateTimeOffset now)
        {
            if (RemoveOffer(attemptId, out _))
            {
                _late[attemptId] = now;
            }
        }

        public void ForgetLateOffers(DateTimeOffset before)
        {
            foreach (var (attemptId, _) in _late.Where(x => x.Value < before).ToList())
            {
                _late.Remove(attemptId);
            }
        }

        public void AddRunning(string attemptId)
        {
            _late.Remove(attemptId);
            var had = Holds(attemptId);
            _running.Add(attemptId);
            Counted(attemptId, had);
        }

        public bool RemoveRunning(string attemptId)
        {
            if (!_running.Remove(attemptId))
            {
                return false;
            }

            Counted(attemptId, had: true);
            return true;
        }

        /// <summary>
        /// Makes <see cref="Running"/> what the agent reported of the attempts it was offered, and
        /// returns the rest: attempts never offered to it (or finished, cancelled or forgotten since).
        /// </summary>
        public string[] ReplaceRunning(IReadOnlyCollection<string> running)
        {
            if (running.Count == 0 && _running.Count == 0)
            {
                // An idle agent's heartbeat: nothing to compare.
                return [];
            }

            var reported = running.ToHashSet(StringComparer.Ordinal);
            foreach (var attemptId in _running.Where(id => !reported.Contains(id)).ToList())
            {
                RemoveRunning(attemptId);
            }

            var notOffered = new List<string>();
            foreach (var attemptId in reported)
            {
                if (WasOffered(attemptId))
                {
                    AddRunning(attemptId);
                }
                else
                {
                    notOffered.Add(attemptId);
                }
            }

            return notOffered.ToArray();
        }

        /// <summary>The agent is gone or replaced: it holds nothing any more.</summary>
        public void LetGoOfAll()
        {
            _late.Clear();
            foreach (var attemptId in _running.ToList())
            {
                RemoveRunning(attemptId);
            }

            foreach (var attemptId in _offered.Keys.ToList())
            {
                RemoveOffer(attemptId, out _);
            }
        }

        private bool Holds(string attemptId) => _running.Contains(attemptId) || _offered.ContainsKey(attemptId);

        /// <summary>Moves the holder count of an attempt whose membership here may just have changed.</summary>
        private void Counted(string attemptId, bool had)
        {
            var has = Holds(attemptId);
            if (has == had)
            {
                return;
            }

            if (has)
            {
                held[attemptId] = held.GetValueOrDefault(attemptId) + 1;
            }
            else if (held[attemptId] == 1)
            {
                held.Remove(attemptId);
            }
            else
            {
                held[attemptId]--;
            }
        }
    }

    [LoggerMessage(EventId = 1215, Level = LogLevel.Information, Message = "Agent {AgentId}'s Docker engine is {State}")]
    private partial void LogHostChanged(string agentId, string state);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Agent {AgentId} connected with labels [{Labels}] and {Slots} slots")]
    private partial void LogConnected(string agentId, string labels, int slots);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Agent {AgentId} disconnected")]
    private partial void LogDisconnected(string agentId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Agent {AgentId} drains: {Reason}")]
    private partial void LogDraining(string agentId, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Agent {AgentId} was revoked; its session ends: {Reason}")]
    private partial void LogRevoked(string agentId, string reason);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Agent {AgentId}'s heartbeat named {Count} attempts not offered to it; they do not count as its")]
    private partial void LogNotOffered(string agentId, int count);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Offered attempt {AttemptId} to agent {AgentId}")]
    private partial void LogOffered(string attemptId, string agentId);
}
