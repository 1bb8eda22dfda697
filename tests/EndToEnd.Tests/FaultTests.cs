using System.Diagnostics;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

/// <summary>Faults the issue names: an agent killed mid-action, a controller gone while logs stream.</summary>
[Collection(FarmCollection.Name)]
public sealed class FaultTests(FarmHost farm)
{
    private static readonly string Image = FarmHost.Image;

    [Fact]
    public async Task An_agent_killed_mid_action_loses_its_attempt_and_another_agent_runs_it_again()
    {
        var label = "fault-" + Guid.NewGuid().ToString("N")[..6];
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 2, ExpiresInSeconds = 600 });
        var agents = new Dictionary<string, Process>
        {
            [label + "-a"] = farm.StartAgent(label + "-a", enroll.Token, null, label),
            [label + "-b"] = farm.StartAgent(label + "-b", enroll.Token, null, label),
        };
        var yaml = $$"""
            name: survives-agent-loss
            stages:
              - name: Work
                actions:
                  - name: long
                    type: shell
                    runsOn: [ {{label}} ]
                    retry: { onAgentLost: 1 }
                    commands:
                      - echo "attempt $FARM_ATTEMPT_ID"
                      - 'case "$FARM_ATTEMPT_ID" in *.1) sleep 120;; esac'
                      - echo finished
            """;

        Execution done;
        string doomed;
        try
        {
            var id = await farm.ApplyAndStartAsync(yaml);
            var running = await farm.WatchAsync(id, e => e.Action("Work", "long") is { Status: ExecutionStatus.InProgress, Agent.Length: > 0 });
            doomed = running.Action("Work", "long").Agent;
            agents[doomed].Kill(entireProcessTree: true);
            done = await farm.WatchAsync(id);
        }
        finally
        {
            foreach (var agent in agents.Values)
            {
                await FarmHost.StopAgentAsync(agent);
            }
        }

        var action = done.Action("Work", "long");
        var survivor = agents.Keys.Single(k => k != doomed);
        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        Assert.Equal((2, survivor), (action.Attempt, action.Agent));
        var lost = Assert.Single(action.PreviousAttempts);
        Assert.Equal((ExecutionStatus.Failed, doomed), (lost.Status, lost.Agent));
        Assert.StartsWith($"was lost: agent '{doomed}' stopped reporting it", lost.Message);
        Assert.Equal($"attempt {action.AttemptId}\nfinished\n", await farm.ReadLogAsync(done.Id, "Work", "long"));
    }

    [Fact]
    public async Task A_log_streaming_while_the_controller_dies_arrives_whole_without_gaps_or_duplicates()
    {
        var yaml = $$"""
            name: streaming-through-restart
            stages:
              - name: Talk
                actions:
                  - name: counter
                    type: container
                    image: {{Image}}
                    commands: [ 'for i in $(seq 1 60); do echo "line $i"; sleep 0.1; done' ]
            """;

        var id = await farm.ApplyAndStartAsync(yaml);
        using (var follow = farm.Executions.ReadLog(new ReadLogRequest { ExecutionId = id, Stage = "Talk", Action = "counter", Follow = true }))
        {
            // The first bytes stored prove the log is streaming when the controller is killed.
            Assert.True(await follow.ResponseStream.MoveNext(CancellationToken.None));
        }

        await farm.RestartControllerAsync();
        var done = await farm.WatchAsync(id);

        Assert.True(done.Status == ExecutionStatus.Succeeded, $"{done}\n{farm.ControllerOutput()}\n{farm.AgentsOutput()}");
        Assert.Equal(string.Concat(Enumerable.Range(1, 60).Select(i => $"line {i}\n")), await farm.ReadLogAsync(id, "Talk", "counter"));
    }

    [Fact]
    public async Task An_agent_told_to_stop_with_sigterm_finishes_its_action_takes_nothing_new_and_exits()
    {
        var label = "drain-" + Guid.NewGuid().ToString("N")[..6];
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
        var agent = farm.StartAgent(label, enroll.Token, null, label);
        var yaml = $$"""
            name: drained
            stages:
              - name: Work
                actions:
                  - name: finish-me
                    type: shell
                    runsOn: [ {{label}} ]
                    commands: [ "sleep 3", "echo finished" ]
            """;

        var id = await farm.ApplyAndStartAsync(yaml);
        await farm.WatchAsync(id, e => e.Action("Work", "finish-me").Status == ExecutionStatus.InProgress);
        using (var kill = Process.Start("kill", ["-TERM", agent.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        var done = await farm.WatchAsync(id);
        await agent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var later = await farm.ApplyAndStartAsync(yaml.Replace("name: drained", "name: drained-later"));
        var waiting = await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = later });

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal("finished\n", await farm.ReadLogAsync(id, "Work", "finish-me"));
        Assert.Equal(0, agent.ExitCode);
        Assert.NotEqual(ExecutionStatus.InProgress, waiting.Action("Work", "finish-me").Status);
        await farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = later, Abandon = true });
    }

    /// <summary>Runs a program to its end and returns its exit code and output.</summary>

    [Fact]
    public async Task A_full_disk_fails_the_action_with_that_reason_and_the_agent_serves_on_once_space_is_back()
    {
        var workDir = Directory.CreateTempSubdirectory("farm-full-").FullName;
        var mount = await Programs.RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", workDir);
        Assert.True(mount.ExitCode == 0, "These tests run as root (./test.sh does); mount said: " + mount.Output);
        Process? agent = null;
        try
        {
            var label = "full-" + Guid.NewGuid().ToString("N")[..6];
            var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
            agent = farm.StartAgentWith(new Dictionary<string, string> { ["Farm__Agent__WorkDir"] = workDir }, null, label, enroll.Token, null, label);
            string Yaml(string name, string command) => $$"""
                name: {{name}}
                stages:
                  - name: Run
                    actions:
                      - name: chatty
                        type: shell
                        runsOn: [ {{label}} ]
                        commands: [ '{{command}}' ]
                """;

            var full = await farm.WatchAsync(await farm.ApplyAndStartAsync(Yaml("fills-the-disk", "head -c 3000000 /dev/zero | tr \"\\000\" x | fold -w 100")));
            var after = await farm.WatchAsync(await farm.ApplyAndStartAsync(Yaml("after-the-disk", "echo small")));

            Assert.Equal(ExecutionStatus.Failed, full.Status);
            Assert.Contains("No space left on device", full.Action("Run", "chatty").Message);
            Assert.True(after.Status == ExecutionStatus.Succeeded, after.ToString());
            Assert.Equal("small\n", await farm.ReadLogAsync(after.Id, "Run", "chatty"));
        }
        finally
        {
            if (agent is not null)
            {
                await FarmHost.StopAgentAsync(agent);
            }

            await Programs.RunAsync("umount", "-l", workDir);
        }
    }
}
