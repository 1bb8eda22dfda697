using Farm.Api.V1;
using Farm.Cli.Progress;
using static Farm.Cli.Tests.Progress.States;

namespace Farm.Cli.Tests.Progress;

/// <summary>Progress lines for stopping, stopped, superseded, abandoned and skipped, waits before stages and stage retries.</summary>
public sealed class ExecutionProgressStatusTests
{
    [Fact]
    public void Stop_prints_stopping_once_then_the_stopped_action_and_execution()
    {
        // Arrange
        var progress = new ExecutionProgress();
        progress.Advance(Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit")));
        var stopping = Execution(ExecutionStatus.Stopping, Running("compile", "host-1"), Pending("unit"), "stopped by alice: wrong branch");
        var stopped = Execution(ExecutionStatus.Stopped, Ended("compile", ExecutionStatus.Succeeded, "host-1", 2, exitCode: 0),
            Pending("unit"), "stopped by alice: wrong branch");
        stopped.Stages[1].Status = ExecutionStatus.Stopped;

        // Act
        var first = progress.Advance(stopping);
        var again = progress.Advance(stopping.Clone());
        var last = progress.Advance(stopped);

        // Assert
        Assert.Equal(["■ build-7 stopping: stopped by alice: wrong branch"], first);
        Assert.Empty(again);
        Assert.Equal(["  ✓ compile (2.0s, agent host-1)", "■ build-7 stopped after 1m15s: stopped by alice: wrong branch"], last);
    }

    [Fact]
    public void Abandoned_action_is_marked_and_a_pending_one_is_not()
    {
        var progress = new ExecutionProgress();
        progress.Advance(Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit")));
        var unit = Pending("unit");
        unit.Status = ExecutionStatus.Abandoned;

        var lines = progress.Advance(Execution(ExecutionStatus.Stopped,
            Ended("compile", ExecutionStatus.Abandoned, "host-1", 4, message: "cancelled by a stop"), unit));

        Assert.Equal(["  ⊘ compile abandoned (4.0s, agent host-1): cancelled by a stop", "■ build-7 stopped after 1m15s"], lines);
    }

    [Fact]
    public void Action_stopped_after_it_ran_is_marked_stopped()
    {
        var progress = new ExecutionProgress();

        var lines = progress.Advance(Execution(ExecutionStatus.Stopping,
            Ended("compile", ExecutionStatus.Stopped, "host-1", 1.5), Pending("unit")));

        Assert.Equal(["▶ Build", "  ■ compile stopped (1.5s, agent host-1)", "■ build-7 stopping"], lines);
    }

    [Fact]
    public void Superseded_execution_ends_with_its_message()
    {
        var progress = new ExecutionProgress();
        var state = Execution(ExecutionStatus.Superseded, Ended("compile", ExecutionStatus.Succeeded, "host-1", 1, exitCode: 0),
            Pending("unit"), "superseded by build-8 before entering Test");

        var lines = progress.Advance(state);

        Assert.Equal(
            ["▶ Build", "  ✓ compile (1.0s, agent host-1)", "⤳ build-7 superseded after 1m15s: superseded by build-8 before entering Test"],
            lines);
    }

    [Fact]
    public void Skipped_stage_is_announced_as_skipped_with_its_reason_and_not_as_started()
    {
        var progress = new ExecutionProgress();
        var state = Execution(ExecutionStatus.InProgress, Pending("compile"), Running("unit", "host-2"));
        state.Stages[0].Status = ExecutionStatus.Skipped;
        state.Stages[0].Actions[0].Status = ExecutionStatus.Skipped;
        state.Stages[0].Message = "a rollback runs Test only";

        var lines = progress.Advance(state);
        var again = progress.Advance(state.Clone());

        Assert.Equal(["↷ Build skipped: a rollback runs Test only", "▶ Test", "  ⋯ unit running on host-2"], lines);
        Assert.Empty(again);
    }

    [Fact]
    public void Stage_that_failed_before_running_anything_says_why()
    {
        var progress = new ExecutionProgress();
        var state = Execution(ExecutionStatus.Failed, Ended("compile", ExecutionStatus.Succeeded, "host-1", 1, exitCode: 0), Pending("unit"),
            "Stage Test failed.");
        state.Stages[1].Status = ExecutionStatus.Failed;
        state.Stages[1].Message = "beforeEntry: branch is not main";

        var lines = progress.Advance(state);

        Assert.Equal(
            ["▶ Build", "  ✓ compile (1.0s, agent host-1)", "✗ Test: beforeEntry: branch is not main", "✗ build-7 failed after 1m15s: Stage Test failed."],
            lines);
    }

    [Fact]
    public void Waiting_for_a_stage_prints_once_per_reason()
    {
        // Arrange
        var progress = new ExecutionProgress();
        var done = Ended("compile", ExecutionStatus.Succeeded, "host-1", 1, exitCode: 0);
        var busy = Execution(ExecutionStatus.InProgress, done, Pending("unit"));
        busy.WaitingForStage = "Test";
        busy.WaitingReason = "stage busy with build-6";
        var disabled = busy.Clone();
        disabled.WaitingReason = "transition disabled: release freeze";
        var entered = Execution(ExecutionStatus.InProgress, done.Clone(), Running("unit", "host-2"));

        // Act
        var first = progress.Advance(busy);
        var same = progress.Advance(busy.Clone());
        var changed = progress.Advance(disabled);
        var running = progress.Advance(entered);

        // Assert
        Assert.Equal(["▶ Build", "  ✓ compile (1.0s, agent host-1)", "… waiting for Test: stage busy with build-6"], first);
        Assert.Empty(same);
        Assert.Equal(["… waiting for Test: transition disabled: release freeze"], changed);
        Assert.Equal(["▶ Test", "  ⋯ unit running on host-2"], running);
    }

    [Fact]
    public void Retried_stage_is_announced_as_a_new_entry_with_the_new_attempts()
    {
        // Arrange: Test failed, then a retry enters it again and runs unit a second time.
        var progress = new ExecutionProgress();
        var compile = Ended("compile", ExecutionStatus.Succeeded, "host-1", 1, exitCode: 0);
        var failed = Execution(ExecutionStatus.Failed, compile, Ended("unit", ExecutionStatus.Failed, "host-2", 3, exitCode: 1), "Stage Test failed.");
        progress.Advance(failed);
        var retried = Execution(ExecutionStatus.InProgress, compile.Clone(), Running("unit", "host-3", attempt: 2));
        retried.Stages[1].Entries = 2;
        var succeeded = Execution(ExecutionStatus.Succeeded, compile.Clone(), Ended("unit", ExecutionStatus.Succeeded, "host-3", 2, exitCode: 0, attempt: 2));
        succeeded.Stages[1].Entries = 2;

        // Act
        var entry = progress.Advance(retried);
        var end = progress.Advance(succeeded);

        // Assert
        Assert.Equal(["▶ Test (entry 2)", "  ⋯ unit running on host-3 (attempt 2)"], entry);
        Assert.Equal(["  ✓ unit (2.0s, agent host-3, attempt 2)", "✓ build-7 succeeded in 1m15s"], end);
    }
}
