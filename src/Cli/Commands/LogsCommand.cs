using System.CommandLine;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm logs EXECUTION [ACTION]</c>: writes action logs to standard output through the raw
/// stream rather than a <see cref="TextWriter"/>, so output that is not valid UTF-8 or ends without
/// a newline comes out as the action wrote it, less the terminal control sequences (colours stay;
/// see <see cref="TerminalFilter"/>). With <c>--raw</c>, byte for byte as stored.
/// </summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var execution = new Argument<string>("EXECUTION") { Description = "The execution's id, such as build-12." };
        var action = new Argument<string?>("ACTION")
        {
            Description = "One action: Stage/action, or action when its name is in one stage only. Without it, every action that ran, each under a ==> Stage/action <== header.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep writing new output until the action (without ACTION: each action in turn) has finished.",
        };
        var attempt = new Option<int>("--attempt")
        {
            Description = "Read an earlier attempt of ACTION: 1 for the first (default: the latest).",
            HelpName = "N",
        };
        attempt.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--attempt must be 1 or more: 1 is the first attempt.");
            }
        });
        var raw = new Option<bool>("--raw")
        {
            Description = "Write the logs byte for byte as stored, terminal control sequences included (by default they are removed; colours are kept).",
        };
        var command = new Command("logs", "Write action logs to standard output.") { execution, action, follow, attempt, raw };
        command.Validators.Add(result =>
        {
            if (result.GetResult(attempt) is { Implicit: false } && result.GetValue(action) is null)
            {
                result.AddError("--attempt needs ACTION: attempts are counted per action, as in `farm logs build-3 Test/unit --attempt 1`.");
            }
        });
        command.SetVerb(async (context, cancellation) =>
        {
            var state = await context.Controller.Executions.GetExecutionAsync(
                new GetExecutionRequest { ExecutionId = context.Parse.GetRequiredValue(execution) }, cancellationToken: cancellation);
            await using var output = new LogOutput(Console.OpenStandardOutput(), context.Parse.GetValue(raw));
            var following = context.Parse.GetValue(follow);
            if (context.Parse.GetValue(action) is { } selector)
            {
                await CopyAsync(context, state.Id, ActionSelector.Resolve(state, selector), following, output, header: null, cancellation,
                    context.Parse.GetValue(attempt));
                return CommandAction.Succeeded;
            }

            foreach (var stage in state.Stages)
            {
                foreach (var each in stage.Actions)
                {
                    var path = new ActionPath(stage.Name, each.Name);
                    var header = $"==> {path} <==\n";
                    if (following)
                    {
                        // The controller waits for an action that has not started yet, so every action is
                        // followed; its header waits for its first bytes so a never-run action shows nothing.
                        await CopyAsync(context, state.Id, path, true, output, header, cancellation);
                    }
                    else if (each.Attempt > 0)
                    {
                        await output.WriteHeaderAsync(header, cancellation);
                        await CopyAsync(context, state.Id, path, false, output, header: null, cancellation);
                    }
                }
            }

            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary>
    /// Streams one action's log to <paramref name="output"/>, writing <paramref name="header"/> before its
    /// first bytes; <paramref name="attempt"/> 0 is the latest attempt.
    /// </summary>
    private static async Task CopyAsync(
        VerbContext context, string executionId, ActionPath path, bool follow, LogOutput output, string? header, CancellationToken cancellation,
        int attempt = 0)
    {
        var request = new ReadLogRequest
        {
            ExecutionId = executionId, Stage = path.Stage, Action = path.Action, Follow = follow, Attempt = attempt,
        };
        using var call = context.Controller.Executions.ReadLog(request, cancellationToken: cancellation);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
        {
            if (chunk.Data.IsEmpty)
            {
                continue;
            }

            if (header is not null)
            {
                await output.WriteHeaderAsync(header, cancellation);
                header = null;
            }

            await output.WriteAsync(chunk.Data.Memory, cancellation);
        }
    }
}
