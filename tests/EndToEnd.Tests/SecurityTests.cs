using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// Tokens with roles, the audit log, and agents that enroll, get revoked and are refused, against
/// the shared farm: its controller made an admin token at first start, and its agents enrolled.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class SecurityTests(FarmHost farm)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Calls_without_a_token_or_with_an_unknown_one_are_refused()
    {
        var none = await Assert.ThrowsAsync<RpcException>(() =>
            new Api.V1.Pipelines.PipelinesClient(farm.Channel).ListPipelinesAsync(new ListPipelinesRequest()).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() =>
            new Api.V1.Pipelines.PipelinesClient(farm.With("nope")).ListPipelinesAsync(new ListPipelinesRequest()).ResponseAsync);
        var cli = await farm.RunCliAsync(["pipelines"], ("FARM_TOKEN", ""));

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Contains("set FARM_TOKEN", none.Status.Detail);
        Assert.Equal((StatusCode.Unauthenticated, "The token was not accepted: it is unknown or revoked."), (wrong.StatusCode, wrong.Status.Detail));
        Assert.Equal(1, cli.ExitCode);
        Assert.Contains("set FARM_TOKEN", cli.Stderr);
    }

    [Fact]
    public async Task Viewer_cannot_start_or_approve_and_the_audit_log_names_the_tokens_that_did()
    {
        var viewer = (await farm.Admin.CreateTokenAsync(new CreateTokenRequest { Name = "e2e-viewer", Role = "viewer" })).Token;
        var op = (await farm.Admin.CreateTokenAsync(new CreateTokenRequest { Name = "e2e-operator", Role = "operator" })).Token;
        var approver = (await farm.Admin.CreateTokenAsync(new CreateTokenRequest { Name = "e2e-approver", Role = "approver" })).Token;
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest
        {
            Definition = "name: audited\nstages:\n  - name: Gate\n    actions:\n      - name: sign-off\n        type: approval\n",
        });
        var asViewer = new Executions.ExecutionsClient(farm.With(viewer));
        var asOperator = new Executions.ExecutionsClient(farm.With(op));

        var viewerStart = await Assert.ThrowsAsync<RpcException>(() =>
            asViewer.StartExecutionAsync(new StartExecutionRequest { Pipeline = "audited" }).ResponseAsync);
        var started = await farm.RunCliAsync(["start", "audited"], ("FARM_TOKEN", op), ("FARM_USER", "carol@test"));
        var id = started.Stdout.Trim();
        await farm.WatchAsync(id, e => e.Action("Gate", "sign-off").Approval is { Deadline: not null });
        var decide = new DecideApprovalRequest { ExecutionId = id, Stage = "Gate", Action = "sign-off", Approve = true };
        var viewerApproves = await Assert.ThrowsAsync<RpcException>(() => asViewer.DecideApprovalAsync(decide).ResponseAsync);
        var operatorApproves = await Assert.ThrowsAsync<RpcException>(() => asOperator.DecideApprovalAsync(decide).ResponseAsync);
        var approved = await farm.RunCliAsync(["approve", id, "Gate/sign-off", "--comment", "ok"], ("FARM_TOKEN", approver), ("FARM_USER", "dave@test"));
        var done = await farm.WatchAsync(id);
        var audit = await farm.RunCliAsync(["audit", "--limit", "1000"]);

        Assert.Equal((StatusCode.PermissionDenied, "Token 'e2e-viewer' has the viewer role; /farm.v1.Executions/StartExecution needs the operator or admin role."),
            (viewerStart.StatusCode, viewerStart.Status.Detail));
        Assert.Equal(0, started.ExitCode);
        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (viewerApproves.StatusCode, operatorApproves.StatusCode));
        Assert.Equal(0, approved.ExitCode);
        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal("e2e-operator (carol@test)", done.TriggeredBy);
        Assert.Equal("e2e-approver (dave@test)", done.Action("Gate", "sign-off").Approval.DecidedBy);
        Assert.Equal(0, audit.ExitCode);
        var lines = audit.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("e2e-operator (carol@test)") && l.Contains("StartExecution") && l.Contains(id));
        Assert.Contains(lines, l => l.Contains("e2e-approver (dave@test)") && l.Contains("DecideApproval") && l.Contains($"{id}/Gate/sign-off") && l.Contains("approved: ok"));
        Assert.Contains(lines, l => l.Contains("CreateToken") && l.Contains("e2e-viewer") && l.Contains("viewer"));
    }

    [Fact]
    public async Task Revoked_agent_loses_its_session_and_cannot_connect_or_enroll_again()
    {
        const string id = "e2e-revokee";
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1 });
        var output = new List<string>();
        farm.StartAgent(id, enroll.Token, output, "linux", "revokee");
        var connected = await AgentAsync(id, a => a.Connected);
        var credentialFile = Path.Combine(farm.AgentWorkDir(id), "credential");
        var credential = (await File.ReadAllTextAsync(credentialFile)).Trim();

        await farm.Admin.RevokeAgentAsync(new RevokeAgentRequest { AgentId = id, Reason = "lost laptop" });
        var gone = await AgentAsync(id, a => !a.Connected);
        var reconnect = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            // Refused as the call opens, before any message: a write could race the refusal.
            using var call = new AgentSessions.AgentSessionsClient(farm.With(credential)).Connect();
            await call.ResponseStream.MoveNext();
        });
        var again = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1 });
        var reenroll = await Assert.ThrowsAsync<RpcException>(() =>
            new AgentSessions.AgentSessionsClient(farm.With(again.Token)).EnrollAsync(new EnrollRequest { AgentId = id }).ResponseAsync);

        Assert.Equal(["linux", "revokee"], connected.Labels.Order());
        Assert.StartsWith("agent.e2e-revokee.", credential);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentialFile));
        }

        Assert.NotNull(gone.RevokedAt);
        Assert.Equal(StatusCode.PermissionDenied, reconnect.StatusCode);
        Assert.StartsWith($"Agent '{id}' was revoked", reconnect.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, reenroll.StatusCode);
    }

    [Fact]
    public async Task Expired_or_used_up_enrollment_tokens_are_refused()
    {
        var shortLived = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { ExpiresInSeconds = 1 });
        var once = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1 });
        var wait = shortLived.ExpiresAt.ToDateTimeOffset() - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100);
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);

        var expired = await Assert.ThrowsAsync<RpcException>(() =>
            new AgentSessions.AgentSessionsClient(farm.With(shortLived.Token)).EnrollAsync(new EnrollRequest { AgentId = "e2e-late" }).ResponseAsync);
        var first = await new AgentSessions.AgentSessionsClient(farm.With(once.Token)).EnrollAsync(new EnrollRequest { AgentId = "e2e-once" });
        var second = await Assert.ThrowsAsync<RpcException>(() =>
            new AgentSessions.AgentSessionsClient(farm.With(once.Token)).EnrollAsync(new EnrollRequest { AgentId = "e2e-twice" }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, expired.StatusCode);
        Assert.Contains($"enrollment token {shortLived.Id} expired", expired.Status.Detail);
        Assert.StartsWith("agent.e2e-once.", first.Credential);
        Assert.Equal(StatusCode.Unauthenticated, second.StatusCode);
        Assert.Contains("used up", second.Status.Detail);
    }

    [Fact]
    public async Task Enrolled_agent_id_is_not_taken_over_and_an_admins_replacement_token_re_enrolls_it_once_keeping_its_labels()
    {
        const string id = "e2e-reenrollee";
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 2 });
        farm.StartAgent(id, enroll.Token, null, "linux", "reenrollee");
        await AgentAsync(id, a => a.Connected);
        await farm.Admin.SetAgentLabelsAsync(new SetAgentLabelsRequest { AgentId = id, Labels = { "linux", "zone=eu" } });
        var sessions = new AgentSessions.AgentSessionsClient(farm.With(enroll.Token));

        var takeover = await Assert.ThrowsAsync<RpcException>(() => sessions.EnrollAsync(new EnrollRequest { AgentId = id }).ResponseAsync);
        var created = await farm.RunCliAsync(["enroll-token", "create", "--replace", id]);
        var replacement = created.Stdout.Trim();
        var renewed = await new AgentSessions.AgentSessionsClient(farm.With(replacement)).EnrollAsync(new EnrollRequest { AgentId = id });
        var oldSessionEnded = await AgentAsync(id, a => !a.Connected);
        var reused = await Assert.ThrowsAsync<RpcException>(() =>
            new AgentSessions.AgentSessionsClient(farm.With(replacement)).EnrollAsync(new EnrollRequest { AgentId = id }).ResponseAsync);
        var audit = await farm.Admin.ListAuditAsync(new ListAuditRequest { Limit = 1000 });

        Assert.Equal(StatusCode.PermissionDenied, takeover.StatusCode);
        Assert.Contains($"Agent id '{id}' is enrolled already", takeover.Status.Detail);
        Assert.Contains($"farm enroll-token create --replace {id}", takeover.Status.Detail);
        Assert.Equal(0, created.ExitCode);
        Assert.Contains($"re-enrolls agent {id} once", created.Stderr);
        Assert.StartsWith($"agent.{id}.", renewed.Credential);
        Assert.Equal(["linux", "zone=eu"], oldSessionEnded.ControllerLabels.Order());
        Assert.Equal(StatusCode.Unauthenticated, reused.StatusCode);
        var enrolls = audit.Entries.Where(e => e.Action == "Enroll" && e.Target == id).Select(e => e.Detail).ToList();
        Assert.Contains("enrolled", enrolls);
        Assert.Contains(enrolls, d => d.StartsWith("refused (PermissionDenied): Agent id", StringComparison.Ordinal));
        Assert.Contains(enrolls, d => d.StartsWith("refused (Unauthenticated):", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enrollment_token_revoked_with_the_cli_is_refused_and_listed_as_revoked()
    {
        var created = await farm.RunCliAsync(["enroll-token", "create", "--uses", "3", "--json"]);
        var id = System.Text.Json.JsonDocument.Parse(created.Stdout).RootElement.GetProperty("id").GetString()!;
        var token = System.Text.Json.JsonDocument.Parse(created.Stdout).RootElement.GetProperty("token").GetString()!;

        var listedBefore = await farm.RunCliAsync(["enroll-token", "list"]);
        var revoked = await farm.RunCliAsync(["enroll-token", "revoke", id]);
        var again = await farm.RunCliAsync(["enroll-token", "revoke", id]);
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new AgentSessions.AgentSessionsClient(farm.With(token)).EnrollAsync(new EnrollRequest { AgentId = "e2e-after-revoke" }).ResponseAsync);
        var listedAfter = await farm.RunCliAsync(["enroll-token", "list"]);
        var audit = await farm.Admin.ListAuditAsync(new ListAuditRequest { Limit = 1000 });

        Assert.Equal(0, created.ExitCode);
        Assert.Matches($"(?m)^{id} +working +3 ", listedBefore.Stdout);
        Assert.Equal((0, $"revoked enrollment token {id}"), (revoked.ExitCode, revoked.Stdout.Trim()));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("revoked already", again.Stderr);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.StartsWith($"The enrollment token {id} was revoked at ", refused.Status.Detail);
        Assert.Matches($"(?m)^{id} +revoked +3 ", listedAfter.Stdout);
        Assert.Contains(audit.Entries, e => e.Action == "RevokeEnrollToken" && e.Target == id);
        Assert.Contains(audit.Entries, e => e.Action == "Enroll" && e.Target == "e2e-after-revoke" && e.Detail.StartsWith("refused (Unauthenticated)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shell_action_printing_its_environment_shows_no_farm_setting_enrollment_token_or_credential()
    {
        var credential = (await File.ReadAllTextAsync(Path.Combine(farm.AgentWorkDir("e2e-agent"), "credential"))).Trim();
        var id = await farm.ApplyAndStartAsync("""
            name: prints-env
            stages:
              - name: Show
                actions:
                  - { name: env, type: shell, runsOn: [ first ], commands: [ "env" ] }
            """);

        var done = await farm.WatchAsync(id);
        var log = await farm.ReadLogAsync(id, "Show", "env");

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Contains("PATH=", log);
        Assert.DoesNotContain("farm__", log, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(credential, log);
        Assert.DoesNotContain(credential[..credential.LastIndexOf('.')], log);
    }

    /// <summary>Polls ListAgents until the agent is there and <paramref name="until"/> holds; fails after a minute.</summary>
    private async Task<AgentInfo> AgentAsync(string id, Func<AgentInfo, bool> until)
    {
        AgentInfo? last = null;
        await Eventually.Until(async cancellation =>
        {
            var agents = await farm.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: cancellation);
            last = agents.Agents.FirstOrDefault(a => a.AgentId == id);
            return last is not null && until(last);
        }, Patience, () => $"agent {id}: {last}\n{farm.ControllerOutput()}");
        return last!;
    }
}
