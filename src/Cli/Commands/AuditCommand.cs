using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary><c>farm audit [--limit N]</c>: the newest changes and approvals, who made them and when.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit", "-n") { Description = "How many entries, newest first (1-1000; default 50).", HelpName = "N", DefaultValueFactory = _ => 50 };
        var json = CommonOptions.Json();
        var command = new Command("audit", "Show the audit log: every change and approval, who and when (admin).") { limit, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Admin.ListAuditAsync(
                new ListAuditRequest { Limit = context.Parse.GetValue(limit) }, cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : Table(response));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static string Table(ListAuditResponse response)
    {
        var table = new TextTable("TIME", "WHO", "ACTION", "TARGET", "DETAIL");
        foreach (var entry in response.Entries)
        {
            table.AddPartialRow(Display.Time(entry.At), entry.Actor, entry.Action, entry.Target, Display.OneLine(entry.Detail));
        }

        return table.ToString();
    }
}
