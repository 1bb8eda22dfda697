namespace Farm.Controller.Triggers;

/// <summary>The HTTP answer to a webhook delivery: a status and a short text saying what happened.</summary>
public sealed record WebhookResult(int StatusCode, string Message);
