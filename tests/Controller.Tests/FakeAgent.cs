using System.Threading.Channels;
using Farm.Controller.Dispatch;

namespace Farm.Controller.Tests;

/// <summary>An agent's controller-side observer that records the offers it gets.</summary>
public sealed class FakeAgent : IAgentObserver
{
    private readonly Channel<Job> _offers = Channel.CreateUnbounded<Job>();
    private readonly Channel<string> _cancels = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _drains = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _ends = Channel.CreateUnbounded<string>();

    public Task Offer(Job job)
    {
        _offers.Writer.TryWrite(job);
        return Task.CompletedTask;
    }

    public Task Cancel(string attemptId, string reason, TimeSpan grace)
    {
        _cancels.Writer.TryWrite(attemptId);
        return Task.CompletedTask;
    }

    public Task Drain(string reason)
    {
        _drains.Writer.TryWrite(reason);
        return Task.CompletedTask;
    }

    public Task End(string reason)
    {
        _ends.Writer.TryWrite(reason);
        return Task.CompletedTask;
    }

    /// <summary>Why the controller next asked this agent to drain, or a TimeoutException after <paramref name="seconds"/>.</summary>
    public async Task<string> NextDrainAsync(int seconds = 10) =>
        await _drains.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Why the controller ended this agent's session, or a TimeoutException after <paramref name="seconds"/>.</summary>
    public async Task<string> NextEndAsync(int seconds = 10) =>
        await _ends.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>The next attempt the controller cancelled, or a TimeoutException after <paramref name="seconds"/>.</summary>
    public async Task<string> NextCancelAsync(int seconds = 10) =>
        await _cancels.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>The next offer, or a TimeoutException after <paramref name="seconds"/>.</summary>
    public async Task<Job> NextOfferAsync(int seconds = 10) =>
        await _offers.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(seconds));

    public bool HasOffer => _offers.Reader.TryPeek(out _);

    /// <summary>Connects this fake as an agent with the given labels and slots.</summary>
    public async Task<Guid> ConnectAsync(GrainCluster cluster, string agentId, string[] labels, int slots = 2)
    {
        var connection = Guid.NewGuid();
        var observer = cluster.Client.CreateObjectReference<IAgentObserver>(this);
        await cluster.Grains.GetGrain<IDispatcherGrain>(0).Connect(new AgentRegistration(agentId, connection, labels, slots, []), observer);
        return connection;
    }
}
