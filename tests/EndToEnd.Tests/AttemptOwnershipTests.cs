using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// An agent with a real credential of its own tries every agent call on an attempt offered to
/// another agent, and on an approval: each is refused, audited with its name, and the execution goes
/// on as if it had never called.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class AttemptOwnershipTests(FarmHost farm)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string SomeArchive = new('c', 64);

    [Fact]
    public async Task Another_agents_calls_on_an_attempt_or_an_approval_are_refused_audited_and_change_nothing()
    {
        const string intruder = "e2e-intruder";
        var release = Path.Combine(farm.Root, "release-owned");
        var yaml = $$"""
            name: owned
            stages:
              - name: Build
                actions:
                  - name: make
                    type: shell
                    namespace: Build
                    runsOn: [first]
                    commands:
                      - 'while [ ! -f "{{release}}" ]; do sleep 0.1; done'
                      - 'echo "tag=v1" >> "$FARM_OUTPUT"'
              - name: Gate
                actions:
                  - name: sign-off
                    type: approval
              - name: Use
                actions:
                  - name: show
                    type: shell
                    runsOn: [first]
                    commands: [ 'echo "tag is #{Build.tag}"' ]
            """;
        var client = new AgentSessions.AgentSessionsClient(farm.With(await farm.EnrollAsync(intruder)));
        var id = await farm.ApplyAndStartAsync(yaml);
        var build = (await farm.WatchAsync(id, e => e.Action("Build", "make") is { Status: ExecutionStatus.InProgress, Agent: "e2e-agent" }))
            .Action("Build", "make").AttemptId;

        // The intruder's session: it resumes the attempt, accepts it, names it running, finishes it.
        using var session = client.Connect();
        var hello = new Hello { ProtocolVersion = 1, AgentId = intruder, Version = "e2e", Slots = 1 };
        hello.Labels.Add("intruder");
        hello.RunningAttemptIds.Add(build);
        await session.RequestStream.WriteAsync(new AgentMessage { Hello = hello });
        var welcome = await NextAsync(session);
        await session.RequestStream.WriteAsync(new AgentMessage { OfferReply = new OfferReply { AttemptId = build, Accepted = true } });
        var afterClaim = await NextAsync(session);
        var heartbeat = new Heartbeat { FreeSlots = 0 };
        heartbeat.RunningAttemptIds.Add(build);
        await session.RequestStream.WriteAsync(new AgentMessage { Heartbeat = heartbeat });
        var forged = new AttemptFinished { AttemptId = build, Succeeded = true, ExitCode = 0 };
        forged.Outputs["tag"] = "$(echo forged)";
        await session.RequestStream.WriteAsync(new AgentMessage { Finished = forged });
        var afterFinish = await NextAsync(session);
        var log = await RefusedAsync(() => ShipLogAsync(client, build));
        var upload = await RefusedAsync(() => UploadAsync(client, build));
        var download = await RefusedAsync(() => DownloadAsync(client, build));
        var whileRunning = (await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = id })).Action("Build", "make");

        await File.WriteAllTextAsync(release, "");
        var approval = (await farm.WatchAsync(id, e => e.Action("Gate", "sign-off").Approval is { Deadline: not null })).Action("Gate", "sign-off").AttemptId;
        await session.RequestStream.WriteAsync(new AgentMessage { Finished = new AttemptFinished { AttemptId = approval, Succeeded = true } });
        var afterApprovalFinish = await NextAsync(session);
        var approvalLog = await RefusedAsync(() => ShipLogAsync(client, approval));
        var stillWaiting = (await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = id })).Action("Gate", "sign-off");
        await farm.Executions.DecideApprovalAsync(new DecideApprovalRequest { ExecutionId = id, Stage = "Gate", Action = "sign-off", Approve = true, Comment = "ok" });
        var done = await farm.WatchAsync(id);
        var audit = (await farm.Admin.ListAuditAsync(new ListAuditRequest { Limit = 1000 })).Entries.Where(e => e.Actor == intruder).ToList();

        Assert.Equal([build], welcome.Welcome.AbandonAttemptIds);
        Assert.Equal((ControllerMessage.KindOneofCase.Cancel, build), (afterClaim.KindCase, afterClaim.Cancel.AttemptId));
        Assert.Equal((ControllerMessage.KindOneofCase.Cancel, build), (afterFinish.KindCase, afterFinish.Cancel.AttemptId));
        foreach (var refusal in new[] { log, upload, download })
        {
            Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
            Assert.StartsWith($"Attempt '{build}' was not offered to agent '{intruder}'", refusal.Status.Detail);
        }

        Assert.Equal((ExecutionStatus.InProgress, "e2e-agent"), (whileRunning.Status, whileRunning.Agent));
        Assert.Equal((ControllerMessage.KindOneofCase.Cancel, approval), (afterApprovalFinish.KindCase, afterApprovalFinish.Cancel.AttemptId));
        Assert.Equal(StatusCode.PermissionDenied, approvalLog.StatusCode);
        Assert.Equal((ExecutionStatus.InProgress, ""), (stillWaiting.Status, stillWaiting.Approval.Decision));
        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        Assert.Equal(("e2e-agent", "v1"), (done.Action("Build", "make").Agent, done.Action("Build", "make").Outputs["tag"]));
        Assert.Equal(("approved", "ok"), (done.Action("Gate", "sign-off").Approval.Decision, done.Action("Gate", "sign-off").Approval.Comment));
        Assert.Equal("tag is v1\n", await farm.ReadLogAsync(id, "Use", "show"));
        Assert.Equal(
            [
                ("AgentClaim", build), ("AgentClaim", build), ("AgentHeartbeat", build), ("AgentFinish", build),
                ("AgentShipLog", build), ("AgentUploadArtifact", build), ("AgentDownloadArtifact", build),
                ("AgentFinish", approval), ("AgentShipLog", approval),
            ],
            audit.AsEnumerable().Reverse().Select(e => (e.Action, e.Target)));
    }

    [Fact]
    public async Task Hello_and_heartbeat_that_name_more_attempts_than_slots_are_refused()
    {
        var client = new AgentSessions.AgentSessionsClient(farm.With(await farm.EnrollAsync("e2e-boaster")));

        var tooManyAtHello = await RefusedAsync(async () =>
        {
            using var session = client.Connect();
            var hello = new Hello { ProtocolVersion = 1, AgentId = "e2e-boaster", Version = "e2e", Slots = 1 };
            hello.RunningAttemptIds.Add(["x-1.1", "x-1.2"]);
            await session.RequestStream.WriteAsync(new AgentMessage { Hello = hello });
            await NextAsync(session);
        });
        var tooManyInHeartbeat = await RefusedAsync(async () =>
        {
            using var session = client.Connect();
            var hello = new Hello { ProtocolVersion = 1, AgentId = "e2e-boaster", Version = "e2e", Slots = 1 };
            hello.Labels.Add("boaster");
            await session.RequestStream.WriteAsync(new AgentMessage { Hello = hello });
            await NextAsync(session);
            var heartbeat = new Heartbeat();
            heartbeat.RunningAttemptIds.Add(["x-1.1", "x-1.2"]);
            await session.RequestStream.WriteAsync(new AgentMessage { Heartbeat = heartbeat });
            await NextAsync(session);
        });

        Assert.Equal(StatusCode.InvalidArgument, tooManyAtHello.StatusCode);
        Assert.StartsWith("hello.running_attempt_ids names 2 attempts, but the agent has 1 slots", tooManyAtHello.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, tooManyInHeartbeat.StatusCode);
        Assert.StartsWith("heartbeat.running_attempt_ids names 2 attempts, but the agent has 1 slots", tooManyInHeartbeat.Status.Detail);
    }

    /// <summary>The controller's next message on the session, or a TimeoutException; an ended session is an IOException.</summary>
    private static async Task<ControllerMessage> NextAsync(AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> session)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await session.ResponseStream.MoveNext(timeout.Token)
            ? session.ResponseStream.Current
            : throw new IOException("The controller ended the session without a status.");
    }

    private static async Task<RpcException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private static async Task ShipLogAsync(AgentSessions.AgentSessionsClient client, string attemptId)
    {
        using var call = client.ShipLog();
        await call.RequestStream.WriteAsync(new LogUpload { AttemptId = attemptId });
        await call.ResponseStream.MoveNext();
    }

    private static async Task UploadAsync(AgentSessions.AgentSessionsClient client, string attemptId)
    {
        using var call = client.UploadArtifact();
        await call.RequestStream.WriteAsync(new ArtifactUpload { AttemptId = attemptId, Sha256 = SomeArchive, Size = 1 });
        await call.ResponseAsync;
    }

    private static async Task DownloadAsync(AgentSessions.AgentSessionsClient client, string attemptId)
    {
        using var call = client.DownloadArtifactBlob(new ArtifactBlobRequest { AttemptId = attemptId, Sha256 = SomeArchive });
        await call.ResponseStream.MoveNext();
    }
}
