using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Triggers;

/// <summary>A pipeline's webhook addresses, one per provider, with how to set each up and the shared secret.</summary>
public sealed record WebhookListing(IReadOnlyList<WebhookAddress> Webhooks, string Secret);

/// <summary>One provider's webhook address and set-up instructions.</summary>
public sealed record WebhookAddress(string Provider, string Url, string Instructions);

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

        if (!pipeline.Triggers.Any(t => t is { Source: not null, Webhook: true }))
        {
            throw new InvalidOperationException(
                $"Pipeline '{pipeline.Name}' has no source trigger with 'webhook: true'; add one under 'triggers:' and apply the pipeline again.");
        }

        var secret = await grains.GetGrain<ITriggerGrain>(pipeline.Name).GetSecret();
        var baseUrl = options.Value.WebhookListen.TrimEnd('/');
        var webhooks = receiver.Providers
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p =>
            {
                var url = $"{baseUrl}/webhooks/{p.Name}/{Uri.EscapeDataString(pipeline.Name)}";
                return new WebhookAddress(p.Name, url, p.Instructions(url));
            })
            .ToList();
        return new WebhookListing(webhooks, secret);
    }
}
