namespace Farm.Controller.Triggers;

/// <summary>Gitea (and Forgejo): <c>X-Gitea-Signature: HEX</c>, <c>X-Gitea-Event</c>, <c>X-Gitea-Delivery</c>.</summary>
public sealed class GiteaWebhook : IWebhookProvider
{
    public string Name => "gitea";

    public string EventHeader => "X-Gitea-Event";

    public bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body, string secret) =>
        WebhookSignature.HexMatches(header("X-Gitea-Signature"), secret, body);

    public WebhookEventKind Classify(string eventName) => eventName == "push" ? WebhookEventKind.Push : WebhookEventKind.Other;

    public string? DeliveryId(Func<string, string?> header) => header("X-Gitea-Delivery");

    public PushEvent ReadPush(ReadOnlySpan<byte> body) =>
        PushPayload.Read(body, ["repository.clone_url", "repository.ssh_url", "repository.html_url", "repository.url"]);

    public string Instructions(string url) =>
        $"In the repository on Gitea: Settings → Webhooks → Add webhook → Gitea. Target URL: {url}. HTTP method: POST. "
        + "POST content type: application/json. Secret: the trigger's secret, shown above. Trigger on: \"Push events\".";
}
