using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// A small HTTP server on a free loopback port that answers 200 to every POST and keeps what it got,
/// for the controller's notifications and for http actions to call.
/// </summary>
public sealed class NotificationSink : IDisposable
{
    public const string Secret = "sink-secret";
    private readonly HttpListener _listener = new();
    private readonly Channel<(string Path, string Body, string? Signature)> _received = Channel.CreateUnbounded<(string, string, string?)>();

    public NotificationSink(int port)
    {
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>The next request whose body contains <paramref name="text"/>; fails after 30 s.</summary>
    public async Task<(string Path, string Body, string? Signature)> NextContainingAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = await _received.Reader.ReadAsync(timeout.Token);
            if (next.Body.Contains(text, StringComparison.Ordinal))
            {
                return next;
            }
        }
    }

    public static string Sign(string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body)));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            _received.Writer.TryWrite((context.Request.Url!.AbsolutePath, body, context.Request.Headers["X-Farm-Signature"]));
            var answer = Encoding.UTF8.GetBytes($$"""{"id": "ticket-42", "received": {{body.Length}}}""");
            context.Response.StatusCode = context.Request.Url.AbsolutePath.EndsWith("/missing", StringComparison.Ordinal) ? 404 : 201;
            context.Response.ContentType = "application/json";
            context.Response.Headers["X-Request-Id"] = "req-7";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
