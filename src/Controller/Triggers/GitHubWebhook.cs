namespace Farm.Controller.Triggers;

/// <summary>GitHub: <c>X-Hub-Signature-256: sha256=HEX</c>, <c>X-GitHub-Event</c>, <c>X-GitHub-Delivery</c>.</summary>
public sealed class GitHubWebhook : IWebhookProvider
{
    private const string Prefix = "sha256=";

    public string Name => "github";

    public string EventHeader => "X-GitHub-Event";

    public bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body, string secret) =>
        header("X-Hub-Signature-256") is { } signature
        && signature.StartsWith(Prefix, StringComparison.Ordinal)
        && WebhookSignature.HexMatches(signature[Prefix.Length..], secret, body);

    public WebhookEventKind Classify(string eventName) => eventName switch
    {
        "push" => WebhookEventKind.Push,
        "ping" => WebhookEventKind.Ping,
        _ => WebhookEventKind.Other,
    };

    public string? DeliveryId(Func<string, string?> header) => header("X-GitHub-Delivery");

    public PushEvent ReadPush(ReadOnlySpan<byte> body) =>
        PushPayload.Read(body, ["repository.clone_url", "repository.ssh_url", "repository.git_url", "repository.html_url", "repository.url"]);

    public string Instructions(string url) =>
        $"In the repository on GitHub: Settings → Webhooks → Add webhook. Payload URL: {url}. Content type: application/json. "
        + "Secret: the trigger's secret, shown above. Events: \"Just the push event\". GitHub sends a ping first, which Farm answers with \"pong\".";
}
