using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm approvals [PIPELINE]</c>: the approval actions that wait for a decision now, oldest first,
/// with what each asks and until when; a review page, when the action names one, on its own line
/// under the row so the table's columns stay cuttable.
/// </summary>
internal static class ApprovalsCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string?>("PIPELINE")
        {
            Description = "Only this pipeline's approvals (default: every pipeline's).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = CommonOptions.Json();
        var command = new Command("approvals", "List the approvals that wait for a decision; decide them with `farm approve` or `farm reject`.")
        {
            pipeline, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Executions.ListApprovalsAsync(
                new ListApprovalsRequest { Pipeline = context.Parse.GetValue(pipeline) ?? "" }, cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : Table(response));
            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary>One row per approval; under a row with a review page, <c>  review: URL</c>.</summary>
    public static string Table(ListApprovalsResponse response)
    {
        var table = new TextTable("EXECUTION", "STAGE/ACTION", "WAITING-SINCE", "DEADLINE", "MESSAGE");
        foreach (var approval in response.Approvals)
        {
            table.AddRow(
                approval.ExecutionId,
                $"{approval.Stage}/{approval.Action}",
                Display.Time(approval.WaitingSince),
                Display.Time(approval.Deadline),
                Display.OneLine(approval.Message));
        }

        var rows = table.ToString().Split('\n');
        var text = new System.Text.StringBuilder().Append(rows[0]).Append('\n');
        for (var i = 0; i < response.Approvals.Count; i++)
        {
            text.Append(rows[i + 1]).Append('\n');
            if (!string.IsNullOrWhiteSpace(response.Approvals[i].ReviewUrl))
            {
                text.Append("  review: ").Append(response.Approvals[i].ReviewUrl.Trim()).Append('\n');
            }
        }

        return text.ToString();
    }
}
