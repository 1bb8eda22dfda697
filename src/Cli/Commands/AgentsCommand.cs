using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm agents</c>, and <c>farm agent drain|revoke ID</c> and <c>farm agent labels ID [LABEL...]</c>:
/// the fleet as the controller knows it, and what an admin may do to one agent.
/// </summary>
internal static class AgentsCommand
{
    public static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("agents", "List agents: connected and enrolled, labels, slots, what they run, last seen (admin).") { json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : Table(response));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static Command Create()
    {
        var command = new Command("agent", "Drain, revoke or label one agent (admin).");
        command.Subcommands.Add(Drain());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(Labels());
        return command;
    }

    public static string Table(ListAgentsResponse response)
    {
        var table = new TextTable("AGENT", "STATE", "LABELS", "SLOTS", "CONTAINERS", "ALLOWS", "RUNNING", "LAST-SEEN");
        var unavailable = new List<string>();
        foreach (var agent in response.Agents)
        {
            var state = agent.RevokedAt is not null ? "revoked"
                : agent.Draining ? (agent.Connected ? "draining" : "drained")
                : agent.Connected ? "connected" : "offline";
            var labels = string.Join(",", agent.Labels) + (agent.ControllerLabels.Count > 0 ? " (set)" : "");
            table.AddRow(
                agent.AgentId,
                state,
                labels,
                agent.Connected ? $"{agent.FreeSlots}/{agent.Slots} free" : agent.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
                agent.Engine is null ? "-" : agent.Engine.Available ? "yes" : "unavailable",
                agent.Policy is null ? "-" : agent.Policy.Describe().Replace(" ", "", StringComparison.Ordinal),
                string.Join(",", agent.RunningAttemptIds),
                Display.Time(agent.LastSeen));
            if (agent.Engine is { Available: false } engine)
            {
                unavailable.Add($"{agent.AgentId}: container actions unavailable: {string.Join(" ", engine.Problems)}");
            }
        }

        return table + string.Concat(unavailable.Select(line => line + "\n"));
    }

    private static Argument<string> AgentId() => new("ID") { Description = "The agent's id, as farm agents lists it." };

    private static Option<string> Reason() => new("--reason") { Description = "Why, for the agent's log and the audit log.", HelpName = "TEXT" };

    private static Command Drain()
    {
        var id = AgentId();
        var reason = Reason();
        var command = new Command("drain", "Offer the agent no more work; what it runs finishes.") { id, reason };
        command.SetVerb(async (context, cancellation) =>
        {
            var agent = await context.Controller.Admin.DrainAgentAsync(
                new DrainAgentRequest { AgentId = context.Parse.GetRequiredValue(id), Reason = context.Parse.GetValue(reason) ?? "" },
                cancellationToken: cancellation);
            await context.Output.WriteLineAsync($"agent {agent.AgentId} drains; {agent.RunningAttemptIds.Count} attempts still running");
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = AgentId();
        var reason = Reason();
        var command = new Command("revoke", "Refuse the agent's credential from now on and end its session.") { id, reason };
        command.SetVerb(async (context, cancellation) =>
        {
            var agent = await context.Controller.Admin.RevokeAgentAsync(
                new RevokeAgentRequest { AgentId = context.Parse.GetRequiredValue(id), Reason = context.Parse.GetValue(reason) ?? "" },
                cancellationToken: cancellation);
            await context.Output.WriteLineAsync($"revoked agent {agent.AgentId}");
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Labels()
    {
        var id = AgentId();
        var labels = new Argument<string[]>("LABEL")
        {
            Description = "The labels dispatch uses for this agent instead of those it claims (linux, zone=eu...); none removes them.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("labels", "Set the agent's labels on the controller; they replace the ones it claims.") { id, labels };
        command.SetVerb(async (context, cancellation) =>
        {
            var request = new SetAgentLabelsRequest { AgentId = context.Parse.GetRequiredValue(id) };
            request.Labels.Add(context.Parse.GetValue(labels) ?? []);
            var agent = await context.Controller.Admin.SetAgentLabelsAsync(request, cancellationToken: cancellation);
            await context.Output.WriteLineAsync(agent.ControllerLabels.Count == 0
                ? $"agent {agent.AgentId}: controller labels removed; it uses its own ({string.Join(",", agent.ClaimedLabels)})"
                : $"agent {agent.AgentId}: labels {string.Join(",", agent.ControllerLabels)}");
            return CommandAction.Succeeded;
        });
        return command;
    }
}
