using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm stop EXECUTION</c>: stops an execution, letting running actions finish, or with
/// <c>--abandon</c> cancelling them; prints where it then stands (<c>hello-4 stopping</c>).
/// </summary>
internal static class StopCommand
{
    public static Command Create()
    {
        var execution = CommonOptions.Execution();
        var abandon = new Option<bool>("--abandon")
        {
            Description = "Cancel running actions (SIGTERM, a grace period, then SIGKILL) instead of letting them finish.",
        };
        var reason = new Option<string?>("--reason")
        {
            Description = "Why, recorded on the execution.",
            HelpName = "TEXT",
        };
        var wait = CommonOptions.Wait("ends stopped");
        var json = CommonOptions.Json();
        json.Description = "Print the execution as JSON; with --wait, its final state.";
        var command = new Command("stop", "Stop an execution: nothing new starts, running actions finish (or are abandoned).")
        {
            execution, abandon, reason, wait, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var stopped = await context.Controller.Executions.StopExecutionAsync(
                new StopExecutionRequest
                {
                    ExecutionId = context.Parse.GetRequiredValue(execution),
                    Abandon = context.Parse.GetValue(abandon),
                    Reason = context.Parse.GetValue(reason)?.Trim() ?? "",
                },
                cancellationToken: cancellation);
            var asJson = context.Parse.GetValue(json);
            if (!context.Parse.GetValue(wait))
            {
                await context.Output.WriteLineAsync(asJson ? ProtoJson.Format(stopped) : StatusLine(stopped));
                return CommandAction.Succeeded;
            }

            if (!asJson)
            {
                await context.Output.WriteLineAsync(StatusLine(stopped));
                await context.Output.FlushAsync(cancellation);
            }

            var final = await ExecutionFollower.FollowAsync(context, stopped.Id, context.Error, cancellation, stopped.Revision);
            if (asJson)
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(final));
            }

            return ExecutionFollower.ExitCode(final, ExecutionStatus.Stopped);
        });
        return command;
    }

    /// <summary><c>hello-4 stopping</c>: the execution's id and status.</summary>
    public static string StatusLine(Execution execution) => $"{execution.Id} {Display.Status(execution.Status)}";
}
