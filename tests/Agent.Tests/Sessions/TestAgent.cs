using Farm.Agent.Attempts;
using Farm.Agent.Hosting;
using Farm.Api.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Farm.Agent.Tests.Sessions;

/// <summary>The agent as <c>farm-agent run</c> wires it, pointed at a <see cref="FakeController"/>, not started.</summary>
internal static class TestAgent
{
    public static IHost Build(string controller, string workDir, DrainOptions drain, int slots = 2)
    {
        // Already enrolled: the fake controller takes any credential.
        Directory.CreateDirectory(workDir);
        File.WriteAllText(Path.Combine(workDir, "credential"), "agent.test-agent.secret\n");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Farm:Agent:Controller"] = controller,
            ["Farm:Agent:AgentId"] = "test-agent",
            ["Farm:Agent:WorkDir"] = workDir,
            ["Farm:Agent:Slots"] = slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Its attempts are shell actions, and container actions on the test engine, which has no bridge.
            ["Farm:Agent:AllowShell"] = "true",
            ["Farm:Agent:DefaultNetwork"] = "none",
        });
        builder.AddFarmAgent(drain);
        return builder.Build();
    }

    public static AttemptSupervisor Supervisor(this IHost host) => host.Services.GetRequiredService<AttemptSupervisor>();

    /// <summary>A shell attempt that prints "started", waits for <paramref name="release"/> to exist, then prints "done".</summary>
    public static JobOffer WaitingShellOffer(string attemptId, string release) => new()
    {
        AttemptId = attemptId,
        ExecutionId = "p-1",
        Pipeline = "p",
        Stage = "Build",
        Action = "wait",
        Spec = new ActionSpec
        {
            Type = "shell",
            Commands = { "echo started", $"while [ ! -e '{release}' ]; do sleep 0.05; done", "echo done" },
        },
    };

    /// <summary>Waits for <paramref name="condition"/>, checking every 20 ms; fails after 30 s.</summary>
    public static async Task EventuallyAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
