using System.CommandLine;
using Farm.Cli.Import;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm import codepipeline FILE</c>: translates an AWS CodePipeline declaration into a Farm
/// pipeline file, on standard output or into <c>-o FILE</c>, with one note per change on standard
/// error. Works offline: unlike the other verbs it opens no connection to the controller, so it
/// runs its own action instead of <see cref="CommandAction.SetVerb"/>, with the same error handling.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The JSON that 'aws codepipeline get-pipeline --name NAME' prints, or the bare pipeline object; - reads standard input.",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the pipeline file here instead of standard output.",
            HelpName = "FILE",
        };
        var codePipeline = new Command("codepipeline",
            "Translate an AWS CodePipeline declaration into a Farm pipeline file. Actions Farm cannot run are written as "
            + "container actions that fail until you edit them; each change is listed on standard error.")
        {
            file,
            output,
        };
        codePipeline.SetAction((parse, cancellation) => RunAsync(
            parse.GetRequiredValue(file),
            parse.GetValue(output),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellation));

        return new Command("import", "Translate a pipeline from another CI/CD system into a Farm pipeline file.") { codePipeline };
    }

    /// <summary>Exit 0 when the file was written, notes or not; 1 when the input cannot be imported or the output not written.</summary>
    internal static async Task<int> RunAsync(string path, string? outputPath, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        try
        {
            var json = await PipelineFile.ReadAsync(path, cancellation);
            var result = CodePipelineImporter.Import(json);
            var name = PipelineFile.DisplayName(path);
            foreach (var problem in result.Errors)
            {
                await error.WriteLineAsync(problem.Format(name));
            }

            if (result.Yaml is null)
            {
                return CommandAction.Failed;
            }

            foreach (var note in result.Notes)
            {
                await error.WriteLineAsync(note.ToString());
            }

            if (outputPath is null)
            {
                await output.WriteAsync(result.Yaml);
                await output.FlushAsync(cancellation);
                return CommandAction.Succeeded;
            }

            try
            {
                await File.WriteAllTextAsync(outputPath, result.Yaml, cancellation);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"{outputPath}: cannot write it: {e.Message}");
            }

            await error.WriteLineAsync($"wrote {outputPath} ({result.Notes.Count} note{(result.Notes.Count == 1 ? "" : "s")}); check it with: farm validate -f {outputPath}");
            return CommandAction.Succeeded;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return CommandAction.Interrupted;
        }
        catch (CliException e)
        {
            await error.WriteLineAsync("farm: " + e.Message);
            return CommandAction.Failed;
        }
    }
}
