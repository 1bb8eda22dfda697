using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm enroll-token create [--expires 1h] [--uses 1]</c>: a token a new agent exchanges for its
/// own credential. The token alone goes to standard output, so <c>$(farm enroll-token create)</c>
/// captures it; what it allows goes to standard error.
/// </summary>
internal static class EnrollTokenCommand
{
    public static Command Create()
    {
        var command = new Command("enroll-token", "Make enrollment tokens for new agents (admin).");
        command.Subcommands.Add(New());
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
        var json = CommonOptions.Json();
        var command = new Command("create", "Make an enrollment token; set it as the agent's Farm__Agent__EnrollToken.") { expires, uses, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var request = new CreateEnrollTokenRequest { Uses = context.Parse.GetValue(uses) };
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
            await context.Error.WriteLineAsync(
                $"enrollment token {response.Id}: {response.Uses} {(response.Uses == 1 ? "use" : "uses")}, until {Display.Time(response.ExpiresAt)}; "
                + "shown once. Start an agent with Farm__Agent__EnrollToken set to it.");
            return CommandAction.Succeeded;
        });
        return command;
    }
}
