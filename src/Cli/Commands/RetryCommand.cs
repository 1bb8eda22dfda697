using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm retry EXECUTION STAGE</c>: runs a failed or stopped stage again (its failed actions, or
/// all with <c>--all</c>) and prints the execution's id, so it composes like <c>start</c>.
/// </summary>
internal static class RetryCommand
{
    public static Command Create()
    {
        var execution = CommonOptions.Execution();
        var stage = CommonOptions.Stage("The failed or stopped stage to run again.");
        var all = new Option<bool>("--all")
        {
            Description = "Run every action of the stage again, not only the failed ones.",
        };
        var wait = CommonOptions.Wait("then succeeds");
        var json = CommonOptions.Json();
        json.Description = "Print the execution as JSON; with --wait, its final state.";
        var command = new Command("retry", "Run a failed or stopped stage of an execution again; the execution goes on from there.")
        {
            execution, stage, all, wait, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var retried = await context.Controller.Executions.RetryStageAsync(
                new RetryStageRequest
                {
                    ExecutionId = context.Parse.GetRequiredValue(execution),
                    Stage = context.Parse.GetRequiredValue(stage),
                    All = context.Parse.GetValue(all),
                },
                cancellationToken: cancellation);
            var asJson = context.Parse.GetValue(json);
            if (!context.Parse.GetValue(wait))
            {
                await context.Output.WriteLineAsync(asJson ? ProtoJson.Format(retried) : retried.Id);
                return CommandAction.Succeeded;
            }

            if (!asJson)
            {
                await context.Output.WriteLineAsync(retried.Id);
                await context.Output.FlushAsync(cancellation);
            }

            // From the answer's revision: the first streamed state may still be the failed one from before.
            var final = await ExecutionFollower.FollowAsync(context, retried.Id, context.Error, cancellation, retried.Revision);
            if (asJson)
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(final));
            }

            return ExecutionFollower.ExitCode(final);
        });
        return command;
    }
}
