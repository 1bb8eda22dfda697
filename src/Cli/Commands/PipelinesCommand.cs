using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary><c>farm pipelines</c>: every stored pipeline with its latest version and newest execution.</summary>
internal static class PipelinesCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("pipelines", "List the stored pipelines.") { json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Pipelines.ListPipelinesAsync(new ListPipelinesRequest(), cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : Table(response));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static string Table(ListPipelinesResponse response)
    {
        var table = new TextTable("NAME", "VERSION", "LAST-EXECUTION", "STATUS", "UPDATED");
        foreach (var pipeline in response.Pipelines)
        {
            table.AddRow(
                pipeline.Name,
                pipeline.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                pipeline.LatestExecutionId,
                Display.Status(pipeline.LatestExecutionStatus),
                Display.Time(pipeline.UpdatedAt));
        }

        return table.ToString();
    }
}
