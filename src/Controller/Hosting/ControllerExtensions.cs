using Farm.Controller.Admin;
using Farm.Controller.Artifacts;
using Farm.Controller.Cluster;
using Farm.Controller.Deployments;
using Farm.Controller.Dispatch;
using Farm.Controller.Executions;
using Farm.Controller.Identity;
using Farm.Controller.Logs;
using Farm.Controller.Notifications;
using Farm.Controller.Pipelines;
using Farm.Controller.Secrets;
using Farm.Controller.Security;
using Farm.Controller.Sources;
using Farm.Controller.Storage;
using Farm.Controller.Telemetry;
using Farm.Controller.Triggers;
using Farm.Core.Executions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Storage;

namespace Farm.Controller.Hosting;

public static class ControllerExtensions
{
    /// <summary>Registers the controller: options, the embedded store, the Orleans silo and the gRPC API.</summary>
    public static WebApplicationBuilder AddFarmController(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ControllerOptions.Section).Get<ControllerOptions>() ?? new ControllerOptions();
        builder.Services.AddOptions<ControllerOptions>()
            .Bind(builder.Configuration.GetSection(ControllerOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrEmpty(o.NotifyUrl) || Uri.TryCreate(o.NotifyUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                $"{ControllerOptions.Section}:NotifyUrl must be an http:// or https:// address.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ControllerOptions>, ListenValidation>();
        builder.Services.AddSingleton<IValidateOptions<ControllerOptions>, DeploymentValidation>();

        // The gRPC endpoint speaks HTTP/2 only (over TLS, negotiated by ALPN); the webhook endpoint
        // HTTP/1.1, as Git hosts post. With a certificate both serve TLS where their address is https://.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Throws the same messages as the start-up validation, should Kestrel be configured first.
            var certificate = ListenValidation.LoadCertificate(settings, kestrel.ApplicationServices.GetRequiredService<TimeProvider>().GetUtcNow());
            void Listen(string address, HttpProtocols protocols)
            {
                var uri = new Uri(address);
                kestrel.Listen(ListenValidation.BindAddress(uri), uri.Port, o =>
                {
                    o.Protocols = protocols;
                    if (uri.Scheme == Uri.UriSchemeHttps)
                    {
                        o.UseHttps(certificate!);
                    }
                });
            }

            Listen(settings.Listen, HttpProtocols.Http2);
            Listen(settings.WebhookListen, HttpProtocols.Http1);
        });

        // Per-request and start-up chatter of the frameworks drowns Farm's own events; their
        // warnings and errors still show. Logging settings in configuration override these.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning);

        builder.Services.AddSingleton<DataFolderCheck>();
        builder.Services.AddSingleton<LogStore>();
        builder.Services.AddSingleton<ArtifactStore>();
        builder.AddFarmSecurity();

        builder.UseOrleans(silo =>
        {
            silo.UseFarmClustering(settings);
            silo.Services.AddFarmGrainServices();
        });

        builder.AddFarmTelemetry(settings);
        builder.Services.AddHostedService<ExecutionRecovery>();
        builder.Services.AddHostedService<FailoverRecovery>();
        builder.AddFarmTriggers();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<TokenInterceptor>();
            o.ConfigureFarmGrpcLimits();
        }).AddServiceOptions<AgentSessionService>(o => o.ConfigureFarmAgentGrpcLimits());
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<StoreHealthCheck>();
        builder.Services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store");
        return builder;
    }

    /// <summary>
    /// What every silo needs besides clustering and options: the relational store, grain storage on it,
    /// the clock, and the serializer for core types. Shared with the tests' in-process cluster.
    /// </summary>
    public static IServiceCollection AddFarmGrainServices(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<FarmMetrics>();
        services.AddHttpClient(nameof(Notifier));
        services.AddSingleton<Notifier>();
        services.AddHostedService(sp => sp.GetRequiredService<Notifier>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new FarmDatabase(StoreSelection.Dialect(sp.GetRequiredService<IOptions<ControllerOptions>>().Value)));
        services.AddSingleton<ExecutionHistory>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<PipelineCatalog>();
        services.AddSingleton<RelationalGrainStorage>();
        services.AddSingleton<SecretStore>();
        services.TryAddSingleton<ISourceResolver, GitSourceResolver>();
        services.AddSingleton<ExecutionStarter>();
        services.AddSingleton<ExecutionGrains>();
        services.AddKeyedSingleton<IGrainStorage>(RelationalGrainStorage.Name, (sp, _) => sp.GetRequiredService<RelationalGrainStorage>());
        // Core types stay free of Orleans attributes; they cross grain calls as JSON, and are copied
        // within a silo as JSON too, except the execution, which is immutable and shared.
        services.AddSerializer(s => s.AddJsonSerializer(
            isSerializable: IsCoreType,
            isCopyable: type => IsCoreType(type) && type != typeof(ExecutionRun)));
        services.AddSingleton<IGeneralizedCopier, ExecutionRunCopier>();
        return services;
    }

    private static bool IsCoreType(Type type) => type.Namespace?.StartsWith("Farm.Core", StringComparison.Ordinal) == true;

    public static WebApplication MapFarmController(this WebApplication app)
    {
        // Opens (and migrates) the store now, so a bad data folder or database stops the start with its reason.
        app.Services.GetRequiredService<FarmDatabase>();
        // Before the endpoint answers, so whoever sees it up can read the admin token.
        app.Services.GetRequiredService<AdminTokenBootstrap>().EnsureAdminTokenAsync().GetAwaiter().GetResult();
        app.Services.GetRequiredService<DataFolderCheck>().Warn();
        app.MapGrpcService<PipelinesService>();
        app.MapGrpcService<ExecutionsService>();
        app.MapGrpcService<AgentSessionService>();
        app.MapGrpcService<AdminService>();
        app.MapGrpcService<DeploymentsService>();
        app.MapGrpcService<IdentityService>();
        app.MapGrpcService<DoctorService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        app.MapFarmTriggers();
        app.MapFarmTelemetry();
        return app;
    }
}
