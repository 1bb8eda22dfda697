namespace Farm.Controller.Triggers;

/// <summary>GitLab: the secret comes back as <c>X-Gitlab-Token</c>; <c>X-Gitlab-Event</c> names the event.</summary>
public sealed class GitLabWebhook : IWebhookProvider
{
    public string Name => "gitlab";

    public string EventHeader => "X-Gitlab-Event";

    public bool IsAuthentic(Func<string, string?> header, ReadOnlySpan<byte> body, string secret) =>
        WebhookSignature.TokenMatches(header("X-Gitlab-Token"), secret);

    public WebhookEventKind Classify(string eventName) => eventName switch
    {
        "Push Hook" or "Tag Push Hook" => WebhookEventKind.Push,
        _ => WebhookEventKind.Other,
    };

    public string? DeliveryId(Func<string, string?> header) => header("X-Gitlab-Event-UUID") ?? header("X-Gitlab-Webhook-UUID");

    public PushEvent ReadPush(ReadOnlySpan<byte> body) =>
        PushPayload.Read(body, [
            "repository.git_http_url", "repository.git_ssh_url", "repository.url", "repository.homepage",
            "project.git_http_url", "project.git_ssh_url", "project.web_url",
        ]);

    public string Instructions(string url) =>
        $"In the project on GitLab: Settings → Webhooks → Add new webhook. URL: {url}. Secret token: the trigger's secret, shown above. "
        + "Trigger: \"Push events\" (and \"Tag push events\" if the trigger includes tags). GitLab always sends application/json.";
}
