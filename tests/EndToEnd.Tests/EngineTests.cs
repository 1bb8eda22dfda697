using System.Diagnostics;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// An agent and its Docker engine as a new user meets them: an engine socket at a long path, an
/// engine that is not there, one the agent may not open, and one that goes away and comes back.
/// Each case must reach the user as a sentence naming the cause, in <c>farm agents</c> and in the
/// reason a container action waits, while work that needs no engine runs on.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class EngineTests(FarmHost farm)
{
    private static readonly string Image = FarmHost.Image;

    [Fact]
    public async Task Agent_runs_a_container_action_through_an_engine_socket_whose_path_is_over_100_bytes()
    {
        var longHost = Environment.GetEnvironmentVariable("FARM_TEST_DOCKER_LONG_HOST") is { Length: > 0 } host
            ? host
            : throw new InvalidOperationException("This test needs the engine's second, long socket that ./test.sh makes (FARM_TEST_DOCKER_LONG_HOST).");
        Assert.InRange(new Uri(longHost).LocalPath.Length, 100, 107);

        var label = "long-" + Guid.NewGuid().ToString("N")[..6];
        var agent = await StartAgentAsync(label, new() { ["Farm__Agent__DockerHost"] = longHost });
        try
        {
            var done = await farm.WatchAsync(await farm.ApplyAndStartAsync(ContainerPipeline("long-socket", label)));

            Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
            Assert.Equal("in a container\n", await farm.ReadLogAsync(done.Id, "Run", "in-container"));
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    [Fact]
    public async Task Agent_given_a_socket_path_the_kernel_cannot_take_stops_at_start_naming_the_setting_and_the_limit()
    {
        var path = "/tmp/" + new string('x', 110) + "/docker.sock";
        var output = new List<string>();
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
        var agent = farm.StartAgentWith(new Dictionary<string, string> { ["Farm__Agent__DockerHost"] = "unix://" + path }, null, "toolong", enroll.Token, output, "toolong");
        try
        {
            await agent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.NotEqual(0, agent.ExitCode);
            lock (output)
            {
                Assert.Contains(output, line => line.Contains(
                    $"Farm:Agent:DockerHost (or DOCKER_HOST) names the unix socket {path}, whose path is {path.Length} bytes long; the kernel takes at most 107.",
                    StringComparison.Ordinal));
            }
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    [Fact]
    public async Task Agent_without_an_engine_says_why_gets_no_container_work_and_runs_shell_work()
    {
        var label = "noengine-" + Guid.NewGuid().ToString("N")[..6];
        var missing = Path.Combine(Directory.CreateTempSubdirectory("fm").FullName, "docker.sock");
        var agent = await StartAgentAsync(label, new() { ["Farm__Agent__DockerHost"] = "unix://" + missing });
        try
        {
            var info = await AgentInfoAsync(label, a => a.Engine is { Available: false });
            Assert.Equal(
                $"no Docker engine socket exists at {missing}: start the engine, or set Farm:Agent:DockerHost (or DOCKER_HOST) to the socket it listens on.",
                Assert.Single(info.Engine.Problems));
            var listed = await farm.RunCliAsync(["agents"]);
            Assert.Contains($"{label}: container actions unavailable: no Docker engine socket exists at {missing}", listed.Stdout);

            var waiting = await farm.ApplyAndStartAsync(ContainerPipeline("no-engine", label));
            var shell = await farm.WatchAsync(await farm.ApplyAndStartAsync(ShellPipeline("no-engine-shell", label)));
            var status = await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = waiting });

            Assert.True(shell.Status == ExecutionStatus.Succeeded, shell.ToString());
            var action = status.Action("Run", "in-container");
            Assert.Equal(ExecutionStatus.Queued, action.Status);
            Assert.Equal($"waiting for an agent that can run it: agent '{label}': container actions are unavailable there: " +
                $"no Docker engine socket exists at {missing}: start the engine, or set Farm:Agent:DockerHost (or DOCKER_HOST) to the socket it listens on.",
                action.Message);
            await farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = waiting, Abandon = true, Reason = "test over" });
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Agent_whose_user_may_not_open_the_engine_socket_names_the_permission()
    {
        // The agent runs as nobody, who is not in the socket's group; the test's engine socket is root's.
        var label = "noperm-" + Guid.NewGuid().ToString("N")[..6];
        var workDir = Directory.CreateTempSubdirectory("fp").FullName;
        File.SetUnixFileMode(workDir, (UnixFileMode)0b111_111_111);
        var agent = await StartAgentAsync(label, new()
        {
            ["Farm__Agent__WorkDir"] = workDir,
            ["HOME"] = workDir,
            ["DOTNET_CLI_HOME"] = workDir,
        }, asUser: "nobody");
        try
        {
            var info = await AgentInfoAsync(label, a => a.Engine is { Available: false });

            Assert.StartsWith("this agent's user (nobody) may not open the Docker engine's socket ", Assert.Single(info.Engine.Problems));
            Assert.EndsWith("add the user to the socket's group (usually docker: usermod -aG docker USER, then restart the agent), or run the agent as a user that may.",
                info.Engine.Problems[0]);
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    [Fact]
    public async Task Agent_whose_engine_goes_away_holds_container_work_and_runs_it_once_the_engine_is_back()
    {
        // A Docker engine of this test's own, so stopping it disturbs nothing else.
        var dir = Directory.CreateTempSubdirectory("fe").FullName;
        var socket = Path.Combine(dir, "docker.sock");
        var engine = StartEngine(dir, socket);
        Process? agent = null;
        try
        {
            await Eventually.Until(async _ => (await Programs.RunAsync("docker", "-H", "unix://" + socket, "info")).ExitCode == 0,
                TimeSpan.FromSeconds(30), () => "the test's dockerd does not answer docker info");
            var copy = await Programs.RunAsync("bash", "-c", $"docker save {Image} | docker -H unix://{socket} load");
            Assert.True(copy.ExitCode == 0, copy.Output);
            var label = "engine-" + Guid.NewGuid().ToString("N")[..6];
            agent = await StartAgentAsync(label, new() { ["Farm__Agent__DockerHost"] = "unix://" + socket, ["Farm__Agent__EngineCheckInterval"] = "00:00:00.200" });
            var before = await farm.WatchAsync(await farm.ApplyAndStartAsync(ContainerPipeline("engine-up", label)));

            await StopAsync(engine);
            await AgentInfoAsync(label, a => a.Engine is { Available: false });
            var held = await farm.ApplyAndStartAsync(ContainerPipeline("engine-down", label));
            var shell = await farm.WatchAsync(await farm.ApplyAndStartAsync(ShellPipeline("engine-down-shell", label)));
            var waiting = (await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = held })).Action("Run", "in-container");

            engine = StartEngine(dir, socket);
            var after = await farm.WatchAsync(held);

            Assert.Equal(ExecutionStatus.Succeeded, before.Status);
            Assert.Equal(ExecutionStatus.Succeeded, shell.Status);
            Assert.Equal(ExecutionStatus.Queued, waiting.Status);
            Assert.StartsWith($"waiting for an agent that can run it: agent '{label}': container actions are unavailable there: ", waiting.Message);
            Assert.True(after.Status == ExecutionStatus.Succeeded, after.ToString());
            Assert.Equal("in a container\n", await farm.ReadLogAsync(held, "Run", "in-container"));
        }
        finally
        {
            if (agent is not null)
            {
                await FarmHost.StopAgentAsync(agent);
            }

            await StopAsync(engine);
        }
    }

    [Fact]
    public async Task Agent_that_allows_nothing_dangerous_holds_shell_host_network_and_host_mounts_with_the_setting_to_change()
    {
        var label = "strict-" + Guid.NewGuid().ToString("N")[..6];
        var agent = await StartAgentAsync(label, new()
        {
            ["Farm__Agent__AllowShell"] = "false",
            ["Farm__Agent__AllowHostNetwork"] = "false",
            ["Farm__Agent__AllowedVolumes__0"] = "/srv/farm-test/**",
        });
        try
        {
            var info = await AgentInfoAsync(label, a => a.Engine is { Available: true });
            Assert.Equal((false, false, "/srv/farm-test/**"), (info.Policy.AllowShell, info.Policy.AllowHostNetwork, string.Join(",", info.Policy.AllowedVolumes)));
            var yaml = $$"""
                name: strict-agent
                stages:
                  - name: Run
                    actions:
                      - name: on-host
                        type: shell
                        runsOn: [ {{label}} ]
                        commands: [ "echo on the host" ]
                      - name: host-network
                        type: container
                        image: {{Image}}
                        network: host
                        runsOn: [ {{label}} ]
                        commands: [ "echo on the host network" ]
                      - name: mounts-root
                        type: container-deploy
                        environment: strict
                        service: web-{{label}}
                        image: {{Image}}
                        volumes: [ "/:/host" ]
                        runsOn: [ {{label}} ]
                      - name: in-container
                        type: container
                        image: {{Image}}
                        runsOn: [ {{label}} ]
                        commands: [ "echo in a container" ]
                """;
            var id = await farm.ApplyAndStartAsync(yaml);
            var ran = await farm.WatchAsync(id, e => e.Action("Run", "in-container").Status == ExecutionStatus.Succeeded);
            var status = await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = id });

            Assert.Equal(ExecutionStatus.Succeeded, ran.Action("Run", "in-container").Status);
            Assert.Equal((ExecutionStatus.Queued,
                    $"waiting for an agent that can run it: agent '{label}': shell actions run commands on the agent's host, and this agent does not allow them (Farm:Agent:AllowShell is off)"),
                (status.Action("Run", "on-host").Status, status.Action("Run", "on-host").Message));
            Assert.Equal((ExecutionStatus.Queued,
                    $"waiting for an agent that can run it: agent '{label}': network 'host' puts the container on the agent host's network, and this agent does not allow it (Farm:Agent:AllowHostNetwork is off)"),
                (status.Action("Run", "host-network").Status, status.Action("Run", "host-network").Message));
            Assert.Equal((ExecutionStatus.Queued,
                    $"waiting for an agent that can run it: agent '{label}': the mount of host path '/' is not in this agent's Farm:Agent:AllowedVolumes"),
                (status.Action("Run", "mounts-root").Status, status.Action("Run", "mounts-root").Message));
            var shown = await farm.RunCliAsync(["status", id]);
            Assert.Contains("Farm:Agent:AllowShell is off", shown.Stdout);
            await farm.Executions.StopExecutionAsync(new StopExecutionRequest { ExecutionId = id, Abandon = true, Reason = "test over" });
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    private async Task<Process> StartAgentAsync(string label, Dictionary<string, string> overrides, string? asUser = null)
    {
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
        return farm.StartAgentAs(asUser, overrides, null, label, enroll.Token, null, label);
    }

    private async Task<AgentInfo> AgentInfoAsync(string agentId, Func<AgentInfo, bool> until)
    {
        AgentInfo? last = null;
        await Eventually.Until(async c =>
        {
            last = (await farm.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: c)).Agents.FirstOrDefault(a => a.AgentId == agentId && a.Connected);
            return last is not null && until(last);
        }, TimeSpan.FromSeconds(30), () => $"{last}\n{farm.ControllerOutput()}");
        return last!;
    }

    private static string ContainerPipeline(string name, string label) => $$"""
        name: {{name}}
        stages:
          - name: Run
            actions:
              - name: in-container
                type: container
                image: {{Image}}
                runsOn: [ {{label}} ]
                commands: [ "echo in a container" ]
        """;

    private static string ShellPipeline(string name, string label) => $$"""
        name: {{name}}
        stages:
          - name: Run
            actions:
              - name: on-host
                type: shell
                runsOn: [ {{label}} ]
                commands: [ "echo on the host" ]
        """;

    private static Process StartEngine(string dir, string socket)
    {
        var engine = Process.Start(new ProcessStartInfo("dockerd",
        [
            "--bridge=none", "--iptables=false", "--shutdown-timeout", "1", "--data-root", Path.Combine(dir, "data"),
            "--exec-root", Path.Combine(dir, "exec"), "-H", "unix://" + socket, "--pidfile", Path.Combine(dir, "docker.pid"),
        ]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        engine.BeginOutputReadLine();
        engine.BeginErrorReadLine();
        return engine;
    }

    private static async Task StopAsync(Process engine)
    {
        if (engine.HasExited)
        {
            return;
        }

        using (var stop = Process.Start("kill", ["-TERM", engine.Id.ToString()]))
        {
            await stop.WaitForExitAsync();
        }

        try
        {
            await engine.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            engine.Kill(entireProcessTree: true);
        }
    }
}
