using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary><c>farm artifacts EXECUTION</c>: the artifacts an execution produced (or, for a rollback, reused).</summary>
internal static class ArtifactsCommand
{
    public static Command Create()
    {
        var execution = CommonOptions.Execution();
        var json = CommonOptions.Json();
        var command = new Command("artifacts", "List the artifacts an execution produced, in the order they were produced.") { execution, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Executions.ListArtifactsAsync(
                new ListArtifactsRequest { ExecutionId = context.Parse.GetRequiredValue(execution) }, cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : Table(response));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static string Table(ListArtifactsResponse response)
    {
        var table = new TextTable("NAME", "SIZE", "SHA256", "STAGE/ACTION", "FROM");
        foreach (var artifact in response.Artifacts)
        {
            table.AddRow(
                artifact.Name,
                Display.Size(artifact.Size),
                Display.ShortHash(artifact.Sha256),
                $"{artifact.Stage}/{artifact.Action}",
                artifact.FromExecutionId);
        }

        return table.ToString();
    }
}
