using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm token create NAME --role ROLE</c>, <c>farm token revoke NAME</c> and <c>farm tokens</c>.
/// A new token goes alone to standard output (it is shown this once); notes go to standard error.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Make or revoke API tokens (admin).");
        command.Subcommands.Add(New());
        command.Subcommands.Add(Revoke());
        return command;
    }

    public static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("tokens", "List API tokens: names, roles, who made them, whether revoked; never values (admin).") { json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Admin.ListTokensAsync(new ListTokensRequest(), cancellationToken: cancellation);
            if (context.Parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(response));
                return CommandAction.Succeeded;
            }

            var table = new TextTable("NAME", "ROLE", "CREATED", "BY", "REVOKED");
            foreach (var token in response.Tokens)
            {
                table.AddPartialRow(token.Name, token.Role, Display.Time(token.CreatedAt), token.CreatedBy,
                    token.RevokedAt is null ? null : Display.Time(token.RevokedAt));
            }

            await context.Output.WriteAsync(table.ToString());
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command New()
    {
        var name = new Argument<string>("NAME") { Description = "The token's name; the controller records it as who did what." };
        var role = new Option<string>("--role")
        {
            Description = "viewer (read-only), operator (apply, start, stop, retry, rollback...), approver (approvals) or admin (everything).",
            HelpName = "ROLE",
            Required = true,
        };
        var command = new Command("create", "Make an API token; it is printed once.") { name, role };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Admin.CreateTokenAsync(
                new CreateTokenRequest { Name = context.Parse.GetRequiredValue(name), Role = context.Parse.GetRequiredValue(role) },
                cancellationToken: cancellation);
            await context.Output.WriteLineAsync(response.Token);
            await context.Error.WriteLineAsync($"token {response.Info.Name} ({response.Info.Role}): shown once; send it as FARM_TOKEN.");
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Revoke()
    {
        var name = new Argument<string>("NAME") { Description = "The token's name." };
        var command = new Command("revoke", "Revoke an API token: every call with it is refused from now on.") { name };
        command.SetVerb(async (context, cancellation) =>
        {
            var revoked = await context.Controller.Admin.RevokeTokenAsync(
                new RevokeTokenRequest { Name = context.Parse.GetRequiredValue(name) }, cancellationToken: cancellation);
            await context.Output.WriteLineAsync($"revoked token {revoked.Name}");
            return CommandAction.Succeeded;
        });
        return command;
    }
}
