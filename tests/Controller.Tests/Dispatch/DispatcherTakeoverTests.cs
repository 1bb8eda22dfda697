using Farm.Controller.Dispatch;
using Farm.Core.Pipelines;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests.Dispatch;

/// <summary>
/// What lets a dispatcher that took over (its silo died, or the controller restarted) rebuild its
/// registry: sessions learn from a heartbeat that it does not know them, and executions learn when
/// it began.
/// </summary>
public sealed class DispatcherTakeoverTests
{
    [Fact]
    public async Task Heartbeat_of_a_session_the_dispatcher_does_not_know_asks_it_to_connect_again()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var agent = new FakeAgent();
        var connection = await agent.ConnectAsync(cluster, "a1", ["linux"]);

        var known = (await dispatcher.Heartbeat("a1", connection, 2, [])).Known;
        var unknown = (await dispatcher.Heartbeat("a2", Guid.NewGuid(), 2, [])).Known;
        var older = (await dispatcher.Heartbeat("a1", Guid.NewGuid(), 2, [])).Known;

        Assert.True(known);
        Assert.False(unknown);
        // An older session of an agent that connected again since is not asked to register over the newer one.
        Assert.True(older);
    }

    [Fact]
    public async Task Vouch_names_the_attempts_it_holds_and_when_the_dispatcher_began()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        await using var cluster = await GrainCluster.StartAsync(time: time);
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);
        var began = time.GetUtcNow();
        await dispatcher.Enqueue([new Job("p-1.1", "p-1", "p", "S", "a", ["linux"],
            new ActionDefinition { Name = "a", Type = ActionType.Shell, Commands = ["true"] }, [], [])]);
        time.Advance(TimeSpan.FromMinutes(5));

        var vouch = await dispatcher.Vouch(["p-1.1", "p-1.2"]);

        Assert.Equal(["p-1.1"], vouch.Alive);
        Assert.Equal(began, vouch.Since);
    }
}
