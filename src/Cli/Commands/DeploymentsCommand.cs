using System.CommandLine;
using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Commands;

/// <summary><c>farm environments</c> and <c>farm deployments ENV [SERVICE]</c>: what runs where, and since when.</summary>
internal static class DeploymentsCommand
{
    public static Command Environments()
    {
        var json = CommonOptions.Json();
        var command = new Command("environments", "Show what each environment runs now: per service and agent, the latest deploy.") { json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Deployments.ListEnvironmentsAsync(new ListEnvironmentsRequest(), cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json)
                ? ProtoJson.Format(response) + "\n"
                : response.Current.Count == 0 ? "Nothing has been deployed yet.\n" : Table(response.Current, withEnvironment: true));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static Command History()
    {
        var environment = new Argument<string>("ENVIRONMENT") { Description = "The environment, such as staging." };
        var service = new Argument<string?>("SERVICE") { Description = "Only this service.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit", "-n") { Description = "How many deploys, newest first (default 50).", HelpName = "N", DefaultValueFactory = _ => 50 };
        var json = CommonOptions.Json();
        var command = new Command("deployments", "Show the deploy history of an environment, newest first.") { environment, service, limit, json };
        command.SetVerb(async (context, cancellation) =>
        {
            var response = await context.Controller.Deployments.ListDeploymentsAsync(new ListDeploymentsRequest
            {
                Environment = context.Parse.GetValue(environment)!,
                Service = context.Parse.GetValue(service) ?? "",
                Limit = context.Parse.GetValue(limit),
            }, cancellationToken: cancellation);
            await context.Output.WriteAsync(context.Parse.GetValue(json) ? ProtoJson.Format(response) + "\n" : Table(response.Deployments, withEnvironment: false));
            return CommandAction.Succeeded;
        });
        return command;
    }

    public static string Table(IEnumerable<Deployment> deployments, bool withEnvironment)
    {
        var table = withEnvironment
            ? new TextTable("ENVIRONMENT", "SERVICE", "AGENT", "IMAGE", "DIGEST", "EXECUTION", "DEPLOYED")
            : new TextTable("SERVICE", "AGENT", "IMAGE", "DIGEST", "EXECUTION", "DEPLOYED");
        foreach (var d in deployments)
        {
            string[] row = [d.Service, d.Agent, d.Image, ShortDigest(d.Digest), d.ExecutionId, Display.Time(d.DeployedAt)];
            table.AddPartialRow(withEnvironment ? [d.Environment, .. row] : row);
        }

        return table.ToString();
    }

    /// <summary><c>sha256:</c> and the first 12 hex digits, as Docker shows ids.</summary>
    private static string ShortDigest(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length > 19 ? digest[..19] : digest;
}
