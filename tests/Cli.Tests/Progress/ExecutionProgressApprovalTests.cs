using Farm.Api.V1;
using Farm.Cli.Progress;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Tests.Progress;

/// <summary>Progress lines for approval actions: waiting, approved, rejected, timed out.</summary>
public sealed class ExecutionProgressApprovalTests
{
    private static Execution Gated(ExecutionStatus status, ActionExecution signOff, string message = "")
    {
        var gate = new StageExecution { Name = "Gate", Status = signOff.Status };
        gate.Actions.Add(signOff);
        var execution = new Execution { Id = "gated-4", Pipeline = "gated", Status = status, Message = message };
        execution.Stages.Add(gate);
        return execution;
    }

    private static ActionExecution SignOff(ExecutionStatus status, string decision = "", string by = "", string comment = "", string message = "") => new()
    {
        Name = "sign-off", Type = "approval", Status = status, Attempt = 1, AttemptId = "c1", Message = message,
        Approval = new Approval
        {
            Message = "Ship 1.4.2\nto production?", Deadline = Timestamp.FromDateTimeOffset(States.Start.AddDays(7)),
            Decision = decision, DecidedBy = by, Comment = comment,
        },
    };

    [Fact]
    public void Approval_that_starts_waiting_says_what_it_asks_and_how_to_approve_it_once()
    {
        // Arrange
        var progress = new ExecutionProgress();
        var waiting = Gated(ExecutionStatus.InProgress, SignOff(ExecutionStatus.InProgress));

        // Act
        var first = progress.Advance(waiting);
        var again = progress.Advance(waiting.Clone());

        // Assert
        Assert.Equal(["▶ Gate", "  ⏸ sign-off waits for approval: Ship 1.4.2 to production? (farm approve gated-4 Gate/sign-off)"], first);
        Assert.Empty(again);
    }

    [Fact]
    public void Approved_approval_names_the_approver_and_the_comment()
    {
        var progress = new ExecutionProgress();
        progress.Advance(Gated(ExecutionStatus.InProgress, SignOff(ExecutionStatus.InProgress)));

        var lines = progress.Advance(Gated(ExecutionStatus.InProgress,
            SignOff(ExecutionStatus.Succeeded, "approved", "alice", "checked staging")));

        Assert.Equal(["  ✓ sign-off approved by alice: checked staging"], lines);
    }

    [Fact]
    public void Rejected_approval_names_the_rejecter_and_the_comment_then_the_execution_fails()
    {
        var progress = new ExecutionProgress();
        progress.Advance(Gated(ExecutionStatus.InProgress, SignOff(ExecutionStatus.InProgress)));

        var lines = progress.Advance(Gated(ExecutionStatus.Failed,
            SignOff(ExecutionStatus.Failed, "rejected", "bob", "not today", message: "rejected by bob: not today"),
            message: "Action Gate/sign-off failed."));

        Assert.Equal(["  ✗ sign-off rejected by bob: not today", "✗ gated-4 failed: Action Gate/sign-off failed."], lines);
    }

    [Fact]
    public void Approval_without_a_comment_ends_after_the_name()
    {
        var progress = new ExecutionProgress();

        var lines = progress.Advance(Gated(ExecutionStatus.InProgress, SignOff(ExecutionStatus.Succeeded, "approved", "alice@laptop")));

        Assert.Equal(["▶ Gate", "  ✓ sign-off approved by alice@laptop"], lines);
    }

    [Fact]
    public void Approval_that_timed_out_gets_the_ordinary_failure_line()
    {
        var progress = new ExecutionProgress();
        progress.Advance(Gated(ExecutionStatus.InProgress, SignOff(ExecutionStatus.InProgress)));

        var lines = progress.Advance(Gated(ExecutionStatus.InProgress,
            SignOff(ExecutionStatus.Failed, message: "no decision before the deadline")));

        Assert.Equal(["  ✗ sign-off: no decision before the deadline"], lines);
    }

    [Fact]
    public void Approval_in_a_stage_with_a_space_quotes_the_command()
    {
        var progress = new ExecutionProgress();
        var state = Gated(ExecutionStatus.InProgress, SignOff(ExecutionStatus.InProgress));
        state.Stages[0].Name = "Go live";

        var lines = progress.Advance(state);

        Assert.Equal("  ⏸ sign-off waits for approval: Ship 1.4.2 to production? (farm approve gated-4 'Go live/sign-off')", lines[^1]);
    }
}
