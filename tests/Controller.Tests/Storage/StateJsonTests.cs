using System.Text.Json;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Controller.Storage;
using Farm.Core.Executions;

namespace Farm.Controller.Tests.Storage;

/// <summary>Stored state holds what reads back, and reads back to what was stored.</summary>
public sealed class StateJsonTests
{
    private const string Source = """
        name: rows
        stages:
          - name: build
            actions:
              - name: compile
                type: shell
                commands: ['echo "<built>"']
              - name: lint
                type: shell
                commands: ["true"]
        """;

    [Fact]
    public void Null_and_computed_members_are_left_out_and_the_row_reads_back_the_same()
    {
        var run = ExecutionMachine.Create("rows-1", StoredSource.Definition(Source), 1, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        var state = new ExecutionState { Run = ExecutionMachine.Enter(run, 0, DateTimeOffset.UnixEpoch), Number = 1 };

        var json = JsonSerializer.Serialize(state, StateJson.Options);
        var back = JsonSerializer.Deserialize<ExecutionState>(json, StateJson.Options)!;

        Assert.DoesNotContain("\"finishedAt\"", json);
        Assert.DoesNotContain("\"source\"", json);
        Assert.DoesNotContain("\"isFinished\"", json);
        Assert.DoesNotContain("\"currentStage\"", json);
        Assert.Contains("\"startedAt\"", json);
        Assert.Null(back.Run!.FinishedAt);
        Assert.Equal(0, back.Run.CurrentStage);
        Assert.Equal(json, JsonSerializer.Serialize(back, StateJson.Options));
    }

    [Fact]
    public void Text_is_stored_unescaped_and_reads_back()
    {
        var json = JsonSerializer.Serialize(new ExecutionSource { Text = Source }, StateJson.Options);

        Assert.Contains("\\\"<built>\\\"", json, StringComparison.Ordinal);
        Assert.Equal(Source, JsonSerializer.Deserialize<ExecutionSource>(json, StateJson.Options)!.Text);
    }

    [Fact]
    public void An_action_changed_since_the_last_save_is_written_anew_and_the_others_as_before()
    {
        var definition = StoredSource.Definition(Source);
        var entered = ExecutionMachine.Enter(
            ExecutionMachine.Create("rows-2", definition, 1, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch), 0, DateTimeOffset.UnixEpoch);
        var compile = ExecutionMachine.ReadyActions(entered)[0];
        Assert.True(ActionResolver.TryResolve(definition.Stages[0].Actions[0], entered, new Dictionary<string, string>(), out _, out var resolved, out _, out _));
        var queued = ExecutionMachine.Queue(entered, compile, resolved!, out var attemptId);

        var before = JsonSerializer.Serialize(new ExecutionState { Run = queued, Number = 2 }, StateJson.Options);
        var started = ExecutionMachine.Started(queued, attemptId, "builder-7", DateTimeOffset.UnixEpoch);
        var after = JsonSerializer.Serialize(new ExecutionState { Run = started, Number = 2 }, StateJson.Options);
        // Read back, every action is a new object that no save has seen.
        var fresh = JsonSerializer.Serialize(JsonSerializer.Deserialize<ExecutionState>(after, StateJson.Options), StateJson.Options);

        Assert.DoesNotContain("builder-7", before);
        Assert.Contains("\"agent\":\"builder-7\"", after);
        Assert.Equal(fresh, after);
    }
}
