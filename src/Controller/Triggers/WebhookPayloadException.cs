namespace Farm.Controller.Triggers;

/// <summary>A webhook body that cannot be read as a push; the message says what is wrong with it.</summary>
public sealed class WebhookPayloadException(string message) : Exception(message);
