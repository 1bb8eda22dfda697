using Farm.Controller.Dispatch;
using Farm.Core.Pipelines;

namespace Farm.Controller.Tests.Dispatch;

/// <summary>
/// A heartbeat counts only the attempts offered to its agent: naming another agent's attempt, or a
/// queued one, neither keeps it alive nor takes it from the queue.
/// </summary>
public sealed class DispatcherOwnershipTests
{
    private static Job NewJob(string attemptId, string label) =>
        new(attemptId, "p-1", "p", "S", "a", [label], new ActionDefinition { Name = "a", Type = ActionType.Shell, Commands = ["true"] }, [], []);

    [Fact]
    public async Task Heartbeat_naming_another_agents_attempt_keeps_it_alive_no_longer_than_its_own_agent()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var owner = new FakeAgent();
        var ownerConnection = await owner.ConnectAsync(cluster, "a1", ["linux"]);
        var intruderConnection = await new FakeAgent().ConnectAsync(cluster, "b1", ["windows"]);
        await dispatcher.Enqueue([NewJob("p-1.1", "linux")]);
        await owner.NextOfferAsync();
        await dispatcher.OfferAnswered("a1", "p-1.1", accepted: true);

        var reply = await dispatcher.Heartbeat("b1", intruderConnection, 1, ["p-1.1"]);
        var intruderHolds = await dispatcher.Holds("b1", "p-1.1");
        await dispatcher.Disconnect("a1", ownerConnection);
        var afterOwnerLeft = await dispatcher.Alive(["p-1.1"]);

        Assert.True(reply.Known);
        Assert.Equal(["p-1.1"], reply.NotOffered);
        Assert.False(intruderHolds);
        Assert.Empty(afterOwnerLeft);
        Assert.Empty(Assert.Single(await dispatcher.Agents(), a => a.AgentId == "b1").Attempts);
    }

    [Fact]
    public async Task Heartbeat_naming_a_queued_attempt_leaves_it_queued_for_a_matching_agent()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var intruderConnection = await new FakeAgent().ConnectAsync(cluster, "b1", ["windows"]);
        await dispatcher.Enqueue([NewJob("p-1.1", "linux")]);

        var reply = await dispatcher.Heartbeat("b1", intruderConnection, 1, ["p-1.1"]);
        var owner = new FakeAgent();
        await owner.ConnectAsync(cluster, "a1", ["linux"]);
        var offer = await owner.NextOfferAsync();

        Assert.Equal(["p-1.1"], reply.NotOffered);
        Assert.Equal("p-1.1", offer.AttemptId);
        Assert.True(await dispatcher.Holds("a1", "p-1.1"));
    }
}
