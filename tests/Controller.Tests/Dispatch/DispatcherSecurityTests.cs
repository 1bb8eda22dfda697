using Farm.Controller.Dispatch;
using Farm.Core.Pipelines;

namespace Farm.Controller.Tests.Dispatch;

/// <summary>What an admin does to agents, as the dispatcher carries it out: drain, revoke, controller-side labels.</summary>
public sealed class DispatcherSecurityTests
{
    private static Job Job(string attemptId, params string[] runsOn) => new(
        attemptId, "p-1", "p", "S", "a", runsOn, new ActionDefinition { Name = "a", Type = ActionType.Shell, Commands = ["true"] }, [], []);

    [Fact]
    public async Task Drained_agent_is_told_and_offered_nothing_more()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"]);

        await dispatcher.Drain("a1", "maintenance");
        var told = await agent.NextDrainAsync();
        await dispatcher.Enqueue([Job("p-1.1", "linux")]);

        Assert.Equal("maintenance", told);
        Assert.False(agent.HasOffer);
        Assert.True((await dispatcher.Agents()).Single().Draining);
        Assert.Equal(["p-1.1"], await dispatcher.Alive(["p-1.1"]));
    }

    [Fact]
    public async Task Revoked_agent_session_is_ended_and_the_agent_forgotten()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"]);

        await dispatcher.Revoke("a1", "lost laptop");

        Assert.Equal("lost laptop", await agent.NextEndAsync());
        Assert.Empty(await dispatcher.Agents());
    }

    [Fact]
    public async Task Controller_labels_replace_the_claimed_ones()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux", "prod"]);

        await dispatcher.SetLabels("a1", ["linux"]);
        await dispatcher.Enqueue([Job("p-1.1", "prod")]);
        var notOffered = agent.HasOffer;
        await dispatcher.SetLabels("a1", ["linux", "prod"]);

        Assert.False(notOffered);
        Assert.Equal("p-1.1", (await agent.NextOfferAsync()).AttemptId);
    }
}
