using System.CommandLine;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Cli.Commands;

/// <summary><c>farm apply -f FILE</c>: stores a pipeline file as the pipeline's next version.</summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var file = CommonOptions.PipelineFile();
        var command = new Command("apply", "Validate a pipeline file and store it as the pipeline's next version.") { file };
        command.SetVerb(async (context, cancellation) =>
        {
            var path = context.Parse.GetRequiredValue(file);
            var definition = await PipelineFile.ReadAsync(path, cancellation);
            ApplyPipelineResponse applied;
            try
            {
                applied = await context.Controller.Pipelines.ApplyPipelineAsync(
                    new ApplyPipelineRequest { Definition = definition }, cancellationToken: cancellation);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
            {
                // The detail already lists every error with its line and column; the file name tells
                // which file they are in when a script applies several.
                await context.Error.WriteLineAsync($"{PipelineFile.DisplayName(path)}: {e.Status.Detail}");
                return CommandAction.Failed;
            }

            await context.Output.WriteLineAsync(applied.Unchanged
                ? $"{applied.Name} is unchanged at version {applied.Version}"
                : $"applied {applied.Name} version {applied.Version}");
            return CommandAction.Succeeded;
        });
        return command;
    }
}
