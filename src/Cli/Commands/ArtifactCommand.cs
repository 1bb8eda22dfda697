using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Artifacts;
using Farm.Cli.Formatting;
using Grpc.Core;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm artifact get EXECUTION NAME -o FILE</c>: downloads an artifact's archive (a gzip-compressed
/// tar), checking that the chunks are contiguous and that the bytes hash to the SHA-256 it was listed
/// with. <c>FILE</c> appears only when the check passes; <c>-o -</c> writes to standard output instead,
/// where a failed check can only be reported, not undone.
/// </summary>
internal static class ArtifactCommand
{
    public static Command Create() =>
        new("artifact", "Work with one artifact of an execution.")
        {
            Get(),
        };

    private static Command Get()
    {
        var execution = CommonOptions.Execution();
        var name = new Argument<string>("NAME") { Description = "The artifact's name (see `farm artifacts EXECUTION`)." };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the archive (.tar.gz); - writes it to standard output. The file appears only once the download is verified.",
            HelpName = "FILE",
            Required = true,
        };
        var json = CommonOptions.Json();
        json.Description = "Print the downloaded Artifact as JSON instead of a sentence (not with -o -).";
        var command = new Command("get", "Download an artifact's archive and verify its SHA-256.") { execution, name, output, json };
        command.Validators.Add(result =>
        {
            if (result.GetValue(output) == "-" && result.GetValue(json))
            {
                result.AddError("--json cannot be used with -o -, which writes the archive itself to standard output.");
            }
        });
        command.SetVerb(async (context, cancellation) =>
        {
            var executionId = context.Parse.GetRequiredValue(execution);
            var artifactName = context.Parse.GetRequiredValue(name);
            var path = context.Parse.GetRequiredValue(output);
            var listed = await context.Controller.Executions.ListArtifactsAsync(
                new ListArtifactsRequest { ExecutionId = executionId }, cancellationToken: cancellation);
            var artifact = Find(listed, executionId, artifactName);

            using var verifier = new ArtifactVerifier(artifact.Name, artifact.Size, artifact.Sha256);
            if (path == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await DownloadAsync(context, executionId, artifact.Name, verifier, stdout, cancellation);
                verifier.Finish();
                return CommandAction.Succeeded;
            }

            await using (var file = ArtifactFile.Create(path))
            {
                await DownloadAsync(context, executionId, artifact.Name, verifier, file.Stream, cancellation);
                verifier.Finish();
                await file.CommitAsync(cancellation);
            }

            await context.Output.WriteLineAsync(context.Parse.GetValue(json)
                ? ProtoJson.Format(artifact)
                : $"saved {artifact.Name} ({Display.Size(artifact.Size)}, sha256 {Display.ShortHash(artifact.Sha256)}) to {path}");
            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary>The listed artifact called <paramref name="name"/>.</summary>
    /// <exception cref="CliException">None is; the message lists the ones there are.</exception>
    public static Artifact Find(ListArtifactsResponse listed, string executionId, string name) =>
        listed.Artifacts.FirstOrDefault(a => a.Name == name)
        ?? throw new CliException(listed.Artifacts.Count == 0
            ? $"execution {executionId} has no artifacts."
            : $"execution {executionId} has no artifact '{name}'; its artifacts are {string.Join(", ", listed.Artifacts.Select(a => a.Name))}.");

    private static async Task DownloadAsync(
        VerbContext context, string executionId, string name, ArtifactVerifier verifier, Stream destination, CancellationToken cancellation)
    {
        using var call = context.Controller.Executions.DownloadArtifact(
            new DownloadArtifactRequest { ExecutionId = executionId, Name = name }, cancellationToken: cancellation);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
        {
            verifier.Accept(chunk.Offset, chunk.Data.Span);
            await destination.WriteAsync(chunk.Data.Memory, cancellation);
        }

        await destination.FlushAsync(cancellation);
    }
}
