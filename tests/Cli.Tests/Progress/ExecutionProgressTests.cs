using Farm.Api.V1;
using Farm.Cli.Progress;
using static Farm.Cli.Tests.Progress.States;

namespace Farm.Cli.Tests.Progress;

public sealed class ExecutionProgressTests
{
    [Fact]
    public void Successive_states_print_each_transition_once_in_order()
    {
        // Arrange
        var progress = new ExecutionProgress();
        var states = new[]
        {
            Execution(ExecutionStatus.InProgress, Queued("compile", message: "waiting for an agent"), Pending("unit")),
            Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit")),
            Execution(ExecutionStatus.InProgress, Ended("compile", ExecutionStatus.Succeeded, "host-1", 1.25, exitCode: 0), Running("unit", "host-2")),
            Execution(ExecutionStatus.Succeeded, Ended("compile", ExecutionStatus.Succeeded, "host-1", 1.25, exitCode: 0),
                Ended("unit", ExecutionStatus.Succeeded, "host-2", 3)),
        };

        // Act
        var lines = states.Select(progress.Advance).ToList();

        // Assert
        Assert.Equal(["▶ Build", "  … compile queued: waiting for an agent"], lines[0]);
        Assert.Equal(["  ⋯ compile running on host-1"], lines[1]);
        Assert.Equal(["  ✓ compile (1.2s, agent host-1)", "▶ Test", "  ⋯ unit running on host-2"], lines[2]);
        Assert.Equal(["  ✓ unit (3.0s, agent host-2)", "✓ build-7 succeeded in 1m15s"], lines[3]);
    }

    [Fact]
    public void Same_state_seen_again_after_a_reconnection_prints_nothing()
    {
        // Arrange
        var progress = new ExecutionProgress();
        var state = Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit"));
        progress.Advance(state);

        // Act
        var again = progress.Advance(state.Clone());

        // Assert
        Assert.Empty(again);
    }

    [Fact]
    public void Failed_action_shows_its_exit_code_and_failed_execution_its_message()
    {
        // Arrange
        var progress = new ExecutionProgress();
        progress.Advance(Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit")));

        // Act
        var lines = progress.Advance(Execution(ExecutionStatus.Failed,
            Ended("compile", ExecutionStatus.Failed, "host-1", 0.4, exitCode: 3), Pending("unit"),
            message: "Action Build/compile failed."));

        // Assert
        Assert.Equal(["  ✗ compile: exited with code 3 (0.4s, agent host-1)", "✗ build-7 failed after 1m15s: Action Build/compile failed."], lines);
    }

    [Fact]
    public void Failed_action_with_a_message_shows_the_message_instead_of_the_exit_code()
    {
        var progress = new ExecutionProgress();

        var lines = progress.Advance(Execution(ExecutionStatus.InProgress,
            Ended("compile", ExecutionStatus.Failed, "host-1", 2, exitCode: 137, message: "timed out after 2s"), Pending("unit")));

        Assert.Equal(["▶ Build", "  ✗ compile: timed out after 2s (2.0s, agent host-1)"], lines);
    }

    [Fact]
    public void Retry_prints_the_new_attempts_transitions_with_its_number()
    {
        // Arrange
        var progress = new ExecutionProgress();
        progress.Advance(Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit")));

        // Act
        var queued = progress.Advance(Execution(ExecutionStatus.InProgress, Queued("compile", 2, "agent host-1 was lost"), Pending("unit")));
        var running = progress.Advance(Execution(ExecutionStatus.InProgress, Running("compile", "host-2", 2), Pending("unit")));
        var ended = progress.Advance(Execution(ExecutionStatus.InProgress,
            Ended("compile", ExecutionStatus.Succeeded, "host-2", 5, exitCode: 0, attempt: 2), Pending("unit")));

        // Assert
        Assert.Equal(["  … compile queued (attempt 2): agent host-1 was lost"], queued);
        Assert.Equal(["  ⋯ compile running on host-2 (attempt 2)"], running);
        Assert.Equal(["  ✓ compile (5.0s, agent host-2, attempt 2)"], ended);
    }

    [Fact]
    public void State_that_skipped_steps_prints_only_what_it_shows()
    {
        var progress = new ExecutionProgress();

        var lines = progress.Advance(Execution(ExecutionStatus.InProgress,
            Ended("compile", ExecutionStatus.Succeeded, "host-1", 61, exitCode: 0), Pending("unit")));

        Assert.Equal(["▶ Build", "  ✓ compile (1m01s, agent host-1)"], lines);
    }

    [Fact]
    public void Stage_skipped_after_a_failure_is_never_announced()
    {
        var progress = new ExecutionProgress();
        var state = Execution(ExecutionStatus.Failed, Ended("compile", ExecutionStatus.Failed, "host-1", 1, exitCode: 1), Pending("unit"), "failed");
        state.Stages[1].Status = ExecutionStatus.Failed;

        var lines = progress.Advance(state);

        Assert.DoesNotContain("▶ Test", lines);
        Assert.Equal("✗ build-7 failed after 1m15s: failed", lines[^1]);
    }

    [Fact]
    public void Execution_without_stages_that_succeeds_prints_only_the_final_line()
    {
        var progress = new ExecutionProgress();
        var state = Execution(ExecutionStatus.Succeeded, Pending("compile"), Pending("unit"));
        state.Stages.Clear();

        Assert.Equal(["✓ build-7 succeeded in 1m15s"], progress.Advance(state));
        Assert.Empty(progress.Advance(state));
    }
}
