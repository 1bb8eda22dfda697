using System.Net;
using System.Net.Sockets;
using Farm.Controller.Hosting;
using Farm.Controller.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Farm.Controller.Tests.Telemetry;

/// <summary>The scrape endpoint on a real Kestrel with two listeners, as the controller has: which one a request came in on decides.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly int _grpcPort = FreePort();
    private readonly int _webhookPort = FreePort();
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        var settings = new ControllerOptions { Listen = $"http://127.0.0.1:{_grpcPort}", WebhookListen = $"http://127.0.0.1:{_webhookPort}" };
        var builder = WebApplication.CreateSlimBuilder();
        // Both HTTP/1.1 here, so that one client can try both; the controller's gRPC listener is HTTP/2.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, _grpcPort, o => o.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, _webhookPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddOptions<ControllerOptions>().Configure(o => (o.Listen, o.WebhookListen) = (settings.Listen, settings.WebhookListen));
        builder.AddFarmTelemetry(settings);
        _app = builder.Build();
        _app.MapFarmTelemetry();
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<HttpStatusCode> GetAsync(int port, string? host = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact(Timeout = 60_000)]
    public async Task Metrics_answer_on_the_webhook_port_only_whatever_the_host_header_says()
    {
        var onWebhookPort = await GetAsync(_webhookPort);
        var onGrpcPort = await GetAsync(_grpcPort);
        var forgedHost = await GetAsync(_grpcPort, host: $"127.0.0.1:{_webhookPort}");
        var forgedName = await GetAsync(_grpcPort, host: $"controller.example:{_webhookPort}");

        Assert.Equal(HttpStatusCode.OK, onWebhookPort);
        Assert.Equal(HttpStatusCode.NotFound, onGrpcPort);
        Assert.Equal(HttpStatusCode.NotFound, forgedHost);
        Assert.Equal(HttpStatusCode.NotFound, forgedName);
    }
}
