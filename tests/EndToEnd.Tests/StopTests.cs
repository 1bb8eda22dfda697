using System.Diagnostics;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// A normal stop is quiet: Ctrl-C (SIGINT) or SIGTERM of the controller, an agent or the dashboard
/// ends the process with exit code 0 and no <c>fail</c> or <c>crit</c> log line, which an operator
/// would otherwise take for a fault. A farm of its own, since it stops its controller.
/// </summary>
public sealed class StopTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Controller_agent_and_dashboard_stopped_by_a_signal_exit_0_without_fail_or_crit_lines(string signal)
    {
        var farm = new FarmHost();
        await farm.InitializeAsync();
        try
        {
            var agentOutput = new List<string>();
            var dashboardOutput = new List<string>();
            var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
            var agent = farm.StartAgent("stopped-" + signal.ToLowerInvariant(), enroll.Token, agentOutput, "stop-test");
            var dashboard = await farm.StartDashboardAsync($"http://127.0.0.1:{FarmHost.FreePort()}", dashboardOutput);
            await Eventually.Until(async c => (await farm.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: c)).Agents
                .Any(a => a.AgentId == "stopped-" + signal.ToLowerInvariant() && a.Connected), TimeSpan.FromSeconds(60), () => Printed(agentOutput));

            var agentExit = await StopAsync(agent, signal);
            var dashboardExit = await StopAsync(dashboard, signal);
            var controllerExit = await StopAsync(farm.ControllerProcess, signal);

            Assert.True(agentExit == 0, $"the agent exited with {agentExit}:\n{Printed(agentOutput)}");
            Assert.True(dashboardExit == 0, $"the dashboard exited with {dashboardExit}:\n{Printed(dashboardOutput)}");
            Assert.True(controllerExit == 0, $"the controller exited with {controllerExit}:\n{farm.ControllerOutput()}");
            Assert.Empty(FaultLines(agentOutput));
            Assert.Empty(FaultLines(dashboardOutput));
            Assert.DoesNotContain(farm.ControllerOutput().Split('\n'), IsFault);
        }
        finally
        {
            await farm.DisposeAsync();
        }
    }

    private static async Task<int> StopAsync(Process process, string signal)
    {
        using (var kill = Process.Start("kill", ["-s", signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }

    // The console logger starts each entry with its level: "fail: ..." or "crit: ...".
    private static bool IsFault(string line) => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);

    private static string[] FaultLines(List<string> output)
    {
        lock (output)
        {
            return output.Where(IsFault).ToArray();
        }
    }

    private static string Printed(List<string> output)
    {
        lock (output)
        {
            return string.Join("\n", output.TakeLast(60));
        }
    }
}
