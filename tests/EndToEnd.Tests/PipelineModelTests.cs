using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>Artifacts, output variables, execution modes and stop, with real agents and containers.</summary>
[Collection(FarmCollection.Name)]
public sealed class PipelineModelTests(FarmHost farm)
{
    private static readonly string Image = FarmHost.Image;

    [Fact]
    public async Task Artifacts_and_output_variables_flow_to_an_action_on_another_agent()
    {
        var yaml = $$"""
            name: hand-over
            stages:
              - name: Make
                actions:
                  - name: produce
                    type: container
                    image: {{Image}}
                    namespace: Make
                    runsOn: [first]
                    commands:
                      - mkdir -p out/deep && echo "payload" > out/data.txt && echo "nested" > out/deep/more.txt
                      - echo "checksum=$(md5sum out/data.txt | cut -d' ' -f1)" >> "$FARM_OUTPUT"
                      - echo "left behind" > not-in-the-artifact.txt
                    outputArtifacts:
                      - name: bundle
                        paths: [ "out/**" ]
              - name: Use
                actions:
                  - name: consume
                    type: container
                    image: {{Image}}
                    runsOn: [second]
                    inputArtifacts: [ bundle ]
                    commands:
                      - cat out/data.txt out/deep/more.txt
                      - 'echo "#{Make.checksum}"'
                      - ls
            """;

        var done = await farm.WatchAsync(await farm.ApplyAndStartAsync(yaml));

        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        var produce = done.Action("Make", "produce");
        var consume = done.Action("Use", "consume");
        var checksum = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("payload\n")));
        Assert.Equal(("e2e-agent", "e2e-agent-2"), (produce.Agent, consume.Agent));
        Assert.Equal(checksum, produce.Outputs["checksum"]);
        Assert.Equal($"payload\nnested\n{checksum}\nout\n", await farm.ReadLogAsync(done.Id, "Use", "consume"));
        Assert.Equal([$"echo \"{checksum}\""], consume.Resolved.Commands.Skip(1).Take(1));
        Assert.Equal(["bundle"], consume.Resolved.InputArtifacts);

        var listed = Assert.Single((await farm.Executions.ListArtifactsAsync(new ListArtifactsRequest { ExecutionId = done.Id })).Artifacts);
        using var download = farm.Executions.DownloadArtifact(new DownloadArtifactRequest { ExecutionId = done.Id, Name = "bundle" });
        var archive = new MemoryStream();
        await foreach (var chunk in download.ResponseStream.ReadAllAsync())
        {
            chunk.Data.WriteTo(archive);
        }

        Assert.Equal(("bundle", "Make", "produce"), (listed.Name, listed.Stage, listed.Action));
        Assert.Equal(listed.Size, archive.Length);
        Assert.Equal(listed.Sha256, Convert.ToHexStringLower(SHA256.HashData(archive.ToArray())));
    }

    [Fact]
    public async Task Stop_with_abandon_kills_the_running_container_and_removes_it()
    {
        var yaml = $$"""
            name: abandoned
            stages:
              - name: Long
                actions:
                  - name: forever
                    type: container
                    image: {{Image}}
                    commands: [ "echo started", "sleep 600" ]
              - name: Never
                actions:
                  - name: after
                    type: container
                    image: {{Image}}
                    commands: [ "echo no" ]
            """;
        var id = await farm.ApplyAndStartAsync(yaml);
        var running = await farm.WatchAsync(id, e => e.Action("Long", "forever").Status == ExecutionStatus.InProgress);
        var attemptId = running.Action("Long", "forever").AttemptId;
        await WaitForContainersAsync(attemptId, count: 1);

        var stopped = await farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = id, Abandon = true, Reason = "wrong commit" });
        await WaitForContainersAsync(attemptId, count: 0);
        var again = await Assert.ThrowsAsync<RpcException>(() => farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = id }).ResponseAsync);

        Assert.Equal(ExecutionStatus.Stopped, stopped.Status);
        Assert.Equal("stopped: wrong commit", stopped.Message);
        Assert.Equal((ExecutionStatus.Abandoned, "abandoned: wrong commit"), (stopped.Action("Long", "forever").Status, stopped.Action("Long", "forever").Message));
        Assert.Equal(ExecutionStatus.Pending, stopped.Action("Never", "after").Status);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task Stop_without_abandon_lets_the_running_action_finish_and_starts_nothing_more()
    {
        // The action runs until the test lets it end (a file on the agent's host), so the stop
        // surely arrives while it runs, however slow the machine.
        var release = Path.Combine(Path.GetTempPath(), "farm-release-" + Guid.NewGuid().ToString("N"));
        var yaml = $$"""
            name: stop-wait
            stages:
              - name: One
                actions:
                  - name: slow
                    type: shell
                    commands: [ "while [ ! -e {{release}} ]; do sleep 0.05; done", "echo finished" ]
              - name: Two
                actions:
                  - name: next
                    type: container
                    image: {{Image}}
                    commands: [ "echo no" ]
            """;
        var id = await farm.ApplyAndStartAsync(yaml);
        await farm.WatchAsync(id, e => e.Action("One", "slow").Status == ExecutionStatus.InProgress);

        var stopping = await farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = id });
        await File.WriteAllTextAsync(release, "");
        var done = await farm.WatchAsync(id, e => e.Status == ExecutionStatus.Stopped);
        File.Delete(release);

        Assert.Equal(ExecutionStatus.Stopping, stopping.Status);
        Assert.Equal(ExecutionStatus.Succeeded, done.Action("One", "slow").Status);
        Assert.Equal("finished\n", await farm.ReadLogAsync(id, "One", "slow"));
        Assert.Equal(0, done.Action("Two", "next").Attempt);
    }

    [Fact]
    public async Task Superseded_mode_overtakes_a_waiting_execution_and_queued_mode_runs_them_in_order()
    {
        // Deploy runs until the test lets it end (a file on the agent's host), so the first execution
        // holds the stage while the others arrive, however slow the machine.
        static string Yaml(string name, string mode, string release) => $$"""
            name: {{name}}
            executionMode: {{mode}}
            stages:
              - name: Build
                actions:
                  - name: b
                    type: container
                    image: {{Image}}
                    commands: [ "true" ]
              - name: Deploy
                actions:
                  - name: d
                    type: shell
                    commands: [ "while [ ! -e {{release}} ]; do sleep 0.05; done" ]
            """;

        async Task<(Execution First, Execution Second, Execution Third)> RunThree(string name, string mode)
        {
            var release = Path.Combine(Path.GetTempPath(), "farm-release-" + Guid.NewGuid().ToString("N"));
            var first = await farm.ApplyAndStartAsync(Yaml(name, mode, release));
            await farm.WatchAsync(first, e => e.Action("Deploy", "d").Status == ExecutionStatus.InProgress);
            var second = await farm.ApplyAndStartAsync(Yaml(name, mode, release));
            await farm.WatchAsync(second, e => e.WaitingForStage == "Deploy");
            var third = await farm.ApplyAndStartAsync(Yaml(name, mode, release));
            // Superseded: the third overtakes the waiting second; queued: the third waits behind it.
            await (mode == "superseded"
                ? farm.WatchAsync(second, IsOver)
                : farm.WatchAsync(third, e => e.WaitingForStage == "Deploy"));
            await File.WriteAllTextAsync(release, "");
            var result = (await farm.WatchAsync(first), await farm.WatchAsync(second, IsOver), await farm.WatchAsync(third, IsOver));
            File.Delete(release);
            return result;
        }

        var (s1, s2, s3) = await RunThree("superseding", "superseded");
        var (q1, q2, q3) = await RunThree("queueing", "queued");

        Assert.Equal((ExecutionStatus.Succeeded, ExecutionStatus.Superseded, ExecutionStatus.Succeeded), (s1.Status, s2.Status, s3.Status));
        Assert.Equal($"superseded by {s3.Id}", s2.Message);
        Assert.True(s3.Action("Deploy", "d").StartedAt >= s1.Action("Deploy", "d").FinishedAt);
        Assert.Equal((ExecutionStatus.Succeeded, ExecutionStatus.Succeeded, ExecutionStatus.Succeeded), (q1.Status, q2.Status, q3.Status));
        Assert.True(q2.Action("Deploy", "d").StartedAt >= q1.Action("Deploy", "d").FinishedAt);
        Assert.True(q3.Action("Deploy", "d").StartedAt >= q2.Action("Deploy", "d").FinishedAt);
    }

    [Fact]
    public async Task Action_past_its_timeout_fails_with_that_reason_and_its_container_is_gone()
    {
        // The timeout counts from the action's start on the agent, container creation included: 3 s leaves a loaded CI
        // machine time to start the container and run the echo (1 s once did not).
        var yaml = $$"""
            name: timeouts
            stages:
              - name: Slow
                actions:
                  - name: sleeper
                    type: container
                    image: {{Image}}
                    timeout: 3s
                    commands: [ "echo going to sleep", "sleep 60" ]
            """;

        var done = await farm.WatchAsync(await farm.ApplyAndStartAsync(yaml));
        var sleeper = done.Action("Slow", "sleeper");
        await WaitForContainersAsync(sleeper.AttemptId, count: 0);

        Assert.Equal(ExecutionStatus.Failed, done.Status);
        Assert.Equal("timed out after 3 s", sleeper.Message);
        Assert.Equal("going to sleep\n", await farm.ReadLogAsync(done.Id, "Slow", "sleeper"));
    }

    [Fact]
    public async Task Pipeline_watch_streams_each_change_of_transitions_and_stages()
    {
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest
        {
            Definition = $"name: watched\nstages:\n  - name: Build\n    actions:\n      - name: b\n        type: shell\n        commands: [ \"true\" ]\n",
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = farm.Pipelines.WatchPipeline(new GetPipelineStateRequest { Name = "watched" }, cancellationToken: cancel.Token);

        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var before = watch.ResponseStream.Current;
        await farm.Pipelines.DisableTransitionAsync(new DisableTransitionRequest { Pipeline = "watched", Stage = "Build", Reason = "maintenance" });
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var after = watch.ResponseStream.Current;

        Assert.Equal((true, "superseded"), (before.Stages[0].TransitionEnabled, before.ExecutionMode));
        Assert.Equal((false, "maintenance"), (after.Stages[0].TransitionEnabled, after.Stages[0].DisabledReason));
        Assert.True(after.Revision > before.Revision);
    }

    private static bool IsOver(Execution e) =>
        e.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Superseded or ExecutionStatus.Stopped;

    /// <summary>Waits until the engine holds <paramref name="count"/> containers of the attempt, asking the docker client.</summary>
    private static async Task WaitForContainersAsync(string attemptId, int count)
    {
        var ids = Array.Empty<string>();
        await Eventually.Until(async cancellation =>
        {
            var start = new ProcessStartInfo("docker", ["ps", "-aq", "--filter", $"label=farm.attempt={attemptId}"]) { RedirectStandardOutput = true };
            using var docker = Process.Start(start)!;
            ids = (await docker.StandardOutput.ReadToEndAsync(cancellation)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await docker.WaitForExitAsync(cancellation);
            return ids.Length == count;
        }, TimeSpan.FromSeconds(30), () => $"{ids.Length} containers of {attemptId}, not {count}");
    }
}
