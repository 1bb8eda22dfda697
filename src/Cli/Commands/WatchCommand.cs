using System.CommandLine;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm watch EXECUTION</c>: follows a running execution (one started elsewhere, or by
/// <c>start</c> without <c>--wait</c>) with the progress lines <c>start --wait</c> prints, surviving
/// controller restarts. Its exit code tells whether the execution succeeded.
/// </summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var execution = CommonOptions.Execution();
        var json = CommonOptions.Json();
        json.Description = "Print the final execution as JSON on standard output, with the progress on standard error.";
        var command = new Command("watch", "Follow an execution until it ends; exit 0 only if it succeeds.") { execution, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var asJson = context.Parse.GetValue(json);
            var final = await ExecutionFollower.FollowAsync(
                context, context.Parse.GetRequiredValue(execution), asJson ? context.Error : context.Output, cancellation);
            if (asJson)
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(final));
            }

            return ExecutionFollower.ExitCode(final);
        });
        return command;
    }
}
