using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm enroll-token create [--expires 1h] [--uses 1] [--replace AGENT]</c>: a token a new agent
/// exchanges for its own credential, or, with <c>--replace</c>, one that re-enrolls that enrolled agent
/// once. The token alone goes to standard output, so <c>$(farm enroll-token create)</c> captures it;
/// what it allows goes to standard error. <c>farm enroll-token list</c> and <c>revoke ID</c> manage them.
/// </summary>
internal static class EnrollTokenCommand
{
    public static Command Create()
    {
        var command = new Command("enroll-token", "Make, list and revoke enrollment tokens for agents (admin).");
        command.Subcommands.Add(New());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command New()
    {
        var expires = new Option<string>("--expires")
        {
            Description = "How long the token works: 30m, 2h, 7d... (at most 30 days; default 1h).",
            HelpName = "DURATION",
        };
        var uses = new Option<int>("--uses") { Description = "How many agents may enroll with it (default 1).", HelpName = "N", DefaultValueFactory = _ => 1 };
        var replace = new Option<string>("--replace")
        {
            Description = "Re-enroll this enrolled agent once, replacing its credential (after a lost credential file); "
                + "its old credential and session end, its controller-side labels stay.",
            HelpName = "AGENT",
        };
        var json = CommonOptions.Json();
        var command = new Command("create", "Make an enrollment token; set it as the agent's Farm__Agent__EnrollToken.") { expires, uses, replace, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var request = new CreateEnrollTokenRequest { Uses = context.Parse.GetValue(uses), ReplaceAgentId = context.Parse.GetValue(replace) ?? "" };
            if (context.Parse.GetValue(expires) is { } text)
            {
                var duration = DurationArgument.TryParse(text) ?? throw new CliException(DurationArgument.Malformed("--expires", text));
                request.ExpiresInSeconds = (long)duration.TotalSeconds;
            }

            var response = await context.Controller.Admin.CreateEnrollTokenAsync(request, cancellationToken: cancellation);
            if (context.Parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(response));
                return CommandAction.Succeeded;
            }

            await context.Output.WriteLineAsync(response.Token);
            var admits = response.ReplaceAgentId.Length > 0
                ? $"re-enrolls agent {response.ReplaceAgentId} once"
                : $"{response.Uses} {(response.Uses == 1 ? "use" : "uses")}";
            await context.Error.WriteLineAsync(
                $"enrollment token {response.Id}: {admits}, until {Display.Time(response.ExpiresAt)}; "
                + "shown once. Start an agent with Farm__Agent__EnrollToken set to it.");
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List enrollment tokens, newest first: state, uses left, expiry; never values.") { json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Admin.ListEnrollTokensAsync(new ListEnrollTokensRequest(), cancellationToken: cancellation);
            if (context.Parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(ProtoJson.Format(response));
                return CommandAction.Succeeded;
            }

            var table = new TextTable("ID", "STATE", "USES LEFT", "EXPIRES", "CREATED", "BY", "REPLACES");
            foreach (var token in response.Tokens)
            {
                table.AddPartialRow(token.Id, State(token.State), token.UsesLeft.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Display.Time(token.ExpiresAt), Display.Time(token.CreatedAt), token.CreatedBy, token.ReplaceAgentId.Length == 0 ? null : token.ReplaceAgentId);
            }

            await context.Output.WriteAsync(table.ToString());
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("ID") { Description = "The token's id, as create and list show it." };
        var command = new Command("revoke", "Revoke an enrollment token: agents presenting it are refused from now on.") { id };
        command.SetVerb(async (context, cancellation) =>
        {
            var revoked = await context.Controller.Admin.RevokeEnrollTokenAsync(
                new RevokeEnrollTokenRequest { Id = context.Parse.GetRequiredValue(id) }, cancellationToken: cancellation);
            await context.Output.WriteLineAsync($"revoked enrollment token {revoked.Id}");
            return CommandAction.Succeeded;
        });
        return command;
    }

    private static string State(EnrollTokenState state) => state switch
    {
        EnrollTokenState.Working => "working",
        EnrollTokenState.Revoked => "revoked",
        EnrollTokenState.Expired => "expired",
        EnrollTokenState.UsedUp => "used up",
        _ => "unknown",
    };
}
