using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Core.Executions;

namespace Farm.Controller.Tests;

/// <summary>Execution modes, transitions, stop, retry and rollback, through the grains as the API drives them.</summary>
public sealed class StageLockingTests
{
    private static string TwoStages(string mode) => $$"""
        name: ship
        executionMode: {{mode}}
        stages:
          - name: Build
            actions:
              - name: make
                type: shell
                namespace: Make
                commands: [ "echo make" ]
          - name: Deploy
            actions:
              - name: push
                type: shell
                commands: [ 'echo push #{Make.version}' ]
        """;

    private static AttemptResult Ok(Job job, string version = "1") =>
        new(job.AttemptId, true, 0, null, job.Stage == "Build" ? new() { ["version"] = version } : [], []);

    private sealed class Farm(GrainCluster cluster, FakeAgent agent)
    {
        public IPipelineGrain Pipeline => cluster.Grains.GetGrain<IPipelineGrain>("ship");

        public IExecutionGrain Execution(string id) => cluster.Grains.GetGrain<IExecutionGrain>(id);

        public async Task<string> StartAsync() => (await Pipeline.StartManually([])).ExecutionId!;

        /// <summary>Takes the next offer, which must be for <paramref name="stage"/> of <paramref name="execution"/>, and claims it.</summary>
        public async Task<Job> TakeAsync(string execution, string stage)
        {
            var job = await agent.NextOfferAsync();
            Assert.Equal((execution, stage), (job.ExecutionId, job.Stage));
            Assert.True(await Execution(job.ExecutionId).Claim(job.AttemptId, "a1"));
            await cluster.Grains.GetGrain<IDispatcherGrain>(0).OfferAnswered("a1", job.AttemptId, true);
            return job;
        }

        public async Task FinishAsync(Job job, string version = "1")
        {
            await cluster.Grains.GetGrain<IDispatcherGrain>(0).Released("a1", job.AttemptId);
            await Execution(job.ExecutionId).Finish("a1", Ok(job, version));
        }

        public async Task<ExecutionRun> UntilAsync(string id, Func<ExecutionRun, bool> condition)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var run = (await Execution(id).Get())!;
            while (!condition(run))
            {
                timeout.Token.ThrowIfCancellationRequested();
                run = (await Execution(id).WaitForChange(run.Revision, TimeSpan.FromSeconds(1)))!;
            }

