using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm transition disable|enable PIPELINE STAGE</c>: closes or opens a stage's inbound transition.
/// While it is disabled, executions wait before the stage. Disabling needs a reason, which everyone
/// who looks at the pipeline sees.
/// </summary>
internal static class TransitionCommand
{
    public static Command Create() =>
        new("transition", "Disable or enable the transition into a stage: while disabled, executions wait before it.")
        {
            Disable(),
            Enable(),
        };

    private static Command Disable()
    {
        var pipeline = CommonOptions.Pipeline();
        var stage = CommonOptions.Stage("The stage whose inbound transition to disable.");
        var reason = new Option<string>("--reason")
        {
            Description = "Why, shown to everyone who looks at the pipeline (required).",
            HelpName = "TEXT",
            Required = true,
        };
        reason.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--reason must say why the transition is disabled, such as --reason 'release freeze'.");
            }
        });
        var json = CommonOptions.Json();
        var command = new Command("disable", "Disable a stage's inbound transition: executions wait before the stage until it is enabled.")
        {
            pipeline, stage, reason, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var state = await context.Controller.Pipelines.DisableTransitionAsync(
                new DisableTransitionRequest
                {
                    Pipeline = context.Parse.GetRequiredValue(pipeline),
                    Stage = context.Parse.GetRequiredValue(stage),
                    Reason = context.Parse.GetRequiredValue(reason).Trim(),
                },
                cancellationToken: cancellation);
            await context.Output.WriteLineAsync(Report(state, context.Parse.GetRequiredValue(stage), context.Parse.GetValue(json)));
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Enable()
    {
        var pipeline = CommonOptions.Pipeline();
        var stage = CommonOptions.Stage("The stage whose inbound transition to enable.");
        var json = CommonOptions.Json();
        var command = new Command("enable", "Enable a stage's inbound transition; executions waiting before the stage go on.")
        {
            pipeline, stage, json,
        };
        command.SetVerb(async (context, cancellation) =>
        {
            var state = await context.Controller.Pipelines.EnableTransitionAsync(
                new EnableTransitionRequest
                {
                    Pipeline = context.Parse.GetRequiredValue(pipeline),
                    Stage = context.Parse.GetRequiredValue(stage),
                },
                cancellationToken: cancellation);
            await context.Output.WriteLineAsync(Report(state, context.Parse.GetRequiredValue(stage), context.Parse.GetValue(json)));
            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary>The pipeline state as JSON, or the changed stage's line.</summary>
    /// <exception cref="CliException">The answer has no such stage (the controller should have refused the call).</exception>
    public static string Report(PipelineState state, string stage, bool json)
    {
        if (json)
        {
            return ProtoJson.Format(state);
        }

        var changed = state.Stages.FirstOrDefault(s => s.Name == stage)
            ?? throw new CliException($"the controller answered with the state of {state.Name}, which has no stage '{stage}'; see `farm pipeline {state.Name}`.");
        return PipelineStateReport.StageLine(state.Name, changed);
    }
}
