using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary>
/// <c>farm webhooks PIPELINE</c>: where GitHub, GitLab and Gitea send push events for a pipeline, how
/// to set each up, and the secret of each webhook trigger that its deliveries must prove they know. The secret goes to standard
/// output like the rest, since setting it on the host is what it is asked for.
/// </summary>
internal static class WebhooksCommand
{
    public static Command Create()
    {
        var pipeline = CommonOptions.Pipeline();
        var json = CommonOptions.Json();
        var command = new Command("webhooks", "Show the webhook URLs of each webhook trigger and Git host, how to set them up, and each trigger's secret.") { pipeline, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var name = context.Parse.GetRequiredValue(pipeline);
            var response = await context.Controller.Pipelines.GetWebhooksAsync(new GetWebhooksRequest { Pipeline = name }, cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : WebhooksReport.Format(response, name));
            return CommandAction.Succeeded;
        });
        return command;
    }
}
