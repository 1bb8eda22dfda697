using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Farm.Controller.Hosting;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Notifications;

/// <summary>One event sent to the notification webhook.</summary>
/// <param name="Event"><c>approval.waiting</c>, <c>execution.succeeded</c> or <c>execution.failed</c>.</param>
public sealed record Notification(
    string Event, string Pipeline, string ExecutionId, string Status, string? Stage, string? Action, string? Message, DateTimeOffset At);

/// <summary>
/// Posts notifications to the configured URL as JSON, signed like GitHub's webhooks:
/// <c>X-Farm-Signature: sha256=HEX(HMAC-SHA256(secret, body))</c>. Posting happens on a
/// background loop, so a grain that notifies never waits on the network; a failed post is tried
/// again three times with growing waits, then logged and dropped. Nothing is sent when no URL is
/// configured.
/// </summary>
public sealed partial class Notifier(IOptions<ControllerOptions> options, IHttpClientFactory clients, ILogger<Notifier> logger)
    : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Queues a notification; returns at once.</summary>
    public void Send(Notification notification)
    {
        if (!string.IsNullOrEmpty(options.Value.NotifyUrl))
        {
            _queue.Writer.TryWrite(notification);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notification in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(notification, Json);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await PostAsync(body, stoppingToken);
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    if (attempt == 4)
                    {
                        LogDropped(notification.Event, notification.ExecutionId, e.Message);
                        break;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt - 1)), stoppingToken);
                }
            }
        }
    }

    private async Task PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Value.NotifyUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(options.Value.NotifySecret))
        {
            var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.NotifySecret), body);
            request.Headers.Add("X-Farm-Signature", "sha256=" + Convert.ToHexStringLower(signature));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var response = await clients.CreateClient(nameof(Notifier)).SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the notification URL answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, Message = "Notification {Event} of {ExecutionId} dropped after 4 tries: {Reason}")]
    private partial void LogDropped(string @event, string executionId, string reason);
}
