using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Decides what a webhook delivery does, in this order: an unknown provider or pipeline is 404; a
/// delivery without the right signature or token is 401, before its body is read; then the event,
/// the payload (400 when it cannot be read), the repository, the ref and path filters, and the
/// commit's earlier starts decide between starting (202, "started …") and ignoring (202,
/// "ignored: …"). A pipeline that refuses the start answers 409, and the host's redelivery may try
/// again. Thread-safe; free of HTTP so tests can drive it.
/// </summary>
public sealed partial class WebhookReceiver(
    IEnumerable<IWebhookProvider> providers, ITriggerPipelines pipelines, IGrainFactory grains, TriggerLauncher launcher,
    ILogger<WebhookReceiver> logger)
{
    /// <summary>The largest body accepted: 1 MiB, far above any push of a few hundred commits.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly Dictionary<string, IWebhookProvider> _providers = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<IWebhookProvider> Providers => _providers.Values;

    public async Task<WebhookResult> ReceiveAsync(
        string providerName, string pipelineName, Func<string, string?> header, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!_providers.TryGetValue(providerName, out var provider))
        {
            return new WebhookResult(404, $"unknown provider '{providerName}'; use {string.Join(", ", _providers.Keys.Order())}.");
        }

        if (await pipelines.GetAsync(pipelineName) is not { } pipeline)
        {
            return new WebhookResult(404, $"no pipeline named '{pipelineName}' has been applied.");
        }

        var secret = await grains.GetGrain<ITriggerGrain>(pipeline.Name).GetSecret();
        if (!provider.IsAuthentic(header, body.Span, secret))
        {
            LogForged(provider.Name, pipeline.Name);
            return new WebhookResult(401, $"the delivery's signature or token does not match pipeline '{pipeline.Name}''s webhook secret; "
                + "copy the secret from 'farm pipelines webhooks' into the webhook's settings.");
        }

        if (header(provider.EventHeader) is not { Length: > 0 } eventName)
        {
            return new WebhookResult(400, $"the delivery has no {provider.EventHeader} header.");
        }

        switch (provider.Classify(eventName))
        {
            case WebhookEventKind.Ping:
                return new WebhookResult(202, "pong");
            case WebhookEventKind.Other:
                return Ignored($"event '{eventName}'");
        }

        PushEvent push;
        try
        {
            push = provider.ReadPush(body.Span);
        }
        catch (WebhookPayloadException e)
        {
            return new WebhookResult(400, $"cannot read the push: {e.Message}");
        }

        var webhookTriggers = pipeline.Triggers.Where(t => t is { Source: not null, Webhook: true }).ToList();
        if (webhookTriggers.Count == 0)
        {
            return Ignored($"pipeline '{pipeline.Name}' has no source trigger with webhook: true");
        }

        var matching = webhookTriggers
            .Where(t => TriggerRules.SourceOf(pipeline, t) is { } git && push.RepositoryUrls.Any(url => RepositoryAddress.Same(url, git.Repository)))
            .ToList();
        if (matching.Count == 0)
        {
            var watched = webhookTriggers.Select(t => TriggerRules.SourceOf(pipeline, t)?.Repository ?? $"(no git action '{t.Source}')");
            return Ignored($"repository {push.RepositoryUrls[0]} is none of the pipeline's webhook sources ({string.Join(", ", watched.Distinct())})");
        }

        if (push.Deleted)
        {
            return Ignored("deletion");
        }

        // Two git actions on one repository: the first trigger that takes the push starts it.
        string? firstReason = null;
        foreach (var trigger in matching)
        {
            var reason = TriggerRules.RefIgnoredBecause(trigger, push.Ref)
                ?? (TriggerRules.PathsMatch(trigger, push.Ref, push.ChangedFiles) ? null : "no changed file matches paths");
            if (reason is not null)
            {
                firstReason ??= reason;
                continue;
            }

            return await StartAsync(provider, pipeline, trigger, push, header, cancellationToken);
        }

        return Ignored(firstReason!);
    }

    private async Task<WebhookResult> StartAsync(
        IWebhookProvider provider, PipelineDefinition pipeline, TriggerDefinition trigger, PushEvent push, Func<string, string?> header,
        CancellationToken cancellationToken)
    {
        var by = provider.DeliveryId(header) is { Length: > 0 } delivery
            ? $"webhook: {provider.Name} delivery {delivery}"
            : $"webhook: {provider.Name} push";
        var launch = await launcher.LaunchAsync(pipeline.Name, trigger.Source!, push.After, ExecutionRun.WebhookTrigger, by, cancellationToken);
        var commit = TriggerRules.Short(push.After);
        if (launch.ExecutionId is { } id)
        {
            LogStarted(id, push.Ref, commit, by);
            return new WebhookResult(202, $"started {id} for {push.Ref} {commit}");
        }

        if (launch.AlreadyStarted)
        {
            return Ignored(launch.AlreadyStartedBy is { } earlier ? $"already started for {commit} ({earlier})" : $"already started for {commit}");
        }

        LogRefused(pipeline.Name, by, launch.Refusal!);
        return new WebhookResult(409, $"not started: {launch.Refusal}");
    }

    private static WebhookResult Ignored(string why) => new(202, "ignored: " + why);

    [LoggerMessage(EventId = 1510, Level = LogLevel.Warning, Message = "A {Provider} webhook delivery for {Pipeline} had a wrong or missing signature; ignored")]
    private partial void LogForged(string provider, string pipeline);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Information, Message = "Webhook started {ExecutionId} for {Ref} {Commit} ({TriggeredBy})")]
    private partial void LogStarted(string executionId, string @ref, string commit, string triggeredBy);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} refused the start for {TriggeredBy}: {Reason}")]
    private partial void LogRefused(string pipeline, string triggeredBy, string reason);
}
