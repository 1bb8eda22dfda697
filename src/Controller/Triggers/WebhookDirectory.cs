using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Triggers;

/// <summary>A pipeline's webhook addresses: one per webhook trigger and provider, each with the trigger's own secret.</summary>
public sealed record WebhookListing(IReadOnlyList<WebhookAddress> Webhooks);

/// <summary>One webhook address: the trigger (by its source) and provider it serves, the secret deliveries must prove, and how to set it up.</summary>
public sealed record WebhookAddress(string Source, string Provider, string Url, string Instructions, string Secret);

/// <summary>Answers "where do I point my Git host?" for the GetWebhooks RPC.</summary>
public sealed class WebhookDirectory(
    ITriggerPipelines pipelines, IGrainFactory grains, WebhookReceiver receiver, IOptions<ControllerOptions> options)
{
    /// <summary>
    /// Null when the pipeline has not been applied; throws <see cref="InvalidOperationException"/>
    /// when it has no source trigger with <c>webhook: true</c>.
    /// </summary>
    public async Task<WebhookListing?> DescribeAsync(string pipelineName)
    {
        if (await pipelines.GetAsync(pipelineName) is not { } pipeline)
        {
            return null;
        }

        var sources = pipeline.Triggers.Where(t => t is { Source: not null, Webhook: true }).Select(t => t.Source!).ToList();
        if (sources.Count == 0)
        {
            throw new InvalidOperationException(
                $"Pipeline '{pipeline.Name}' has no source trigger with 'webhook: true'; add one under 'triggers:' and apply the pipeline again.");
        }

        var baseUrl = options.Value.WebhookListen.TrimEnd('/');
        var trigger = grains.GetGrain<ITriggerGrain>(pipeline.Name);
        var webhooks = new List<WebhookAddress>();
        foreach (var source in sources.Order(StringComparer.Ordinal))
        {
            var secret = await trigger.GetSecret(source);
            foreach (var provider in receiver.Providers.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                var url = $"{baseUrl}/webhooks/{provider.Name}/{Uri.EscapeDataString(pipeline.Name)}/{Uri.EscapeDataString(source)}";
                webhooks.Add(new WebhookAddress(source, provider.Name, url, provider.Instructions(url), secret));
            }
        }

        return new WebhookListing(webhooks);
    }
}
