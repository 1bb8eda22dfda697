using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

[Collection(FarmCollection.Name)]
public sealed class PipelineRunTests(FarmHost farm)
{
    private static readonly string Image = FarmHost.Image;

    [Fact]
    public async Task Three_stages_run_in_order_with_parallel_actions_and_exact_logs()
    {
        var yaml = $$"""
            name: three-stages
            variables:
              - name: who
                default: nobody
            stages:
              - name: Build
                actions:
                  - name: compile
                    type: container
                    image: {{Image}}
                    env: { MODE: release }
                    runsOn: [linux]
                    commands:
                      - 'echo "compiling for #{variables.who} in $MODE"'
                      - 'printf ''tab\there, unicode: \303\251t\303\251\n'''
                      - echo "pwd=$(pwd) execution=$FARM_EXECUTION_ID"
                      - printf 'last line without newline'
              - name: Test
                actions:
                  - name: unit
                    type: container
                    image: {{Image}}
                    runOrder: 1
                    commands: [ "sleep 2", "echo unit done" ]
                  - name: lint
                    type: container
                    image: {{Image}}
                    runOrder: 1
                    commands: [ "sleep 2", "echo lint done" ]
                  - name: summary
                    type: shell
                    runOrder: 2
                    commands: [ "echo summary on the host", "echo to stderr >&2" ]
              - name: Deploy
                actions:
                  - name: release
                    type: container
                    image: {{Image}}
                    commands: [ "echo released #{execution.id}" ]
            """;

        var id = await farm.ApplyAndStartAsync(yaml, new() { ["who"] = "farm" });
        var done = await farm.WatchAsync(id);

        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        Assert.Equal(["Build", "Test", "Deploy"], done.Stages.Select(s => s.Name));
        Assert.All(done.Stages.SelectMany(s => s.Actions), a => Assert.Equal((ExecutionStatus.Succeeded, 0, 1), (a.Status, a.ExitCode, a.Attempt)));
        Assert.Equal(
            $"compiling for farm in release\ntab\there, unicode: été\npwd=/workspace execution={id}\nlast line without newline",
            await farm.ReadLogAsync(id, "Build", "compile"));
        // Two pipes have no order between them; each line arrives whole.
        Assert.Equal(["summary on the host", "to stderr"], (await farm.ReadLogAsync(id, "Test", "summary")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Equal($"released {id}\n", await farm.ReadLogAsync(id, "Deploy", "release"));

        // Same runOrder overlaps in time; the next runOrder and the next stage wait for all of it.
        var unit = done.Action("Test", "unit");
        var lint = done.Action("Test", "lint");
        var summary = done.Action("Test", "summary");
        Assert.True(unit.StartedAt < lint.FinishedAt && lint.StartedAt < unit.FinishedAt, "unit and lint did not overlap");
        Assert.True(summary.StartedAt >= unit.FinishedAt && summary.StartedAt >= lint.FinishedAt);
        Assert.True(done.Action("Deploy", "release").StartedAt >= summary.FinishedAt);
        Assert.True(done.Action("Test", "unit").StartedAt >= done.Action("Build", "compile").FinishedAt);
        Assert.StartsWith("e2e-agent", unit.Agent);
        Assert.Equal("farm", done.Variables["who"]);
    }

    [Fact]
    public async Task Failing_action_fails_its_stage_and_the_execution_and_later_stages_never_start()
    {
        var yaml = $$"""
            name: failing
            stages:
              - name: Test
                actions:
                  - name: breaks
                    type: container
                    image: {{Image}}
                    commands: [ "echo about to fail", "exit 3", "echo never printed" ]
              - name: Deploy
                actions:
                  - name: never
                    type: container
                    image: {{Image}}
                    commands: [ "echo no" ]
            """;

        var done = await farm.WatchAsync(await farm.ApplyAndStartAsync(yaml));

        Assert.Equal(ExecutionStatus.Failed, done.Status);
        Assert.Equal("Stage 'Test' failed: action 'breaks' exited with code 3.", done.Message);
        var breaks = done.Action("Test", "breaks");
        Assert.Equal((ExecutionStatus.Failed, 3, "exited with code 3"), (breaks.Status, breaks.ExitCode, breaks.Message));
        Assert.Equal(ExecutionStatus.Failed, done.Stages[0].Status);
        Assert.Equal((ExecutionStatus.Pending, 0), (done.Stages[1].Status, done.Action("Deploy", "never").Attempt));
        Assert.Equal("about to fail\n", await farm.ReadLogAsync(done.Id, "Test", "breaks"));
    }

    [Fact]
    public async Task Action_on_an_image_that_does_not_exist_fails_with_the_reason_and_the_agent_keeps_serving()
    {
        var yaml = """
            name: missing-image
            stages:
              - name: Build
                actions:
                  - name: nothing
                    type: container
                    image: farm/does-not-exist:1
                    commands: [ "true" ]
            """;

        var done = await farm.WatchAsync(await farm.ApplyAndStartAsync(yaml));
        var after = await farm.WatchAsync(await farm.ApplyAndStartAsync(yaml.Replace("farm/does-not-exist:1", Image).Replace("missing-image", "image-after")));

        Assert.Equal(ExecutionStatus.Failed, done.Status);
        Assert.Contains("image 'farm/does-not-exist:1' is not on the agent and could not be pulled", done.Action("Build", "nothing").Message);
        Assert.Equal(ExecutionStatus.Succeeded, after.Status);
    }

    [Fact]
    public async Task Execution_running_when_the_controller_is_killed_completes_after_it_restarts()
    {
        var yaml = $$"""
            name: survives
            stages:
              - name: Long
                actions:
                  - name: slow
                    type: container
                    image: {{Image}}
                    commands: [ "echo before", "sleep 4", "echo after" ]
              - name: Next
                actions:
                  - name: quick
                    type: container
                    image: {{Image}}
                    commands: [ "echo next" ]
            """;
        var id = await farm.ApplyAndStartAsync(yaml);
        await farm.WatchAsync(id, e => e.Action("Long", "slow").Status == ExecutionStatus.InProgress);

        await farm.RestartControllerAsync();
        var done = await farm.WatchAsync(id);

        Assert.True(done.Status == ExecutionStatus.Succeeded,
            $"{done.Status}: {done.Message}; slow: {done.Action("Long", "slow").Message}\n{farm.ControllerOutput()}\n{farm.AgentsOutput()}");
        var slow = done.Action("Long", "slow");
        Assert.Equal(1, slow.Attempt);
        Assert.StartsWith("e2e-agent", slow.Agent);
        Assert.Equal("before\nafter\n", await farm.ReadLogAsync(id, "Long", "slow"));
        Assert.Equal("next\n", await farm.ReadLogAsync(id, "Next", "quick"));
        var listed = await farm.Pipelines.ListPipelinesAsync(new ListPipelinesRequest());
        Assert.Contains(listed.Pipelines, p => p.Name == "survives" && p.LatestExecutionId == id && p.LatestExecutionStatus == ExecutionStatus.Succeeded);
    }

    [Fact]
    public async Task Following_a_log_shows_each_line_while_the_action_still_runs()
    {
        var yaml = $$"""
            name: live-log
            stages:
              - name: Run
                actions:
                  - name: talk
                    type: container
                    image: {{Image}}
                    commands: [ "echo first", "sleep 3", "echo second" ]
            """;
        var id = await farm.ApplyAndStartAsync(yaml);

        using var call = farm.Executions.ReadLog(new ReadLogRequest { ExecutionId = id, Stage = "Run", Action = "talk", Follow = true });
        var text = "";
        ExecutionStatus? statusAtFirstLine = null;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
        {
            text += chunk.Data.ToStringUtf8();
            statusAtFirstLine ??= (await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = id })).Action("Run", "talk").Status;
        }

        Assert.Equal(ExecutionStatus.InProgress, statusAtFirstLine);
        Assert.Equal("first\nsecond\n", text);
    }
}
