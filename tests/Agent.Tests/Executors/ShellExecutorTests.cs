using System.Text;
using Farm.Agent.Executors;
using Farm.Agent.Hosting;
using Farm.Agent.Logs;
using Farm.Api.V1;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Tests.Executors;

public sealed class ShellExecutorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-shell-").FullName;

    private async Task<(ExecutorResult Result, string Log)> RunAsync(
        string[] commands, CancellationToken cancellationToken = default, AgentOptions? options = null)
    {
        var offer = new JobOffer { AttemptId = "p-1.1", Spec = new ActionSpec { Type = "shell", Commands = { commands } } };
        var workspace = Directory.CreateDirectory(Path.Combine(_dir, "ws")).FullName;
        var logPath = Path.Combine(_dir, "log");
        ExecutorResult result;
        await using (var spool = new LogSpool(logPath))
        {
            var context = new AttemptContext(offer, workspace, new Dictionary<string, string> { ["GREETING"] = "hi there" }, spool);
            result = await new ShellExecutor(Options.Create(options ?? new AgentOptions())).RunAsync(context, cancellationToken);
        }

        return (result, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(logPath)));
    }

    [Fact]
    public async Task Commands_run_in_order_in_the_workspace_with_the_environment()
    {
        var (result, log) = await RunAsync(["echo \"$GREETING\"", "touch made-here && ls", "printf 'tail'"]);

        Assert.Equal((0, true), (result.ExitCode, result.Succeeded));
        Assert.Equal("hi there\nmade-here\ntail", log);
        Assert.True(File.Exists(Path.Combine(_dir, "ws", "made-here")));
    }

    [Fact]
    public async Task First_failing_command_ends_the_action_with_its_exit_code()
    {
        var (result, log) = await RunAsync(["echo before", "exit 7", "echo after"]);

        Assert.Equal((7, "exited with code 7"), (result.ExitCode, result.FailureMessage));
        Assert.Equal("before\n", log);
    }

    [Fact]
    public async Task Cancelling_kills_the_process_tree_and_keeps_what_it_wrote()
    {
        using var cancel = new CancellationTokenSource();
        var marker = Path.Combine(_dir, "ws", "started");
        var running = RunAsync(["echo ready", $"touch {marker}", "sleep 30"], cancel.Token);
        using var watcher = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!File.Exists(marker))
        {
            await Task.Delay(20, watcher.Token);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("ready\n", await File.ReadAllTextAsync(Path.Combine(_dir, "log")));
    }

    [Fact]
    public async Task Printed_environment_holds_neither_the_enrollment_token_nor_the_credential_nor_any_farm_setting()
    {
        const string enrollToken = "enroll-token-value-7f3a";
        const string credential = "agent.builder-9.s3cret-credential-value";
        (string Name, string Value)[] agentOwn =
        [
            ("Farm__Agent__EnrollToken", enrollToken),
            ("FARM__AGENT__CONTROLLER", "http://127.0.0.1:7070"),
            ("DOTNET_Farm__Agent__WorkDir", "/var/lib/farm-agent"),
            ("SOME_TOOL_TOKEN", credential),
            ("COPIED_ENROLL", "x" + enrollToken),
        ];
        foreach (var (name, value) in agentOwn)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            var (result, log) = await RunAsync(["env"], options: new AgentOptions { AgentId = "builder-9", EnrollToken = enrollToken });

            Assert.True(result.Succeeded, log);
            Assert.Contains("GREETING=hi there", log);
            Assert.Contains("PATH=", log);
            Assert.DoesNotContain(enrollToken, log);
            Assert.DoesNotContain(credential, log);
            Assert.DoesNotContain("farm__", log, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            foreach (var (name, _) in agentOwn)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
