using Farm.Controller.Hosting;
using Farm.Controller.Triggers;
using Farm.Core.Pipelines;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests.Triggers;

public sealed class WebhookDirectoryTests
{
    [Fact(Timeout = 60_000)]
    public async Task Lists_one_url_per_provider_and_a_stable_secret()
    {
        await using var farm = await TriggerFixture.StartAsync();
        await farm.ApplyAsync(TriggerFixture.Pipeline("hello", "/srv/git/app", new TriggerDefinition { Source = "app", Webhook = true }));
        await farm.ApplyAsync(TriggerFixture.Pipeline("polled", "/srv/git/app", new TriggerDefinition { Source = "app", Poll = TimeSpan.FromMinutes(1) }));
        var directory = new WebhookDirectory(farm.Definitions, farm.Cluster.Grains, farm.Receiver,
            Options.Create(new ControllerOptions { WebhookListen = "http://10.0.0.5:7071/" }));

        var listing = await directory.DescribeAsync("hello");
        var again = await directory.DescribeAsync("hello");

        Assert.NotNull(listing);
        Assert.Equal(
            ["http://10.0.0.5:7071/webhooks/gitea/hello", "http://10.0.0.5:7071/webhooks/github/hello", "http://10.0.0.5:7071/webhooks/gitlab/hello"],
            listing.Webhooks.Select(w => w.Url));
        Assert.All(listing.Webhooks, w => Assert.Contains(w.Url, w.Instructions));
        Assert.Contains("application/json", listing.Webhooks.Single(w => w.Provider == "github").Instructions);
        Assert.Matches("^[0-9a-f]{64}$", listing.Secret);
        Assert.Equal(listing.Secret, again!.Secret);
        Assert.Equal(listing.Secret, await farm.Cluster.Grains.GetGrain<ITriggerGrain>("hello").GetSecret());
        Assert.Null(await directory.DescribeAsync("nope"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => directory.DescribeAsync("polled"));
        Assert.Contains("no source trigger with 'webhook: true'", error.Message);
    }
}
