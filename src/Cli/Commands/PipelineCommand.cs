using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;
using Farm.Cli.Progress;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm pipeline PIPELINE</c>: the pipeline's run-time state: for each stage whether its transition
/// is enabled, which executions are in it and which wait for it. With <c>--watch</c> it prints the
/// state again on every change until Ctrl-C.
/// </summary>
internal static class PipelineCommand
{
    public static Command Create()
    {
        var pipeline = CommonOptions.Pipeline();
        var watch = new Option<bool>("--watch", "-w")
        {
            Description = "Keep printing the state on every change (executions entering, leaving or waiting for stages; transitions; new versions) until Ctrl-C.",
        };
        var json = CommonOptions.Json();
        json.Description = "Print the PipelineState as JSON; with --watch, one JSON document per change.";
        var command = new Command("pipeline", "Show a pipeline's stages: transitions, and the executions in and waiting for each.") { pipeline, watch, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var name = context.Parse.GetRequiredValue(pipeline);
            var asJson = context.Parse.GetValue(json);
            if (!context.Parse.GetValue(watch))
            {
                var state = await context.Controller.Pipelines.GetPipelineStateAsync(new GetPipelineStateRequest { Name = name }, cancellationToken: cancellation);
                await context.Output.WriteAsync(asJson ? ProtoJson.Format(state) + "\n" : PipelineStateReport.Format(state));
                return CommandAction.Succeeded;
            }

            var first = true;
            var watcher = new PipelineWatcher(context.Controller.Pipelines, context.Error, TimeProvider.System);
            await watcher.WatchAsync(name, async state =>
            {
                if (asJson)
                {
                    await context.Output.WriteLineAsync(ProtoJson.Format(state));
                }
                else
                {
                    // A blank line and the time between states, so a scrolled-back terminal or a log
                    // file reads as a history of changes.
                    var stamp = $"--- {TimeProvider.System.GetLocalNow():HH:mm:ss} ---\n";
                    await context.Output.WriteAsync((first ? "" : "\n") + stamp + PipelineStateReport.Format(state));
                }

                first = false;
                await context.Output.FlushAsync(cancellation);
            }, cancellation);
            return CommandAction.Succeeded;
        });
        return command;
    }
}
