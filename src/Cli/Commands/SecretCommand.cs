using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm secret set|delete PIPELINE NAME</c> and <c>farm secrets PIPELINE</c>. A value is read
/// from standard input (one trailing line break dropped), never from the command line, where it
/// would land in shell history and process listings.
/// </summary>
internal static class SecretCommand
{
    public static Command Create()
    {
        var command = new Command("secret", "Set or delete a pipeline secret (the value is read from standard input).");
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Delete());
        return command;
    }

    public static Command List()
    {
        var pipeline = CommonOptions.Pipeline();
        var json = CommonOptions.Json();
        var command = new Command("secrets", "List a pipeline's secrets: names and when they were set, never values.") { pipeline, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Pipelines.ListSecretsAsync(
                new ListSecretsRequest { Pipeline = context.Parse.GetRequiredValue(pipeline) }, cancellationToken: cancellation);
            if (context.Parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(response));
                return CommandAction.Succeeded;
            }

            var table = new TextTable("NAME", "UPDATED");
            foreach (var secret in response.Secrets)
            {
                table.AddRow(secret.Name, Display.Time(secret.UpdatedAt));
            }

            await context.Output.WriteAsync(table.ToString());
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Set()
    {
        var pipeline = CommonOptions.Pipeline();
        var name = new Argument<string>("NAME") { Description = "The secret's name, as #{secrets.NAME} uses it." };
        var command = new Command("set", "Set a secret; its value is read from standard input.") { pipeline, name };
        command.SetVerb(async (context, cancellation) =>
        {
            var value = await Console.In.ReadToEndAsync(cancellation);
            value = value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('\n') ? value[..^1] : value;
            var set = await context.Controller.Pipelines.SetSecretAsync(new SetSecretRequest
            {
                Pipeline = context.Parse.GetRequiredValue(pipeline),
                Name = context.Parse.GetRequiredValue(name),
                Value = value,
            }, cancellationToken: cancellation);
            await context.Output.WriteLineAsync($"set secret {set.Name} of {context.Parse.GetRequiredValue(pipeline)}");
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Delete()
    {
        var pipeline = CommonOptions.Pipeline();
        var name = new Argument<string>("NAME") { Description = "The secret's name." };
        var command = new Command("delete", "Delete a secret.") { pipeline, name };
        command.SetVerb(async (context, cancellation) =>
        {
            await context.Controller.Pipelines.DeleteSecretAsync(new DeleteSecretRequest
            {
                Pipeline = context.Parse.GetRequiredValue(pipeline),
                Name = context.Parse.GetRequiredValue(name),
            }, cancellationToken: cancellation);
            await context.Output.WriteLineAsync($"deleted secret {context.Parse.GetRequiredValue(name)} of {context.Parse.GetRequiredValue(pipeline)}");
            return CommandAction.Succeeded;
        });
        return command;
    }
}
