namespace Farm.Controller.Triggers;

/// <summary>
/// One Git host's webhook dialect: how it proves a delivery came from it, how it names events,
/// and where its push payload keeps the repository's addresses. Implementations are stateless and
/// thread-safe; <see cref="ReadPush"/> throws <see cref="WebhookPayloadException"/> for a body it
/// cannot read.
/// </summary>
public interface IWebhookProvider
{
    /// <summary>The name in the webhook URL: <c>github</c>, <c>gitlab</c>, <c>gitea</c>.</summary>
    string Name { get; }

    /// <summary>The header that names the event.</summary>
    string EventHeader { get; }

    /// <summary>True when the delivery's signature or token proves it knows <paramref name="secret"/>; compared in constant time.</summary>
    bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body, string secret);

    /// <summary>What an event name asks for.</summary>
    WebhookEventKind Classify(string eventName);

    /// <summary>The host's id of this delivery, when it sends one.</summary>
    string? DeliveryId(Func<string, string?> header);

    PushEvent ReadPush(ReadOnlySpan<byte> body);

    /// <summary>How to set the webhook up on the host, for <c>farm pipelines webhooks</c>.</summary>
    string Instructions(string url);
}

/// <summary>The kinds of event a webhook acts on.</summary>
public enum WebhookEventKind
{
    Push,
    Ping,
    Other,
}
