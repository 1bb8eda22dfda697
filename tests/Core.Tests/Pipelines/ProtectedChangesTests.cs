using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

/// <summary>Which stages are protected, and what a new version changes in them.</summary>
public sealed class ProtectedChangesTests
{
    private const string Gated = """
        name: ship
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
            protected: true
            actions:
              - name: push
                type: shell
                commands: [ ./deploy.sh ]
        """;

    private static PipelineDefinition Parse(string yaml)
    {
        var result = PipelineParser.Parse(yaml);
        Assert.Empty(result.Errors);
        return result.Pipeline!;
    }

    private static IReadOnlyList<string> Changes(string edited) => ProtectedChanges.Between(Parse(Gated), Parse(edited));

    [Fact]
    public void Approval_stages_and_stages_marked_protected_are_protected_others_not()
    {
        var pipeline = Parse(Gated);

        Assert.Equal([false, true, true], pipeline.Stages.Select(s => s.Protected));
        Assert.False(pipeline.Protected);
    }

    [Fact]
    public void Approval_stage_cannot_opt_out_of_protection()
    {
        var result = PipelineParser.Parse(Gated.Replace("  - name: Approve\n", "  - name: Approve\n    protected: false\n", StringComparison.Ordinal));

        var error = Assert.Single(result.Errors);
        Assert.Equal((9, 16), (error.Line, error.Column));
        Assert.Equal(
            "'protected: false' in stage 'Approve' cannot hold: stage 'Approve' has approval action 'release', and a stage with an approval is always protected, so only an approver or admin may change or remove it; remove 'protected: false'.",
            error.Message);
    }

    [Fact]
    public void Protected_must_be_true_or_false()
    {
        var error = Assert.Single(PipelineParser.Parse(Gated.Replace("protected: true", "protected: maybe", StringComparison.Ordinal)).Errors);

        Assert.Equal("'protected' in stage 'Deploy' must be true or false, not 'maybe'.", error.Message);
    }

    [Fact]
    public void Removing_the_approval_stage_is_a_protected_change()
    {
        var edited = Gated.Replace("""
              - name: Approve
                actions:
                  - name: release
                    type: approval
                    message: Ship it?

            """, "", StringComparison.Ordinal);

        Assert.Equal(
            ["stage 'Approve': removed", "stage 'Deploy': the stages before it were Build, Approve, now Build"],
            Changes(edited));
    }

    [Fact]
    public void Changed_settings_added_and_removed_actions_are_listed_by_stage()
    {
        var edited = Gated
            .Replace("message: Ship it?", "message: Ship it now?\n        timeout: 2h", StringComparison.Ordinal)
            .Replace("commands: [ ./deploy.sh ]", "commands: [ ./deploy.sh --force ]\n      - name: notify\n        type: shell\n        commands: [ echo done ]", StringComparison.Ordinal);

        Assert.Equal(
            [
                "stage 'Approve': action 'release': timeout changed from \"7.00:00:00\" to \"02:00:00\"",
                "stage 'Approve': action 'release': approval.message changed from \"Ship it?\" to \"Ship it now?\"",
                "stage 'Deploy': action 'push': commands changed from [\"./deploy.sh\"] to [\"./deploy.sh --force\"]",
                "stage 'Deploy': action 'notify' added",
            ],
            Changes(edited));
    }

    [Fact]
    public void Clearing_the_flag_and_moving_a_stage_in_front_of_the_gate_are_protected_changes()
    {
        var edited = """
            name: ship
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

        Assert.Equal(
            [
                "stage 'Approve': the stages before it were Build, now Build, Deploy",
                "stage 'Deploy': no longer protected",
                "stage 'Deploy': the stages before it were Build, Approve, now Build",
            ],
            Changes(edited));
    }

    [Fact]
    public void Changes_to_unprotected_stages_comments_and_formatting_are_not_protected_changes()
    {
        var edited = "# reformatted\n" + Gated
            .Replace("commands: [ make ]", "commands: [ make, make test ]", StringComparison.Ordinal)
            .Replace("message: Ship it?", "message: 'Ship it?'", StringComparison.Ordinal)
            + "\n  - name: Smoke\n    actions:\n      - name: curl\n        type: shell\n        commands: [ curl -f localhost ]\n";

        Assert.Empty(Changes(edited));
    }

    [Fact]
    public void In_a_protected_pipeline_every_stage_and_setting_is_protected()
    {
        var before = Parse("protected: true\n" + Gated);
        var after = Parse("protected: true\nexecutionMode: queued\n" + Gated
            .Replace("commands: [ make ]", "commands: [ make, make test ]", StringComparison.Ordinal)
            + "\n  - name: Smoke\n    actions:\n      - name: curl\n        type: shell\n        commands: [ curl -f localhost ]\n");

        Assert.True(before.Stages.All(s => s.Protected));
        Assert.Equal(
            [
                "pipeline: executionMode changed from \"superseded\" to \"queued\"",
                "stage 'Smoke': added",
                "stage 'Build': action 'compile': commands changed from [\"make\"] to [\"make\",\"make test\"]",
            ],
            ProtectedChanges.Between(before, after));
    }

    [Fact]
    public void Lifting_pipeline_protection_is_a_protected_change()
    {
        var changes = ProtectedChanges.Between(Parse("protected: true\n" + Gated), Parse(Gated));

        Assert.Equal(["pipeline: no longer protected", "stage 'Build': no longer protected"], changes);
    }

    [Fact]
    public void A_new_pipeline_has_no_protected_changes()
    {
        Assert.Empty(ProtectedChanges.Between(null, Parse(Gated)));
    }
}
