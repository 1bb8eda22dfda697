using Farm.Controller.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Farm.Controller.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry: Farm's and the .NET runtime's metrics for the Prometheus scrape endpoint, and Farm's spans sent to
    /// <see cref="ControllerOptions.OtlpEndpoint"/> when one is set. Each controller of a cluster
    /// names itself by its silo endpoint, so a fleet's series and spans tell the controllers apart.
    /// </summary>
    public static WebApplicationBuilder AddFarmTelemetry(this WebApplicationBuilder builder, ControllerOptions settings)
    {
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("farm-controller", serviceInstanceId: $"{settings.SiloAddress}:{settings.SiloPort}"))
            // System.Runtime: the runtime's own series (GC, JIT, thread pool, exceptions), for an operator
            // asking where a controller's CPU or memory goes.
            .WithMetrics(metrics => metrics.AddMeter(FarmMetrics.MeterName, "System.Runtime").AddPrometheusExporter())
            .WithTracing(tracing =>
            {
                tracing.AddSource(FarmTracing.SourceName);
                if (!string.IsNullOrWhiteSpace(settings.OtlpEndpoint))
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(settings.OtlpEndpoint));
                }
            });
        return builder;
    }

    /// <summary>
    /// Serves <c>/metrics</c> in Prometheus' text format on the HTTP/1.1 endpoint
    /// (<see cref="ControllerOptions.WebhookListen"/>), since Prometheus does not scrape over the
    /// gRPC endpoint's HTTP/2-only listener. Which endpoint a request came in on is read from the
    /// connection's local port: the Host header (what <c>RequireHost</c> matches) is the client's to
    /// choose, so a request to the gRPC port that names the webhook port there would pass it.
    /// </summary>
    public static WebApplication MapFarmTelemetry(this WebApplication app)
    {
        var port = new Uri(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ControllerOptions>>().Value.WebhookListen).Port;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == port && context.Request.Path == "/metrics");
        return app;
    }
}
