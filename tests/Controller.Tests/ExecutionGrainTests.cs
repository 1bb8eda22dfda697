using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Microsoft.Data.Sqlite;

namespace Farm.Controller.Tests;

public sealed class ExecutionGrainTests
{
    private const string TwoStages = """
        name: ship
        variables:
          - name: target
            default: staging
        stages:
          - name: Build
            actions:
              - name: compile
                type: shell
                runsOn: [linux]
                commands: [ "echo build for #{variables.target} in #{execution.id}" ]
          - name: Deploy
            actions:
              - name: push
                type: shell
                runsOn: [linux]
                commands: [ "echo push" ]
        """;

    private static AttemptResult Ok(string attemptId) => new(attemptId, true, 0, null, [], []);

    private static async Task<string> StartAsync(GrainCluster cluster, Dictionary<string, string>? variables = null)
    {
        await cluster.Grains.GetGrain<IPipelineGrain>("ship").Apply(TwoStages);
        var outcome = await cluster.Grains.GetGrain<IPipelineGrain>("ship").StartManually(variables ?? []);
        Assert.Equal(StartRefusal.None, outcome.Refusal);
        return outcome.ExecutionId!;
    }

    private static async Task<ExecutionRun> WaitUntilAsync(IExecutionGrain grain, Func<ExecutionRun, bool> condition, int seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var run = (await grain.Get())!;
        while (!condition(run))
        {
            timeout.Token.ThrowIfCancellationRequested();
            run = (await grain.WaitForChange(run.Revision, TimeSpan.FromSeconds(1)))!;
        }

        return run;
    }

    [Fact]
    public async Task Execution_offers_each_stage_to_a_matching_agent_and_succeeds_after_the_last()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"]);

        var id = await StartAsync(cluster, new() { ["target"] = "prod" });
        var execution = cluster.Grains.GetGrain<IExecutionGrain>(id);

        var build = await agent.NextOfferAsync();
        Assert.Equal(("ship-1", "Build", "compile"), (build.ExecutionId, build.Stage, build.ActionName));
        Assert.Equal(["echo build for prod in ship-1"], build.Action.Commands);
        Assert.True(await execution.Claim(build.AttemptId, "a1"));
        Assert.False(agent.HasOffer);
        await execution.Finish("a1", Ok(build.AttemptId));

        var push = await agent.NextOfferAsync();
        Assert.Equal("Deploy", push.Stage);
        Assert.True(await execution.Claim(push.AttemptId, "a1"));
        await execution.Finish("a1", Ok(push.AttemptId));

