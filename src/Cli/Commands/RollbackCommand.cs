using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm rollback PIPELINE STAGE --to EXECUTION</c>: starts a new execution that runs one stage
/// again with an earlier execution's artifacts and variables. Like <c>start</c>, standard output gets
/// only the new execution's id.
/// </summary>
internal static class RollbackCommand
{
    public static Command Create()
    {
        var pipeline = CommonOptions.Pipeline();
        var stage = CommonOptions.Stage("The stage to run again.");
        var to = new Option<string>("--to")
        {
            Description = "The earlier execution whose artifacts and variables the stage runs with; the stage must have succeeded in it.",
            HelpName = "EXECUTION",
            Required = true,
        };
        var wait = CommonOptions.Wait("succeeds");
        var json = CommonOptions.Json();
        json.Description = "Print {\"executionId\": ...} as JSON; with --wait, the final execution as JSON instead.";
        var command = new Command("rollback", "Run a stage again with the artifacts and variables of an earlier execution; print the new execution's id.")
        {
            pipeline, stage, to, wait, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var started = await context.Controller.Executions.RollbackStageAsync(
                new RollbackStageRequest
                {
                    Pipeline = context.Parse.GetRequiredValue(pipeline),
                    Stage = context.Parse.GetRequiredValue(stage),
                    TargetExecutionId = context.Parse.GetRequiredValue(to),
                },
                cancellationToken: cancellation);
            var asJson = context.Parse.GetValue(json);
            if (!context.Parse.GetValue(wait))
            {
                await context.Output.WriteLineAsync(asJson ? ProtoJson.Format(started) : started.ExecutionId);
                return CommandAction.Succeeded;
            }

            if (!asJson)
            {
                await context.Output.WriteLineAsync(started.ExecutionId);
                await context.Output.FlushAsync(cancellation);
            }

            var final = await ExecutionFollower.FollowAsync(context, started.ExecutionId, context.Error, cancellation);
            if (asJson)
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(final));
            }

            return ExecutionFollower.ExitCode(final);
        });
        return command;
    }
}
