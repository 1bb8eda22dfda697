using Farm.Agent.Artifacts;
using Farm.Agent.Attempts;
using Farm.Agent.Executors;
using Farm.Agent.Logs;
using Farm.Agent.Sessions;
using Farm.Api.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Hosting;

public static class AgentExtensions
{
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
            .Validate(o => Uri.TryCreate(o.Controller, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                $"{AgentOptions.Section}:Controller must be an http:// or https:// address such as http://127.0.0.1:7070.")
            .Validate(o => string.IsNullOrWhiteSpace(o.CaCertificatePath) || ControllerTrust.TryLoad(o.CaCertificatePath) is not null,
                $"{AgentOptions.Section}:CaCertificatePath must name a readable PEM file with at least one CA certificate (-----BEGIN CERTIFICATE-----).")
            .Validate(o => o.Labels.All(l => !string.IsNullOrWhiteSpace(l)), $"{AgentOptions.Section}:Labels must not contain empty labels.")
            .ValidateOnStart();

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

            return GrpcChannel.ForAddress(options.Controller, new GrpcChannelOptions { HttpHandler = handler });
        });
        builder.Services.AddSingleton(sp => new AgentSessions.AgentSessionsClient(sp.GetRequiredService<GrpcChannel>()));
        builder.Services.AddSingleton<ControllerCallOptions>();
        builder.Services.AddSingleton<DockerEngine>();
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
        return builder;
    }
}
