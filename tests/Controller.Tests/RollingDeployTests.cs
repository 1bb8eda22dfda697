using Farm.Controller.Deployments;
using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Core.Executions;

namespace Farm.Controller.Tests;

/// <summary>A container-deploy action over an environment with several agents, and the deploy ledger it writes.</summary>
public sealed class RollingDeployTests
{
    private const string Deploy = """
        name: web
        stages:
          - name: Staging
            actions:
              - name: deploy
                type: container-deploy
                environment: staging
                service: web
                image: registry.test/web:1
                runsOn: [ env=staging ]
        """;

    private static AttemptResult Deployed(string attemptId, string container) =>
        new(attemptId, true, 0, null, new() { ["image"] = "registry.test/web:1", ["digest"] = "sha256:" + new string('a', 64), ["container"] = container }, []);

    private static async Task<(GrainCluster Cluster, Dictionary<string, FakeAgent> Agents, IExecutionGrain Execution)> StartAsync(params string[] agentIds)
    {
        var cluster = await GrainCluster.StartAsync();
        var agents = new Dictionary<string, FakeAgent>();
        foreach (var id in agentIds)
        {
            agents[id] = new FakeAgent();
            await agents[id].ConnectAsync(cluster, id, ["env=staging"], slots: 4);
        }

        // An agent of another environment is never part of the rollout.
        await new FakeAgent().ConnectAsync(cluster, "prod-1", ["env=production"]);
        await cluster.Grains.GetGrain<IPipelineGrain>("web").Apply(Deploy);
        var started = await cluster.Grains.GetGrain<IPipelineGrain>("web").StartManually([]);
        return (cluster, agents, cluster.Grains.GetGrain<IExecutionGrain>(started.ExecutionId!));
    }

    [Fact]
    public async Task Deploy_rolls_over_each_agent_of_the_environment_one_at_a_time_and_records_each()
    {
        var (cluster, agents, execution) = await StartAsync("stg-b", "stg-a");
        await using var _ = cluster;

        // Name order: stg-a first; stg-b is offered nothing until stg-a has finished.
        var first = await agents["stg-a"].NextOfferAsync();
        Assert.Equal("stg-a", first.PinnedAgent);
        Assert.True(await execution.Claim(first.AttemptId, "stg-a"));
        Assert.False(agents["stg-b"].HasOffer);
        await execution.Finish("stg-a", Deployed(first.AttemptId, "c-a"));

        var second = await agents["stg-b"].NextOfferAsync();
        Assert.Equal("stg-b", second.PinnedAgent);
        Assert.NotEqual(first.AttemptId, second.AttemptId);
        Assert.True(await execution.Claim(second.AttemptId, "stg-b"));
        Assert.Equal(RunStatus.InProgress, (await execution.Get())!.Status);
        await execution.Finish("stg-b", Deployed(second.AttemptId, "c-b"));

        var run = (await execution.Get())!;
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var action = run.Stages[0].Actions[0];
        Assert.Equal(["stg-a", "stg-b"], action.RolledOut);
        Assert.Equal((first.AttemptId, RunStatus.Succeeded, "stg-a"), (action.PreviousAttempts[0].AttemptId, action.PreviousAttempts[0].Status, action.PreviousAttempts[0].Agent));
        var current = await cluster.Grains.GetGrain<IDeploymentsGrain>(0).Current();
        Assert.Equal([("staging", "web", "stg-a", "c-a"), ("staging", "web", "stg-b", "c-b")],
            current.Select(d => (d.Environment, d.Service, d.Agent, d.Container)).ToArray());
        Assert.All(current, d => Assert.Equal((run.Id, "Staging", "deploy"), (d.ExecutionId, d.Stage, d.Action)));
    }

    [Fact]
    public async Task Rollout_stops_at_the_first_agent_that_fails()
    {
        var (cluster, agents, execution) = await StartAsync("stg-a", "stg-b");
        await using var _ = cluster;

        var first = await agents["stg-a"].NextOfferAsync();
        await execution.Claim(first.AttemptId, "stg-a");
        await execution.Finish("stg-a", new AttemptResult(first.AttemptId, false, null, "the new version did not become healthy: GET / answered 500", [], []));

        var run = (await execution.Get())!;
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(["stg-a", "stg-b"], run.Stages[0].Actions[0].RollingTargets);
        Assert.Empty(run.Stages[0].Actions[0].RolledOut);
        Assert.False(agents["stg-b"].HasOffer);
        Assert.Empty(await cluster.Grains.GetGrain<IDeploymentsGrain>(0).Current());
    }

    [Fact]
    public async Task With_one_agent_in_the_environment_the_deploy_is_one_plain_attempt()
    {
        var (cluster, agents, execution) = await StartAsync("stg-a");
        await using var _ = cluster;

        var offer = await agents["stg-a"].NextOfferAsync();
        Assert.Null(offer.PinnedAgent);
        await execution.Claim(offer.AttemptId, "stg-a");
        await execution.Finish("stg-a", Deployed(offer.AttemptId, "c-a"));

        var run = (await execution.Get())!;
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Empty(run.Stages[0].Actions[0].RollingTargets);
        var history = await cluster.Grains.GetGrain<IDeploymentsGrain>(0).History("staging", "web", 10);
        Assert.Equal(("stg-a", "registry.test/web:1", "sha256:" + new string('a', 64)), (history.Single().Agent, history.Single().Image, history.Single().Digest));
    }
}
