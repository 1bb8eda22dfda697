using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Core.Executions;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests;

public sealed class ApprovalAndInvokeTests
{
    private const string Gated = """
        name: gated
        stages:
          - name: Build
            actions:
              - name: make
                type: shell
                commands: [ "echo make" ]
          - name: Gate
            actions:
              - name: sign-off
                type: approval
                message: 'Ship #{execution.id}?'
                reviewUrl: 'https://review.example/#{execution.id}'
                timeout: 1h
          - name: Deploy
            actions:
              - name: push
                type: shell
                commands: [ "echo push" ]
        """;

    private static async Task<ExecutionRun> UntilAsync(IExecutionGrain grain, Func<ExecutionRun, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var run = (await grain.Get())!;
        while (!condition(run))
        {
            timeout.Token.ThrowIfCancellationRequested();
            run = (await grain.WaitForChange(run.Revision, TimeSpan.FromSeconds(1)))!;
        }

        return run;
    }

    private static async Task<IExecutionGrain> RunToGateAsync(GrainCluster cluster, FakeAgent agent)
    {
        await cluster.Grains.GetGrain<IPipelineGrain>("gated").Apply(Gated);
        var id = (await cluster.Grains.GetGrain<IPipelineGrain>("gated").StartManually([])).ExecutionId!;
        var execution = cluster.Grains.GetGrain<IExecutionGrain>(id);
        var make = await agent.NextOfferAsync();
        await execution.Claim(make.AttemptId, "a1");
        await execution.Finish("a1", new AttemptResult(make.AttemptId, true, 0, null, [], []));
        await UntilAsync(execution, r => r.Stages[1].Actions[0].Approval is not null);
        return execution;
    }

    [Fact]
    public async Task Approved_gate_records_who_and_why_and_lets_the_execution_go_on_and_a_second_decision_is_refused()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", []);
        var execution = await RunToGateAsync(cluster, agent);

        var waiting = (await execution.Get())!.Stages[1].Actions[0];
        var wrongType = await execution.Decide("Build", "make", true, "alice", null);
        var decided = await execution.Decide("Gate", "sign-off", true, "alice", "looks good");
        var again = await execution.Decide("Gate", "sign-off", false, "bob", "no");
        var push = await agent.NextOfferAsync();

