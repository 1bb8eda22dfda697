using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Controller.Tests.Pipelines;

/// <summary>
/// Approval gates are protected: an operator cannot remove or change one by applying the pipeline
/// again; an approver can, and the change is audited with what changed.
/// </summary>
public sealed class ProtectedStageTests(ControllerHost farm) : IClassFixture<ControllerHost>
{
    private static string Gated(string name) => $$"""
        name: {{name}}
        stages:
          - name: Build
            actions:
              - name: compile
                type: shell
                commands: [ make ]
          - name: Approve
            actions:
              - name: release
                type: approval
                message: Ship it?
          - name: Deploy
            actions:
              - name: push
                type: shell
                commands: [ ./deploy.sh ]

        """;

    private static string WithoutGate(string name) => Gated(name).Replace("""
          - name: Approve
            actions:
              - name: release
                type: approval
                message: Ship it?

        """, "", StringComparison.Ordinal);

    private async Task<Api.V1.Pipelines.PipelinesClient> AsAsync(string name, string role) => new(await farm.TokenAsync(name, role));

    [Fact(Timeout = 60_000)]
    public async Task Operator_removing_the_approval_gate_is_refused_and_the_stored_version_stays()
    {
        // Arrange
        var operatorCalls = await AsAsync("ops-remover", "operator");
        await operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Gated("gate-removed") });

        // Act
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = WithoutGate("gate-removed") }).ResponseAsync);

        // Assert
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(
            "Token 'ops-remover' has the operator role, and this file changes protected parts of pipeline 'gate-removed', which only an approver or admin may change; "
            + "nothing was stored. Ask an approver to apply it, or leave these as they are:" + Environment.NewLine
            + "  stage 'Approve': removed",
            refused.Status.Detail);
        var stored = await operatorCalls.GetPipelineAsync(new GetPipelineRequest { Name = "gate-removed" });
        Assert.Equal((1, Gated("gate-removed")), (stored.LatestVersion, stored.Definition));
    }

    [Fact(Timeout = 60_000)]
    public async Task Operator_moving_the_deploy_in_front_of_the_gate_is_refused()
    {
        // Arrange: the gate itself is untouched, but the deploy would run before it.
        var operatorCalls = await AsAsync("ops-mover", "operator");
        await operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Gated("gate-moved") });
        const string moved = """
            name: gate-moved
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: shell
                    commands: [ make ]
              - name: Deploy
                actions:
                  - name: push
                    type: shell
                    commands: [ ./deploy.sh ]
              - name: Approve
                actions:
                  - name: release
                    type: approval
                    message: Ship it?
            """;

        // Act
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = moved }).ResponseAsync);

        // Assert
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.EndsWith(Environment.NewLine + "  stage 'Approve': the stages before it were Build, now Build, Deploy", refused.Status.Detail);
        Assert.Equal(1, (await operatorCalls.GetPipelineAsync(new GetPipelineRequest { Name = "gate-moved" })).LatestVersion);
    }

    [Fact(Timeout = 60_000)]
    public async Task Approver_change_of_the_gate_is_stored_and_audited_with_what_changed()
    {
        // Arrange
        var operatorCalls = await AsAsync("ops-author", "operator");
        var approverCalls = await AsAsync("release-manager", "approver");
        await operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Gated("gate-changed") });
        var changed = Gated("gate-changed").Replace("message: Ship it?", "message: Ship it to production?", StringComparison.Ordinal);

        // Act
        var applied = await approverCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = changed });

        // Assert
        const string change = "stage 'Approve': action 'release': approval.message changed from \"Ship it?\" to \"Ship it to production?\"";
        Assert.Equal((2, false), (applied.Version, applied.Unchanged));
        Assert.Equal([change], applied.ProtectedChanges);
        var audit = await new Api.V1.Admin.AdminClient(farm.Admin).ListAuditAsync(new ListAuditRequest { Limit = 100 });
        var entry = Assert.Single(audit.Entries, e => e.Target == "gate-changed" && e.Detail.StartsWith("version 2", StringComparison.Ordinal));
        Assert.Equal(("release-manager", "ApplyPipeline", "version 2; protected changes: " + change), (entry.Actor, entry.Action, entry.Detail));
        var stored = await approverCalls.GetPipelineAsync(new GetPipelineRequest { Name = "gate-changed" });
        Assert.Equal((2, changed), (stored.Version, stored.Definition));
    }

    [Fact(Timeout = 60_000)]
    public async Task Operator_change_of_an_unprotected_stage_is_stored_as_before()
    {
        var operatorCalls = await AsAsync("ops-builder", "operator");
        await operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Gated("gate-kept") });
        var changed = Gated("gate-kept").Replace("commands: [ make ]", "commands: [ make, make test ]", StringComparison.Ordinal);

        var applied = await operatorCalls.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = changed });

        Assert.Equal((2, false), (applied.Version, applied.Unchanged));
        Assert.Empty(applied.ProtectedChanges);
        var audit = await new Api.V1.Admin.AdminClient(farm.Admin).ListAuditAsync(new ListAuditRequest { Limit = 100 });
        Assert.Contains(audit.Entries, e => (e.Actor, e.Action, e.Target, e.Detail) == ("ops-builder", "ApplyPipeline", "gate-kept", "version 2"));
    }
}
