using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary><c>farm status EXECUTION</c>: where an execution and each of its stages and actions stand.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var execution = CommonOptions.Execution();
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Also show each action's resolved configuration (type, image, network, commands, env, inputs) and every earlier attempt.",
        };
        var json = CommonOptions.Json();
        var command = new Command("status", "Show an execution: its status, stages and actions.") { execution, verbose, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var state = await context.Controller.Executions.GetExecutionAsync(
                new GetExecutionRequest { ExecutionId = context.Parse.GetRequiredValue(execution) }, cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json)
                ? ProtoJson.Format(state) + "\n"
                : ExecutionReport.Format(state, TimeProvider.System.GetUtcNow(), context.Parse.GetValue(verbose)));
            return CommandAction.Succeeded;
        });
        return command;
    }
}
