using System.CommandLine;
using Farm.Api.V1;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm validate -f FILE</c>: checks a pipeline file without storing it, printing errors in the
/// <c>FILE:LINE:COL: message</c> form that editors and CI annotations recognise.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = CommonOptions.PipelineFile();
        var command = new Command("validate", "Check a pipeline file without storing it; exits 1 when it has errors.") { file };
        command.SetVerb(async (context, cancellation) =>
        {
            var path = context.Parse.GetRequiredValue(file);
            var definition = await PipelineFile.ReadAsync(path, cancellation);
            var response = await context.Controller.Pipelines.ValidatePipelineAsync(
                new ValidatePipelineRequest { Definition = definition }, cancellationToken: cancellation);
            var name = PipelineFile.DisplayName(path);
            foreach (var error in response.Errors)
            {
                await context.Error.WriteLineAsync(Format(name, error));
            }

            if (response.Errors.Count > 0)
            {
                return CommandAction.Failed;
            }

            await context.Output.WriteLineAsync($"{name} is valid");
            return CommandAction.Succeeded;
        });
        return command;
    }

    /// <summary><c>FILE:LINE:COL: message</c>, or <c>FILE: message</c> for an error tied to no place.</summary>
    public static string Format(string file, ValidationError error) =>
        error.Line > 0 ? $"{file}:{error.Line}:{error.Column}: {error.Message}" : $"{file}: {error.Message}";
}
