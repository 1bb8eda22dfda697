using Farm.Agent.Artifacts;
using Farm.Agent.Attempts;
using Farm.Agent.Executors;
using Farm.Agent.Logs;
using Farm.Agent.Sessions;
using Farm.Agent.Telemetry;
using Farm.Api.Client;
using Farm.Api.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Farm.Agent.Hosting;

public static class AgentExtensions
{
    private const string DefaultAddress = "http://127.0.0.1:7070";

    private static string? AddressProblem(string addresses)
    {
        try
        {
            ControllerChannel.ParseAddresses(addresses, $"{AgentOptions.Section}:Controller", DefaultAddress);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Registers the agent: options validated at start, one gRPC channel, executors, the session
    /// worker, and a host shutdown timeout long enough for <paramref name="drain"/> (default
    /// <see cref="DrainOptions"/>: 10 minutes' grace).
    /// </summary>
    public static IHostApplicationBuilder AddFarmAgent(this IHostApplicationBuilder builder, DrainOptions? drain = null)
    {
        drain ??= new DrainOptions();
        builder.Services.AddSingleton(Options.Create(drain));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drain.ShutdownTimeout);
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddOptions<AgentOptions>()
            .Bind(builder.Configuration.GetSection(AgentOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => AddressProblem(o.Controller) is null,
                $"{AgentOptions.Section}:Controller must be an http:// or https:// address such as http://127.0.0.1:7070, or several of one scheme separated by commas (the controllers of a cluster).")
            .Validate(o => string.IsNullOrWhiteSpace(o.CaCertificatePath) || ControllerTrust.TryLoad(o.CaCertificatePath) is not null,
                $"{AgentOptions.Section}:CaCertificatePath must name a readable PEM file with at least one CA certificate (-----BEGIN CERTIFICATE-----).")
            .Validate(o => o.Labels.All(l => !string.IsNullOrWhiteSpace(l)), $"{AgentOptions.Section}:Labels must not contain empty labels.")
            .Validate(o => o.AllowedVolumes.All(v => v.StartsWith('/')), $"{AgentOptions.Section}:AllowedVolumes must hold absolute host paths or globs, such as /srv/www/**.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, DockerHostValidation>();

        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            var handler = new SocketsHttpHandler
            {
                // Finds a dead controller in seconds even when no message is due.
                KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
            };
            // Validated at start: set means a readable CA file. Without it, https:// is checked against the system's roots.
            if (!string.IsNullOrWhiteSpace(options.CaCertificatePath))
            {
                handler.TrustOnly(ControllerTrust.TryLoad(options.CaCertificatePath)!);
            }

            // Several controllers: calls go to the first that answers, and to the next when it fails.
            // The channel's own reconnect backoff ends where the agent's does, so a controller back
            // after a long outage hears from its agents within MaxReconnectDelay.
            return ControllerChannel.Create(ControllerChannel.ParseAddresses(options.Controller, $"{AgentOptions.Section}:Controller", DefaultAddress), handler,
                maxReconnectBackoff: options.MaxReconnectDelay);
        });
        builder.Services.AddSingleton(sp => new AgentSessions.AgentSessionsClient(sp.GetRequiredService<GrpcChannel>()));
        builder.Services.AddSingleton<ControllerCallOptions>();
        builder.Services.AddSingleton<DockerEngine>();
        builder.Services.AddSingleton<EngineMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineMonitor>());
        builder.Services.AddSingleton<ContainerExecutor>();
        builder.Services.AddSingleton<ImageBuildExecutor>();
        builder.Services.AddSingleton<DeployExecutor>();
        builder.Services.AddSingleton<ShellExecutor>();
        builder.Services.AddSingleton<GitExecutor>();
        builder.Services.AddSingleton<HttpExecutor>();
        builder.Services.AddSingleton<LogShipper>();
        builder.Services.AddSingleton<ArtifactTransfer>();
        builder.Services.AddSingleton<AttemptSupervisor>();
        builder.Services.AddHostedService<AgentWorker>();
        if (builder.Configuration[$"{AgentOptions.Section}:OtlpEndpoint"] is { Length: > 0 } otlp
            && Uri.TryCreate(otlp, UriKind.Absolute, out var collector))
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("farm-agent"))
                .WithTracing(t => t.AddSource(AgentTracing.SourceName).AddOtlpExporter(o => o.Endpoint = collector));
        }

        return builder;
    }
}
