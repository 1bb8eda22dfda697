using Farm.Controller.Dispatch;
using Farm.Core.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests.Dispatch;

/// <summary>
/// The dispatcher knows each attempt once, whether it is queued, offered or running: an execution
/// that queues an attempt again (its lease ran out while an answer was on its way) must not get it
/// run twice, and the leases ask it which attempts are alive.
/// </summary>
public sealed class DispatcherQueueTests
{
    private static Job NewJob(string attemptId) =>
        new(attemptId, "p-1", "p", "S", "a", ["linux"], new ActionDefinition { Name = "a", Type = ActionType.Shell, Commands = ["true"] }, [], []);

    [Fact]
    public async Task An_attempt_queued_twice_is_offered_once()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        await dispatcher.Enqueue([NewJob("p-1.1"), NewJob("p-1.1")]);

        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"], slots: 3);
        var offer = await agent.NextOfferAsync();

        Assert.Equal("p-1.1", offer.AttemptId);
        var status = Assert.Single(await dispatcher.Agents());
        Assert.Equal(["p-1.1"], status.Attempts);
        Assert.Equal(2, status.FreeSlots);
    }

    [Fact]
    public async Task An_offered_or_running_attempt_queued_again_goes_to_no_other_agent()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var first = new FakeAgent();
        await first.ConnectAsync(cluster, "a1", ["linux"], slots: 1);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        await first.NextOfferAsync();

        var second = new FakeAgent();
        await second.ConnectAsync(cluster, "a2", ["linux"], slots: 1);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        await dispatcher.OfferAnswered("a1", "p-1.1", accepted: true);
        await dispatcher.Enqueue([NewJob("p-1.1")]);

        var agents = await dispatcher.Agents();
        Assert.Equal(["p-1.1"], agents.Single(a => a.AgentId == "a1").Attempts);
        Assert.Empty(agents.Single(a => a.AgentId == "a2").Attempts);
        Assert.Equal(["p-1.1"], await dispatcher.Alive(["p-1.1"]));
    }

    [Fact]
    public async Task A_released_attempt_is_forgotten_and_may_be_queued_again()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"], slots: 1);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        await agent.NextOfferAsync();
        await dispatcher.OfferAnswered("a1", "p-1.1", accepted: true);

        await dispatcher.Released("a1", "p-1.1");
        var afterRelease = await dispatcher.Alive(["p-1.1"]);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        var again = await agent.NextOfferAsync();

        Assert.Empty(afterRelease);
        Assert.Equal("p-1.1", again.AttemptId);
    }

    [Fact]
    public async Task An_attempt_held_by_two_agents_stays_alive_until_both_let_go()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await GrainCluster.StartAsync(heartbeat: TimeSpan.FromSeconds(5), time: time);
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var slow = new FakeAgent();
        var slowConnection = await slow.ConnectAsync(cluster, "slow", ["linux"], slots: 1);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        await slow.NextOfferAsync();

        // The offer goes unanswered for two intervals: the dispatcher drops it, and the execution queues
        // the attempt again, which goes to another agent (the slow one reports no free slot).
        time.Advance(TimeSpan.FromSeconds(11));
        await dispatcher.Heartbeat("slow", slowConnection, 0, []);
        var fast = new FakeAgent();
        await fast.ConnectAsync(cluster, "fast", ["linux"], slots: 1);
        await dispatcher.Enqueue([NewJob("p-1.1")]);
        await fast.NextOfferAsync();
        // The slow agent started it after all, and says so; the fast one refuses its offer.
        await dispatcher.Heartbeat("slow", slowConnection, 0, ["p-1.1"]);
        await dispatcher.OfferAnswered("fast", "p-1.1", accepted: false);
        var whileSlowRuns = await dispatcher.Alive(["p-1.1"]);
        await dispatcher.Released("slow", "p-1.1");
        var afterwards = await dispatcher.Alive(["p-1.1"]);

        Assert.Equal(["p-1.1"], whileSlowRuns);
        // Nothing holds or queues it: the refusal did not queue it again while the slow agent ran it.
        Assert.Empty(afterwards);
    }

    [Fact]
    public async Task Cancelled_and_disconnected_attempts_are_no_longer_alive()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var agent = new FakeAgent();
        var connection = await agent.ConnectAsync(cluster, "a1", ["linux"], slots: 1);
        await dispatcher.Enqueue([NewJob("p-1.1"), NewJob("p-1.2"), NewJob("p-1.3")]);
        await agent.NextOfferAsync();

        await dispatcher.Cancel(["p-1.2"], "stopped", TimeSpan.FromSeconds(1));
        var afterCancel = await dispatcher.Alive(["p-1.1", "p-1.2", "p-1.3"]);
        await dispatcher.Disconnect("a1", connection);
        var afterDisconnect = await dispatcher.Alive(["p-1.1", "p-1.2", "p-1.3"]);

        Assert.Equal(["p-1.1", "p-1.3"], afterCancel);
        Assert.Equal(["p-1.3"], afterDisconnect);
    }
}