        var run = (await execution.Get())!;
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("a1", run.Stages[0].Actions[0].Agent);
        var history = await new ExecutionHistory(new FarmDatabase(StoreSelection.Dialect(Options(cluster.DataDir).Value))).ListAsync("ship", 10);
        Assert.Equal(RunStatus.Succeeded, Assert.Single(history).Status);
    }

    [Fact]
    public async Task Attempt_waits_in_the_queue_until_an_agent_with_its_labels_connects()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var unlabelled = new FakeAgent();
        await unlabelled.ConnectAsync(cluster, "plain", []);

        var id = await StartAsync(cluster);
        var run = await WaitUntilAsync(cluster.Grains.GetGrain<IExecutionGrain>(id), r => r.Stages[0].Actions[0].Status == RunStatus.Queued);
        var attemptId = run.Stages[0].Actions[0].AttemptId!;
        var dispatcher = cluster.Grains.GetGrain<IDispatcherGrain>(0);

        // The execution stores the queued attempt before it hands it to the dispatcher.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while ((await dispatcher.Alive([attemptId])).Length == 0)
            {
                await Task.Delay(20, timeout.Token);
            }
        }


        Assert.Equal(2, (await dispatcher.Agents()).Single(a => a.AgentId == "plain").FreeSlots);

        var labelled = new FakeAgent();
        await labelled.ConnectAsync(cluster, "linux-1", ["linux"]);
        Assert.Equal(attemptId, (await labelled.NextOfferAsync()).AttemptId);
        Assert.False(unlabelled.HasOffer);
    }

    [Fact]
    public async Task Failed_action_fails_the_execution_and_later_results_are_ignored()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"]);
        var execution = cluster.Grains.GetGrain<IExecutionGrain>(await StartAsync(cluster));

        var build = await agent.NextOfferAsync();
        await execution.Claim(build.AttemptId, "a1");
        await execution.Finish("a1", new AttemptResult(build.AttemptId, false, 2, "exited with code 2", [], []));
        var failed = (await execution.Get())!;
        await execution.Finish("a1", Ok(build.AttemptId));

        var after = (await execution.Get())!;
        Assert.Equal(RunStatus.Failed, after.Status);
        Assert.Equal(failed.Revision, after.Revision);
        Assert.Equal("Stage 'Build' failed: action 'compile' exited with code 2.", after.Message);
        Assert.Equal(RunStatus.Pending, after.Stages[1].Status);
        Assert.False(await execution.Claim(build.AttemptId, "a1"));
    }

    [Fact]
    public async Task Running_attempt_whose_agent_disappears_fails_when_its_lease_expires()
    {
        await using var cluster = await GrainCluster.StartAsync(heartbeat: TimeSpan.FromMilliseconds(200));
        var agent = new FakeAgent();
        var connection = await agent.ConnectAsync(cluster, "a1", ["linux"]);
        var execution = cluster.Grains.GetGrain<IExecutionGrain>(await StartAsync(cluster));
        var build = await agent.NextOfferAsync();
        await execution.Claim(build.AttemptId, "a1");
        await cluster.Grains.GetGrain<IDispatcherGrain>(0).OfferAnswered("a1", build.AttemptId, true);

        await cluster.Grains.GetGrain<IDispatcherGrain>(0).Disconnect("a1", connection);
        var run = await WaitUntilAsync(execution, r => r.IsFinished);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith("was lost: agent 'a1' stopped reporting it", run.Stages[0].Actions[0].Message);
    }

    private static readonly TimeSpan ShortHeartbeat = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A controller restart with an attempt running: runs the Build attempt on agent a1, stops the
    /// cluster, and starts another on its data with <paramref name="reconnectGrace"/>; a1 is not back.
    /// </summary>
    private static async Task<(GrainCluster Cluster, IExecutionGrain Execution, string AttemptId)> RestartedWhileRunningAsync(TimeSpan reconnectGrace)
    {
        string dataDir, id, attemptId;
        await using (var first = await GrainCluster.StartAsync(heartbeat: ShortHeartbeat))
        {
            var agent = new FakeAgent();
            await agent.ConnectAsync(first, "a1", ["linux"]);
            (dataDir, id) = (first.DataDir, await StartAsync(first));
            attemptId = (await agent.NextOfferAsync()).AttemptId;
            await first.Grains.GetGrain<IExecutionGrain>(id).Claim(attemptId, "a1");
            await first.Grains.GetGrain<IDispatcherGrain>(0).OfferAnswered("a1", attemptId, true);
        }

        var second = await GrainCluster.StartAsync(dataDir, heartbeat: ShortHeartbeat, reconnectGrace: reconnectGrace);
        var execution = second.Grains.GetGrain<IExecutionGrain>(id);
        await execution.Resume();
        return (second, execution, attemptId);
    }

    [Fact]
    public async Task Running_attempt_survives_a_restart_when_its_agent_reconnects_later_than_a_lease_but_within_the_grace()
    {
        var (cluster, execution, attemptId) = await RestartedWhileRunningAsync(reconnectGrace: TimeSpan.FromSeconds(10));
        await using var restarted = cluster;

        // The agent is slow to come back: three leases (the lease is three heartbeats), within the grace.
        await Task.Delay(ShortHeartbeat * 9);
        await cluster.Grains.GetGrain<IDispatcherGrain>(0).Connect(
            new AgentRegistration("a1", Guid.NewGuid(), ["linux"], 2, [attemptId]), cluster.Client.CreateObjectReference<IAgentObserver>(new FakeAgent()));
        await execution.Finish("a1", Ok(attemptId));
        var run = await WaitUntilAsync(execution, r => r.Stages[0].Status.IsFinal());

        Assert.Equal((RunStatus.Succeeded, 1), (run.Stages[0].Actions[0].Status, run.Stages[0].Actions[0].Attempt));
    }

    [Fact]
    public async Task Running_attempt_is_lost_after_a_restart_once_the_lease_and_the_grace_pass_without_its_agent()
    {
        var (cluster, execution, _) = await RestartedWhileRunningAsync(reconnectGrace: TimeSpan.FromSeconds(1));
        await using var restarted = cluster;

        var run = await WaitUntilAsync(execution, r => r.IsFinished);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.StartsWith("was lost: agent 'a1' stopped reporting it", run.Stages[0].Actions[0].Message);
    }

    [Fact]
    public async Task Attempt_lost_with_its_agent_runs_again_on_another_within_retry_on_agent_lost()
    {
        await using var cluster = await GrainCluster.StartAsync(heartbeat: TimeSpan.FromMilliseconds(200));
        var withRetry = System.Text.RegularExpressions.Regex.Replace(TwoStages, "( *)runsOn: \\[linux\\]", "$1retry: { onAgentLost: 1 }\n$0", default, TimeSpan.FromSeconds(1));
        Assert.Equal(new ApplyOutcome(1, false), await cluster.Grains.GetGrain<IPipelineGrain>("ship").Apply(withRetry));
        var doomed = new FakeAgent();
        var doomedConnection = await doomed.ConnectAsync(cluster, "doomed", ["linux"]);
        var execution = cluster.Grains.GetGrain<IExecutionGrain>((await cluster.Grains.GetGrain<IPipelineGrain>("ship").StartManually([])).ExecutionId!);
        var first = await doomed.NextOfferAsync();
        await execution.Claim(first.AttemptId, "doomed");
        await cluster.Grains.GetGrain<IDispatcherGrain>(0).OfferAnswered("doomed", first.AttemptId, true);
        var survivor = new FakeAgent();
        await survivor.ConnectAsync(cluster, "survivor", ["linux"]);

        await cluster.Grains.GetGrain<IDispatcherGrain>(0).Disconnect("doomed", doomedConnection);
        var second = await survivor.NextOfferAsync();
        await execution.Claim(second.AttemptId, "survivor");
        var late = execution.Finish("doomed", new AttemptResult(first.AttemptId, true, 0, null, [], []));
        await late;
        var run = (await execution.Get())!;

        Assert.Equal(("Build", "compile"), (second.Stage, second.ActionName));
        Assert.NotEqual(first.AttemptId, second.AttemptId);
        var action = run.Stages[0].Actions[0];
        Assert.Equal((2, "survivor", RunStatus.InProgress), (action.Attempt, action.Agent, action.Status));
        Assert.StartsWith("was lost: agent 'doomed'", Assert.Single(action.PreviousAttempts).Message);
    }

    [Fact]
    public async Task Pipeline_versions_and_executions_survive_a_restart_of_the_cluster()
    {
        string dataDir;
        string id;
        await using (var first = await GrainCluster.StartAsync())
        {
            dataDir = first.DataDir;
            var pipeline = first.Grains.GetGrain<IPipelineGrain>("ship");
            Assert.Equal(new ApplyOutcome(1, false), await pipeline.Apply(TwoStages));
            Assert.Equal(new ApplyOutcome(1, true), await pipeline.Apply(TwoStages));
            Assert.Equal(new ApplyOutcome(2, false), await pipeline.Apply(TwoStages.Replace("echo push", "echo push!")));
            id = (await pipeline.StartManually([])).ExecutionId!;
        }

        await using var second = await GrainCluster.StartAsync(dataDir);
        var agent = new FakeAgent();
        await agent.ConnectAsync(second, "a1", ["linux"]);
        var execution = second.Grains.GetGrain<IExecutionGrain>(id);
        await execution.Resume();

        var stored = await second.Grains.GetGrain<IPipelineGrain>("ship").GetVersion(0);
        Assert.Equal((2, 2), (stored!.Version, stored.LatestVersion));
        var run = (await execution.Get())!;
        Assert.Equal((2, RunStatus.InProgress), (run.PipelineVersion, run.Status));
        // The attempt queued before the restart is offered again, to any agent with its labels.
        var offer = await agent.NextOfferAsync();
        Assert.Equal((run.Stages[0].Actions[0].AttemptId, null), (offer.AttemptId, offer.PinnedAgent));
        Assert.Equal("ship-2", (await second.Grains.GetGrain<IPipelineGrain>("ship").StartManually([])).ExecutionId);
    }

    [Fact]
    public async Task An_execution_stored_with_its_pipeline_file_in_its_state_row_runs_on()
    {
        string dataDir;
        string id;
        await using (var first = await GrainCluster.StartAsync())
        {
            dataDir = first.DataDir;
            await first.Grains.GetGrain<IPipelineGrain>("ship").Apply(TwoStages);
            id = (await first.Grains.GetGrain<IPipelineGrain>("ship").StartManually([])).ExecutionId!;
        }

        // As executions were stored before the file moved to a row of its own.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "farm.db")};Pooling=false"))
        {
            connection.Open();
            var update = connection.CreateCommand();
            update.CommandText = """
                UPDATE grain_state SET data = json_set(data, '$.source',
                    (SELECT json_extract(data, '$.text') FROM grain_state WHERE grain_id = $id AND state_name = 'source'))
                WHERE grain_id = $id AND state_name = 'execution';
                DELETE FROM grain_state WHERE grain_id = $id AND state_name = 'source';
                """;
            update.Parameters.AddWithValue("$id", "execution/" + id);
            update.ExecuteNonQuery();
            var check = connection.CreateCommand();
            check.CommandText = "SELECT count(*) FROM grain_state WHERE grain_id = $id AND state_name = 'source';";
            check.Parameters.AddWithValue("$id", "execution/" + id);
            Assert.Equal(0L, check.ExecuteScalar());
        }

        await using var second = await GrainCluster.StartAsync(dataDir);
        var agent = new FakeAgent();
        await agent.ConnectAsync(second, "a1", ["linux"]);
        var execution = second.Grains.GetGrain<IExecutionGrain>(id);
        await execution.Resume();
        var build = await agent.NextOfferAsync();
        Assert.True(await execution.Claim(build.AttemptId, "a1"));
        await execution.Finish("a1", Ok(build.AttemptId));

        // The next stage's action comes from the pipeline file read from the old row.
        var push = await agent.NextOfferAsync();
        Assert.Equal(("Deploy", "push"), (push.Stage, push.ActionName));
    }

    [Fact]
    public async Task Start_with_an_undeclared_variable_is_refused_and_uses_no_number()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var pipeline = cluster.Grains.GetGrain<IPipelineGrain>("ship");
        await pipeline.Apply(TwoStages);

        var refused = await pipeline.StartManually(new() { ["colour"] = "red" });
        var unknown = await cluster.Grains.GetGrain<IPipelineGrain>("nothing").StartManually([]);

        Assert.Equal(StartRefusal.InvalidVariables, refused.Refusal);
        Assert.Equal(["Pipeline 'ship' has no variable 'colour' (it declares target)."], refused.Errors);
        Assert.Equal(StartRefusal.PipelineNotFound, unknown.Refusal);
        Assert.Equal("ship-1", (await pipeline.StartManually([])).ExecutionId);
    }

    private static Microsoft.Extensions.Options.IOptions<Farm.Controller.Hosting.ControllerOptions> Options(string dataDir) =>
        Microsoft.Extensions.Options.Options.Create(new Farm.Controller.Hosting.ControllerOptions { DataDir = dataDir });
}
