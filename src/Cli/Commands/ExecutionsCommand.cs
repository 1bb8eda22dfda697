using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary><c>farm executions PIPELINE</c>: a pipeline's executions, newest first.</summary>
internal static class ExecutionsCommand
{
    /// <summary>The controller's own ceiling for one page.</summary>
    public const int MaxLimit = 500;

    public static Command Create()
    {
        var pipeline = new Argument<string>("PIPELINE") { Description = "The pipeline's name." };
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"Show at most this many executions, 1 to {MaxLimit} (default: the controller's, 50).",
            HelpName = "N",
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be 1 to {MaxLimit}.");
            }
        });
        var json = CommonOptions.Json();
        var command = new Command("executions", "List a pipeline's executions, newest first.") { pipeline, limit, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Executions.ListExecutionsAsync(
                new ListExecutionsRequest { Pipeline = context.Parse.GetRequiredValue(pipeline), Limit = context.Parse.GetValue(limit) },
                cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json)
                ? ProtoJson.Format(response) + "\n"
                : Table(response, TimeProvider.System.GetUtcNow()));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static string Table(ListExecutionsResponse response, DateTimeOffset now)
    {
        var table = new TextTable("ID", "STATUS", "STARTED", "DURATION");
        foreach (var execution in response.Executions)
        {
            table.AddRow(
                execution.Id,
                Display.Status(execution.Status),
                Display.Time(execution.StartedAt),
                Display.Duration(execution.StartedAt, execution.FinishedAt, now));
        }

        return table.ToString();
    }
}
