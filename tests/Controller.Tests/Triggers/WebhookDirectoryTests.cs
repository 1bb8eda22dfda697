using Farm.Controller.Hosting;
using Farm.Controller.Triggers;
using Farm.Core.Pipelines;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests.Triggers;

public sealed class WebhookDirectoryTests
{
    [Fact(Timeout = 60_000)]
    public async Task Lists_one_url_per_trigger_and_provider_each_with_its_triggers_stable_secret()
    {
        await using var farm = await TriggerFixture.StartAsync();
        var pipeline = TriggerFixture.Pipeline("hello", "/srv/git/app", new TriggerDefinition { Source = "app", Webhook = true });
        pipeline = pipeline with
        {
            Stages = [.. pipeline.Stages, new StageDefinition("Docs", [new ActionDefinition { Name = "docs", Type = ActionType.Git, Git = new GitSource("/srv/git/docs", "main", null, null, null, null) }])],
            Triggers = [.. pipeline.Triggers, new TriggerDefinition { Source = "docs", Webhook = true }],
        };
        await farm.ApplyAsync(pipeline);
        await farm.ApplyAsync(TriggerFixture.Pipeline("polled", "/srv/git/app", new TriggerDefinition { Source = "app", Poll = TimeSpan.FromMinutes(1) }));
        var directory = new WebhookDirectory(farm.Definitions, farm.Cluster.Grains, farm.Receiver,
            Options.Create(new ControllerOptions { WebhookListen = "http://10.0.0.5:7071/" }));

        var listing = await directory.DescribeAsync("hello");
        var again = await directory.DescribeAsync("hello");

        Assert.NotNull(listing);
        Assert.Equal(
            [
                "http://10.0.0.5:7071/webhooks/gitea/hello/app", "http://10.0.0.5:7071/webhooks/github/hello/app", "http://10.0.0.5:7071/webhooks/gitlab/hello/app",
                "http://10.0.0.5:7071/webhooks/gitea/hello/docs", "http://10.0.0.5:7071/webhooks/github/hello/docs", "http://10.0.0.5:7071/webhooks/gitlab/hello/docs",
            ],
            listing.Webhooks.Select(w => w.Url));
        Assert.All(listing.Webhooks, w => Assert.Contains(w.Url, w.Instructions));
        Assert.Contains("application/json", listing.Webhooks.First(w => w.Provider == "github").Instructions);
        var secrets = listing.Webhooks.GroupBy(w => w.Source).ToDictionary(g => g.Key, g => Assert.Single(g.Select(w => w.Secret).Distinct()));
        Assert.All(secrets.Values, s => Assert.Matches("^[0-9a-f]{64}$", s));
        Assert.NotEqual(secrets["app"], secrets["docs"]);
        Assert.Equal(listing.Webhooks.Select(w => w.Secret), again!.Webhooks.Select(w => w.Secret));
        Assert.Equal(secrets["app"], await farm.Cluster.Grains.GetGrain<ITriggerGrain>("hello").GetSecret("app"));
        Assert.Null(await directory.DescribeAsync("nope"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => directory.DescribeAsync("polled"));
        Assert.Contains("no source trigger with 'webhook: true'", error.Message);
    }
}
