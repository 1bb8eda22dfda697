using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm start NAME</c>: starts an execution and prints only its id on standard output, so
/// <c>id=$(farm start build)</c> works; with <c>--wait</c> it follows the execution on standard error
/// and its exit code tells whether the execution succeeded.
/// </summary>
internal static class StartCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("NAME") { Description = "The pipeline to start (its latest version)." };
        var variables = new Option<string[]>("--var")
        {
            Description = "Set a declared pipeline variable; repeat for several. The value is everything after the first '='.",
            HelpName = "NAME=VALUE",
        };
        variables.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (VariableAssignments.TryParse(token.Value) is null)
                {
                    result.AddError(VariableAssignments.Malformed(token.Value));
                }
            }
        });
        var revisions = new Option<string[]>("--revision")
        {
            Description = "Build this commit (full or abbreviated), branch or tag for a git action instead of its newest; repeat for several actions.",
            HelpName = "ACTION=REV",
        };
        revisions.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (RevisionAssignments.TryParse(token.Value) is null)
                {
                    result.AddError(RevisionAssignments.Malformed(token.Value));
                }
            }
        });
        var wait = new Option<bool>("--wait", "-w")
        {
            Description = "Follow the execution, showing progress on standard error; exit 0 only if it succeeds.",
        };
        var json = CommonOptions.Json();
        json.Description = "Print {\"executionId\": ...} as JSON; with --wait, the final execution as JSON instead.";

        var command = new Command("start", "Start an execution of a pipeline and print its id.") { pipeline, variables, revisions, wait, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var request = new StartExecutionRequest { Pipeline = context.Parse.GetRequiredValue(pipeline) };
            request.Variables.Add(VariableAssignments.ParseAll(context.Parse.GetValue(variables) ?? []));
            request.Revisions.Add(RevisionAssignments.ParseAll(context.Parse.GetValue(revisions) ?? []));
            var started = await context.Controller.Executions.StartExecutionAsync(request, cancellationToken: cancellation);
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