            return run;
        }
    }

    private static async Task<(GrainCluster Cluster, Farm Farm, FakeAgent Agent)> StartAsync(string mode)
    {
        var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", [], slots: 10);
        await cluster.Grains.GetGrain<IPipelineGrain>("ship").Apply(TwoStages(mode));
        return (cluster, new Farm(cluster, agent), agent);
    }

    [Fact]
    public async Task Superseded_mode_lets_a_newer_execution_overtake_an_older_one_waiting_at_a_stage()
    {
        var (cluster, farm, agent) = await StartAsync("superseded");
        await using var _ = cluster;
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"));
        var deploy1 = await farm.TakeAsync(e1, "Deploy");

        var e2 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e2, "Build"));
        var waiting = await farm.UntilAsync(e2, r => r.WaitingForStage == 1);
        var e3 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e3, "Build"), version: "3");
        var superseded = await farm.UntilAsync(e2, r => r.IsFinished);
        await farm.FinishAsync(deploy1);
        var deploy3 = await farm.TakeAsync(e3, "Deploy");

        Assert.Equal("stage 'Deploy' is busy with ship-1", waiting.WaitingReason);
        Assert.Equal((RunStatus.Superseded, "superseded by ship-3"), (superseded.Status, superseded.Message));
        Assert.Equal(RunStatus.Succeeded, (await farm.Execution(e1).Get())!.Status);
        Assert.Equal(["echo push 3"], deploy3.Action.Commands);
        Assert.False(agent.HasOffer);
    }

    [Fact]
    public async Task Finished_execution_still_recorded_in_a_stage_gives_it_back_when_another_asks_for_it()
    {
        var (cluster, farm, _) = await StartAsync("superseded");
        await using var __ = cluster;
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"));
        await farm.FinishAsync(await farm.TakeAsync(e1, "Deploy"));
        await farm.UntilAsync(e1, r => r.IsFinished);
        // What the store held when the controller died after storing e1 finished and before the
        // pipeline stored the stage given back: e1 still in Build, and no restart resumes e1.
        await farm.Pipeline.Hold(e1, "Build");

        var e2 = await farm.StartAsync();
        var build2 = await farm.TakeAsync(e2, "Build");

        Assert.Equal(RunStatus.Succeeded, (await farm.Execution(e1).Get())!.Status);
        Assert.Equal("Build", build2.Stage);
    }

    [Fact]
    public async Task Queued_mode_lets_waiting_executions_in_one_at_a_time_in_start_order()
    {
        var (cluster, farm, _) = await StartAsync("queued");
        await using var __ = cluster;
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"));
        var deploy1 = await farm.TakeAsync(e1, "Deploy");
        var e2 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e2, "Build"));
        var e3 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e3, "Build"));
        await farm.UntilAsync(e3, r => r.WaitingForStage == 1);

        var state = await farm.Pipeline.GetRuntime();
        await farm.FinishAsync(deploy1);
        var deploy2 = await farm.TakeAsync(e2, "Deploy");
        Assert.Equal(1, (await farm.Execution(e3).Get())!.WaitingForStage);
        await farm.FinishAsync(deploy2);
        await farm.FinishAsync(await farm.TakeAsync(e3, "Deploy"));

        Assert.Equal(["ship-1"], state!.Stages[1].Executions);
        Assert.Equal(["ship-2", "ship-3"], state.Stages[1].Waiting);
        Assert.Equal(RunStatus.Succeeded, (await farm.UntilAsync(e3, r => r.IsFinished)).Status);
        Assert.Equal(RunStatus.Succeeded, (await farm.Execution(e2).Get())!.Status);
    }

    [Fact]
    public async Task Parallel_mode_never_locks_a_stage()
    {
        var (cluster, farm, _) = await StartAsync("parallel");
        await using var __ = cluster;
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"));
        await farm.TakeAsync(e1, "Deploy");

        var e2 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e2, "Build"));
        await farm.TakeAsync(e2, "Deploy");

        Assert.Equal(["ship-1", "ship-2"], (await farm.Pipeline.GetRuntime())!.Stages[1].Executions);
    }

    [Fact]
    public async Task Executions_wait_at_a_disabled_transition_and_go_on_when_it_is_enabled()
    {
        var (cluster, farm, _) = await StartAsync("queued");
        await using var __ = cluster;
        var disabled = await farm.Pipeline.SetTransition("Deploy", enabled: false, "release freeze");
        var unknown = await farm.Pipeline.SetTransition("Nope", enabled: false, "x");
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"));

        var waiting = await farm.UntilAsync(e1, r => r.WaitingForStage == 1);
        await farm.Pipeline.SetTransition("Deploy", enabled: true, null);
        await farm.FinishAsync(await farm.TakeAsync(e1, "Deploy"));

        Assert.Equal("release freeze", disabled.Runtime!.Stages[1].DisabledReason);
        Assert.Equal("Pipeline 'ship' has no stage 'Nope'; its stages are Build, Deploy.", unknown.Error);
        Assert.Equal("the transition into stage 'Deploy' is disabled: release freeze", waiting.WaitingReason);
        Assert.Equal(RunStatus.Succeeded, (await farm.UntilAsync(e1, r => r.IsFinished)).Status);
    }

    [Fact]
    public async Task Stop_with_abandon_cancels_the_running_attempt_on_its_agent_and_frees_the_stage()
    {
        var (cluster, farm, agent) = await StartAsync("queued");
        await using var __ = cluster;
        var e1 = await farm.StartAsync();
        var build = await farm.TakeAsync(e1, "Build");
        var e2 = await farm.StartAsync();
        await farm.UntilAsync(e2, r => r.WaitingForStage == 0);

        var stopped = await farm.Execution(e1).Stop(abandon: true, "wrong commit");
        var cancelled = await agent.NextCancelAsync();
        var refused = await farm.Execution(e1).Stop(abandon: false, "again");

        Assert.Equal(RunStatus.Stopped, stopped.Run!.Status);
        Assert.Equal(RunStatus.Abandoned, stopped.Run.Stages[0].Actions[0].Status);
        Assert.Equal(build.AttemptId, cancelled);
        Assert.StartsWith("Execution 'ship-1' has already finished", refused.Error);
        await farm.TakeAsync(e2, "Build");
    }

    [Fact]
    public async Task Retry_of_a_failed_stage_runs_it_again_and_the_execution_completes()
    {
        var (cluster, farm, _) = await StartAsync("superseded");
        await using var __ = cluster;
        var e1 = await farm.StartAsync();
        var build = await farm.TakeAsync(e1, "Build");
        await farm.Execution(e1).Finish("a1", new AttemptResult(build.AttemptId, false, 1, "exited with code 1", [], []));
        await farm.UntilAsync(e1, r => r.IsFinished);

        var notFailed = await farm.Execution(e1).Retry("Deploy", all: false);
        var retried = await farm.Execution(e1).Retry("Build", all: false);
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"));
        await farm.FinishAsync(await farm.TakeAsync(e1, "Deploy"));
        var done = await farm.UntilAsync(e1, r => r.IsFinished);

        Assert.Equal("Stage 'Deploy' of execution 'ship-1' is Pending: only a stage that failed or was stopped can be retried.", notFailed.Error);
        Assert.Equal(RunStatus.InProgress, retried.Run!.Status);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal((2, 1), (done.Stages[0].Actions[0].Attempt, done.Stages[0].Actions[0].PreviousAttempts.Count));
    }

    [Fact]
    public async Task Rollback_reruns_a_stage_with_the_outputs_of_the_target_and_refuses_a_target_where_it_never_succeeded()
    {
        var (cluster, farm, _) = await StartAsync("queued");
        await using var __ = cluster;
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"), version: "1.0");
        await farm.FinishAsync(await farm.TakeAsync(e1, "Deploy"));
        await farm.UntilAsync(e1, r => r.IsFinished);
        var e2 = await farm.StartAsync();
        var failing = await farm.TakeAsync(e2, "Build");
        await farm.Execution(e2).Finish("a1", new AttemptResult(failing.AttemptId, false, 1, "exited with code 1", [], []));
        await farm.UntilAsync(e2, r => r.IsFinished);

        var refused = await farm.Pipeline.Rollback("Deploy", e2);
        var missing = await farm.Pipeline.Rollback("Deploy", "ship-99");
        var rollback = await farm.Pipeline.Rollback("Deploy", e1);
        var push = await farm.TakeAsync(rollback.ExecutionId!, "Deploy");
        await farm.FinishAsync(push);
        var done = await farm.UntilAsync(rollback.ExecutionId!, r => r.IsFinished);

        Assert.Equal((StartRefusal.FailedPrecondition, "Stage 'Deploy' did not succeed in execution 'ship-2' (it is Pending); roll back to an execution in which it succeeded."),
            (refused.Refusal, refused.Errors[0]));
        Assert.Equal(StartRefusal.NotFound, missing.Refusal);
        Assert.Equal("ship-3", rollback.ExecutionId);
        Assert.Equal(["echo push 1.0"], push.Action.Commands);
        Assert.Equal((RunStatus.Succeeded, ExecutionRun.RollbackTrigger, "ship-1"), (done.Status, done.Trigger, done.Inherited!.ExecutionId));
        Assert.Equal(RunStatus.Skipped, done.Stages[0].Status);
    }

    [Fact]
    public async Task A_stage_with_onFailure_rollback_starts_a_rollback_to_the_last_execution_it_succeeded_in()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", [], slots: 10);
        await cluster.Grains.GetGrain<IPipelineGrain>("ship").Apply(TwoStages("queued").Replace(
            "  - name: Deploy\n", "  - name: Deploy\n    onFailure: rollback\n"));
        var farm = new Farm(cluster, agent);
        var e1 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e1, "Build"), version: "1.0");
        await farm.FinishAsync(await farm.TakeAsync(e1, "Deploy"));
        await farm.UntilAsync(e1, r => r.IsFinished);

        var e2 = await farm.StartAsync();
        await farm.FinishAsync(await farm.TakeAsync(e2, "Build"), version: "2.0");
        var broken = await farm.TakeAsync(e2, "Deploy");
        await farm.Execution(e2).Finish("a1", new AttemptResult(broken.AttemptId, false, 1, "exited with code 1", [], []));
        var failed = await farm.UntilAsync(e2, r => r.IsFinished && r.Message!.Contains("Rollback"));
        var push = await farm.TakeAsync("ship-3", "Deploy");

        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal("Stage 'Deploy' failed: action 'push' exited with code 1. Rollback ship-3 of stage 'Deploy' started.", failed.Message);
        Assert.Equal(["echo push 1.0"], push.Action.Commands);
        Assert.Equal((ExecutionRun.RollbackTrigger, "ship-1"), ((await farm.Execution("ship-3").Get())!.Trigger, (await farm.Execution("ship-3").Get())!.Inherited!.ExecutionId));
    }
}
