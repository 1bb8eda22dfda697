using System.CommandLine;
using System.Text.Json;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm doctor</c>: checks, in order, what must hold for Farm to work from here, one line each
/// with ✓ or ✗ and, for every ✗, what to do: the controller's address and TLS, the token and its
/// role, the controller's store, the clock against the controller's, and the agents with their Docker
/// engines and clocks. A check that needs an earlier one that failed is not made. Exit 0 only when
/// every check made passed; <c>--json</c> gives the same for scripts.
/// </summary>
internal static class DoctorCommand
{
    /// <summary>Clocks further apart than this make timestamps, leases and token expiry disagree.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("doctor", "Check the controller, the token, the store, clocks and agents, each with the fix for what fails.") { json };
        command.SetVerb(async (context, cancellation) =>
        {
            var checks = await RunAsync(context.Controller, cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? Json(checks) + "\n" : Text(checks));
            return checks.All(c => c.Passed != false) ? CommandAction.Succeeded : CommandAction.Failed;
        });
        return command;
    }

    /// <summary>One check: passed, failed, or (null) not made, with what it found and, on failure, the fix.</summary>
    public sealed record Check(string Name, bool? Passed, string Detail, string Fix = "");

    public static async Task<IReadOnlyList<Check>> RunAsync(ControllerConnection controller, CancellationToken cancellation)
    {
        var checks = new List<Check>();

        // 1. The controller answers at its address, over TLS where the address says so.
        ExamineResponse examined;
        var before = DateTimeOffset.UtcNow;
        try
        {
            examined = await controller.Doctor.ExamineAsync(new ExamineRequest(), cancellationToken: cancellation);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable || CommandAction.IsCertificateFailure(e))
        {
            checks.Add(CommandAction.IsCertificateFailure(e)
                ? new Check("controller", false, $"{controller.Address}: its TLS certificate is not trusted here ({CommandAction.Detail(e)})",
                    $"pass the CA that signed it with --ca-cert FILE or {ControllerConnection.CaCertificateVariable}")
                : new Check("controller", false, $"{controller.Address} does not answer ({CommandAction.Detail(e)})",
                    $"start it (./run.sh from a checkout), or point --controller or {ControllerConnection.AddressVariable} at it"));
            return checks;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            checks.Add(new Check("controller", true, $"{controller.Address} answers ({(controller.UsesTls ? "TLS, certificate trusted" : "plain HTTP/2")})"));
            checks.Add(new Check("token", false, CommandAction.Detail(e),
                $"set {ControllerConnection.TokenVariable} to a token from `farm token create NAME --role ROLE` (the first admin token is in the controller's data folder, admin.token)"));
            return checks;
        }

        var after = DateTimeOffset.UtcNow;
        checks.Add(new Check("controller", true, $"{controller.Address} answers ({(controller.UsesTls ? "TLS, certificate trusted" : "plain HTTP/2")}), version {examined.Version}"));

        // 2. The token: the controller admitted it for Examine, which any role may call; name its role.
        var me = await controller.Identity.WhoAmIAsync(new WhoAmIRequest(), cancellationToken: cancellation);
        checks.Add(new Check("token", true, $"'{me.Name}' with role {me.Role}"));

        // 3. The store.
        checks.Add(examined.StoreProblem.Length == 0
            ? new Check("store", true, $"{examined.Store} at {examined.StoreLocation} answers")
            : new Check("store", false, examined.StoreProblem, "check that the store runs and the controller's Farm:Store settings reach it, then look at the controller's log"));

        // 4. This machine's clock against the controller's: its time, less the midpoint of the call.
        var skew = examined.Now.ToDateTimeOffset() - (before + (after - before) / 2);
        checks.Add(Clock("clock", "this machine", skew));

        // 5. Agents: listing them needs the admin role.
        ListAgentsResponse agents;
        try
        {
            agents = await controller.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: cancellation);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied)
        {
            checks.Add(new Check("agents", null, $"not checked: listing agents needs the admin role, and this token is {me.Role}"));
            return checks;
        }

        var connected = agents.Agents.Where(a => a.Connected && a.RevokedAt is null).ToList();
        checks.Add(connected.Count == 0
            ? new Check("agents", false, "no agent is connected, so nothing can run",
                "start an agent with an enrollment token from `farm enroll-token create` (docs/agents.md)")
            : new Check("agents", true, $"{connected.Count} connected ({string.Join(", ", connected.Select(a => a.AgentId))})"));
        foreach (var agent in connected)
        {
            var name = $"agent {agent.AgentId}";
            checks.Add(agent.Engine is null
                ? new Check(name, false, "it reported no Docker engine (an agent older than this controller?)", "install an agent of the controller's version")
                : agent.Engine.Available
                    ? new Check(name, true, $"Docker engine {agent.Engine.Version}")
                    : new Check(name, false, "container actions unavailable: " + string.Join(" ", agent.Engine.Problems),
                        "fix what the line says on the agent's host; the agent checks again every few seconds by itself"));
            // The agent's offset is how far it is ahead; Clock takes how far the controller is ahead.
            checks.Add(Clock($"agent {agent.AgentId} clock", $"agent {agent.AgentId}", -TimeSpan.FromMilliseconds(agent.ClockOffsetMs)));
        }

        return checks;
    }

    private static Check Clock(string name, string whose, TimeSpan skew)
    {
        var detail = $"{whose} is {Math.Abs(skew.TotalSeconds):0.0} s {(skew > TimeSpan.Zero ? "behind" : "ahead of")} the controller";
        return skew.Duration() <= MaxSkew
            ? new Check(name, true, detail)
            : new Check(name, false, detail + $" (more than {MaxSkew.TotalSeconds:0} s)", "keep both clocks in step with NTP (timedatectl set-ntp true, or chrony)");
    }

    public static string Text(IReadOnlyList<Check> checks) => string.Concat(checks.Select(c =>
        $"{(c.Passed switch { true => "✓", false => "✗", null => "-" })} {c.Name}: {c.Detail}\n" + (c.Fix.Length > 0 ? $"  fix: {c.Fix}\n" : "")));

    public static string Json(IReadOnlyList<Check> checks) => JsonSerializer.Serialize(new
    {
        ok = checks.All(c => c.Passed != false),
        checks = checks.Select(c => new { name = c.Name, passed = c.Passed, detail = c.Detail, fix = c.Fix }),
    }, new JsonSerializerOptions { WriteIndented = true });
}