        Assert.Equal(("Ship gated-1?", "https://review.example/gated-1"), (waiting.Approval!.Message, waiting.Approval.ReviewUrl));
        Assert.Equal(TimeSpan.FromHours(1), waiting.Approval.Deadline - waiting.Approval.WaitingSince);
        Assert.Equal("Action 'Build/make' is a shell action, not an approval.", wrongType.Error);
        var approval = decided.Run!.Stages[1].Actions[0];
        Assert.Equal((RunStatus.Succeeded, true, "alice", "looks good"), (approval.Status, approval.Approval!.Approved, approval.Approval.DecidedBy, approval.Approval.Comment));
        Assert.StartsWith("Approval 'Gate/sign-off' was already approved by alice at ", again.Error);
        Assert.Equal("Deploy", push.Stage);
    }

    [Fact]
    public async Task Rejected_gate_fails_the_execution_with_the_decider_and_comment()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", []);
        var execution = await RunToGateAsync(cluster, agent);

        var decided = await execution.Decide("Gate", "sign-off", false, "bob", "not on a Friday");

        Assert.Equal(RunStatus.Failed, decided.Run!.Status);
        Assert.Equal("Stage 'Gate' failed: action 'sign-off' rejected by bob: not on a Friday.", decided.Run.Message);
        Assert.False(agent.HasOffer);
    }

    [Fact]
    public async Task Waiting_approval_survives_a_restart_and_times_out_on_the_controlled_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        string dataDir;
        string id;
        await using (var first = await GrainCluster.StartAsync(heartbeat: TimeSpan.FromMilliseconds(200), time: clock))
        {
            dataDir = first.DataDir;
            var agent = new FakeAgent();
            await agent.ConnectAsync(first, "a1", []);
            id = (await RunToGateAsync(first, agent)).GetPrimaryKeyString();
        }

        await using var second = await GrainCluster.StartAsync(dataDir, heartbeat: TimeSpan.FromMilliseconds(200), time: clock);
        var execution = second.Grains.GetGrain<IExecutionGrain>(id);
        await execution.Resume();
        var stillWaiting = (await execution.Get())!;
        clock.Advance(TimeSpan.FromMinutes(61));
        var done = await UntilAsync(execution, r => r.IsFinished);

        Assert.Equal(RunStatus.InProgress, stillWaiting.Stages[1].Actions[0].Status);
        Assert.Equal(RunStatus.Failed, done.Status);
        Assert.Equal("approval timed out after 1h without a decision", done.Stages[1].Actions[0].Message);
    }

    [Fact]
    public async Task Pipeline_action_starts_another_pipeline_and_with_wait_follows_its_result()
    {
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", []);
        await cluster.Grains.GetGrain<IPipelineGrain>("child").Apply("""
            name: child
            variables:
              - name: who
            stages:
              - name: Work
                actions:
                  - name: w
                    type: shell
                    commands: [ 'echo #{variables.who}' ]
            """);
        await cluster.Grains.GetGrain<IPipelineGrain>("parent").Apply("""
            name: parent
            stages:
              - name: Chain
                actions:
                  - name: fire
                    type: pipeline
                    pipeline: child
                    variables: { who: 'fired by #{execution.id}' }
                  - name: follow
                    type: pipeline
                    pipeline: child
                    wait: true
                    runOrder: 2
                    variables: { who: follower }
            """);

        var parent = cluster.Grains.GetGrain<IExecutionGrain>((await cluster.Grains.GetGrain<IPipelineGrain>("parent").StartManually([])).ExecutionId!);
        var afterFire = await UntilAsync(parent, r => r.Stages[0].Actions[0].IsFinishedAction());
        // child-1 and child-2 start independently (one-way kicks), so either may enter its stage and
        // reach the agent first; each is answered as it comes.
        Job? fired = null, followed = null;
        ExecutionRun? waitingOnChild = null;
        while (fired is null || followed is null)
        {
            var offer = await agent.NextOfferAsync();
            var child = cluster.Grains.GetGrain<IExecutionGrain>(offer.ExecutionId);
            await child.Claim(offer.AttemptId, "a1");
            if (offer.ExecutionId == "child-1")
            {
                fired = offer;
                await child.Finish("a1", new AttemptResult(offer.AttemptId, true, 0, null, [], []));
            }
            else
            {
                followed = offer;
                waitingOnChild = (await parent.Get())!;
                await child.Finish("a1", new AttemptResult(offer.AttemptId, false, 4, "exited with code 4", [], []));
            }
        }

        var child2 = cluster.Grains.GetGrain<IExecutionGrain>(followed.ExecutionId);
        var done = await UntilAsync(parent, r => r.IsFinished);

        Assert.Equal(["echo fired by parent-1"], fired.Action.Commands);
        Assert.Equal((RunStatus.Succeeded, "child-1"), (afterFire.Stages[0].Actions[0].Status, afterFire.Stages[0].Actions[0].Outputs["executionId"]));
        Assert.Equal("child-2", followed.ExecutionId);
        Assert.Equal(RunStatus.InProgress, waitingOnChild!.Stages[0].Actions[1].Status);
        Assert.Equal((ExecutionRun.PipelineTrigger, "pipeline action of parent-1"), ((await child2.Get())!.Trigger, (await child2.Get())!.TriggeredBy));
        Assert.Equal(RunStatus.Failed, done.Status);
        Assert.Equal("pipeline execution child-2 did not succeed: Stage 'Work' failed: action 'w' exited with code 4.", done.Stages[0].Actions[1].Message);
    }
}

internal static class ActionRunTestExtensions
{
    public static bool IsFinishedAction(this ActionRun action) => action.Status.IsFinal();
}
