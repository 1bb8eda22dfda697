using System.Security.Cryptography;
using Farm.Controller.Security;
using Farm.Controller.Sources;
using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Triggers;

/// <summary>
/// Decides what a webhook delivery to <c>/webhooks/{provider}/{pipeline}/{trigger}</c> does, in this
/// order: an unknown provider is 404 (the providers are no secret); then the signature or token is
/// checked against the trigger's own secret, before the body is read. An address that names no
/// webhook trigger of an applied pipeline is checked against a dummy secret instead, and every
/// failure answers the same 401 with the same text, so the answer never tells which pipelines
/// exist; looking an address up activates no grain unless it names a webhook trigger. Then the
/// event, the payload (400 when it cannot be read), the repository, the ref and path filters decide
/// between going on and ignoring (202, "ignored: …"); a commit that is not the ref's head in the
/// repository (asked with <c>git ls-remote</c>) is refused (409) and audited; then the commit's
/// earlier starts decide between starting (202, "started …") and ignoring. A pipeline that refuses
/// the start answers 409, and the host's redelivery may try again. Thread-safe; free of HTTP so
/// tests can drive it.
/// </summary>
public sealed partial class WebhookReceiver(
    IEnumerable<IWebhookProvider> providers, ITriggerPipelines pipelines, IGrainFactory grains, TriggerLauncher launcher,
    GitRemote remote, AuditLog audit, TimeProvider time, ILogger<WebhookReceiver> logger)
{
    /// <summary>The largest body accepted: 1 MiB, far above any push of a few hundred commits.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The one answer to a delivery that does not prove it knows the secret of a webhook trigger at its address.</summary>
    public static readonly WebhookResult NotAuthentic = new(401,
        "the delivery's signature or token does not match the webhook secret of this address; "
        + "copy the URL and the secret from 'farm webhooks PIPELINE' into the webhook's settings.");

    private readonly Dictionary<string, IWebhookProvider> _providers = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    // Checked against when the address names no webhook trigger, so that such a delivery costs what a
    // real one with a wrong signature does; nobody knows it, so it never matches.
    private readonly string _dummySecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyCollection<IWebhookProvider> Providers => _providers.Values;

    public async Task<WebhookResult> ReceiveAsync(
        string providerName, string pipelineName, string triggerName, Func<string, string?> header, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken)
    {
        if (!_providers.TryGetValue(providerName, out var provider))
        {
            return new WebhookResult(404, $"unknown provider '{providerName}'; use {string.Join(", ", _providers.Keys.Order())}.");
        }

        var pipeline = await pipelines.GetAsync(pipelineName);
        var trigger = pipeline?.Triggers.FirstOrDefault(t => t is { Webhook: true } && t.Source == triggerName);
        var secret = trigger is null ? _dummySecret : await grains.GetGrain<ITriggerGrain>(pipeline!.Name).GetSecret(trigger.Source!);
        if (!provider.IsAuthentic(header, body.Span, secret) || trigger is null)
        {
            if (trigger is null)
            {
                LogNoSuchWebhook(provider.Name, pipelineName, triggerName);
            }
            else
            {
                LogForged(provider.Name, pipeline!.Name, trigger.Source!);
            }

            return NotAuthentic;
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

        if (TriggerRules.SourceOf(pipeline!, trigger) is not { } git)
        {
            return Ignored($"pipeline '{pipeline!.Name}' has no git action '{trigger.Source}' for the trigger to watch");
        }

        if (!push.RepositoryUrls.Any(url => RepositoryAddress.Same(url, git.Repository)))
        {
            return Ignored($"repository {push.RepositoryUrls[0]} is not the trigger's source ({git.Repository})");
        }

        if (push.Deleted)
        {
            return Ignored("deletion");
        }

        if ((TriggerRules.RefIgnoredBecause(trigger, push.Ref)
            ?? (TriggerRules.PathsMatch(trigger, push.Ref, push.ChangedFiles) ? null : "no changed file matches paths")) is { } reason)
        {
            return Ignored(reason);
        }

        var by = provider.DeliveryId(header) is { Length: > 0 } delivery
            ? $"webhook: {provider.Name} delivery {delivery}"
            : $"webhook: {provider.Name} push";
        if (await HeadRefusalAsync(git.Repository, push, cancellationToken) is { } refusal)
        {
            LogNotHead(pipeline!.Name, by, refusal.Message);
            await audit.WriteAsync(new AuditRecord(time.GetUtcNow(), by, "WebhookRefused", $"{pipeline.Name}/{trigger.Source}", refusal.Message));
            return refusal;
        }

        return await StartAsync(pipeline!, trigger, push, by, cancellationToken);
    }

    /// <summary>
    /// Null when the pushed commit is what the ref names in the repository now; otherwise the answer
    /// that refuses the delivery. A signature proves who sent the delivery, not that its commit is the
    /// branch's: without this, a leaked secret (GitLab sends it in clear) could start any commit.
    /// </summary>
    private async Task<WebhookResult?> HeadRefusalAsync(string repository, PushEvent push, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> targets;
        try
        {
            targets = await remote.RefTargetsAsync(repository, push.Ref, cancellationToken);
        }
        catch (SourceResolutionException e)
        {
            return new WebhookResult(502, $"not started: could not check {push.Ref} in {repository} with git ls-remote ({e.Message}); the host's redelivery may try again.");
        }

        var after = push.After.ToLowerInvariant();
        return targets.Count == 0
            ? new WebhookResult(409, $"not started: {repository} has no {push.Ref}, so commit {TriggerRules.Short(after)} is not its head.")
            : targets.Contains(after)
                ? null
                : new WebhookResult(409,
                    $"not started: {push.Ref} in {repository} is at {TriggerRules.Short(targets[^1])}, not at the pushed {TriggerRules.Short(after)}; "
                    + "a push that moved it on, or the next poll, starts the newer commit.");
    }

    private async Task<WebhookResult> StartAsync(
        PipelineDefinition pipeline, TriggerDefinition trigger, PushEvent push, string by, CancellationToken cancellationToken)
    {
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

    [LoggerMessage(EventId = 1510, Level = LogLevel.Warning, Message = "A {Provider} webhook delivery for trigger {Trigger} of {Pipeline} had a wrong or missing signature; refused")]
    private partial void LogForged(string provider, string pipeline, string trigger);

    [LoggerMessage(EventId = 1511, Level = LogLevel.Information, Message = "Webhook started {ExecutionId} for {Ref} {Commit} ({TriggeredBy})")]
    private partial void LogStarted(string executionId, string @ref, string commit, string triggeredBy);

    [LoggerMessage(EventId = 1512, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} refused the start for {TriggeredBy}: {Reason}")]
    private partial void LogRefused(string pipeline, string triggeredBy, string reason);

    // Debug: anyone can send these, so at a higher level they would fill the log for free.
    [LoggerMessage(EventId = 1513, Level = LogLevel.Debug, Message = "A {Provider} webhook delivery named no webhook trigger ({Pipeline}/{Trigger}); refused as unauthentic")]
    private partial void LogNoSuchWebhook(string provider, string pipeline, string trigger);

    [LoggerMessage(EventId = 1514, Level = LogLevel.Warning, Message = "A webhook delivery for {Pipeline} was refused ({TriggeredBy}): {Reason}")]
    private partial void LogNotHead(string pipeline, string triggeredBy, string reason);
}
