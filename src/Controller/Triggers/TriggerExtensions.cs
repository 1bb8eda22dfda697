using System.Net;
using Farm.Controller.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Farm.Controller.Triggers;

public static class TriggerExtensions
{
    /// <summary>
    /// Registers triggers: polling and schedules in <see cref="TriggerService"/>, and the webhook
    /// endpoint on its own HTTP/1.1 address (<see cref="ControllerOptions.WebhookListen"/>), since
    /// the gRPC address speaks HTTP/2 only and Git hosts post with HTTP/1.1.
    /// </summary>
    public static WebApplicationBuilder AddFarmTriggers(this WebApplicationBuilder builder)
    {
        // Its address (http:// on loopback, or https:// with the certificate) is checked, and listened
        // on, with the gRPC one in ControllerExtensions and ListenValidation.
        builder.Services.AddOptions<ControllerOptions>()
            .Validate(o => WebhookUri(o) is not { } webhook || !Uri.TryCreate(o.Listen, UriKind.Absolute, out var grpc) || grpc.Port != webhook.Port,
                $"{ControllerOptions.Section}:WebhookListen must use another port than {ControllerOptions.Section}:Listen.");

        builder.Services.AddFarmTriggerServices();
        builder.Services.AddSingleton<ITriggerStarter, ExecutionStarterAdapter>();
        builder.Services.AddSingleton<ITriggerPipelines, StoredPipelines>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TriggerService>());
        return builder;
    }

    /// <summary>
    /// The trigger services that need no host: the launcher, the poller and scheduler, the webhook
    /// receiver and its providers. Callers add an <see cref="ITriggerStarter"/> and an
    /// <see cref="ITriggerPipelines"/>; tests add their own.
    /// </summary>
    public static IServiceCollection AddFarmTriggerServices(this IServiceCollection services)
    {
        services.AddSingleton<GitRemote>();
        services.AddSingleton<TriggerLauncher>();
        services.AddSingleton<TriggerService>();
        services.AddSingleton<IWebhookProvider, GitHubWebhook>();
        services.AddSingleton<IWebhookProvider, GitLabWebhook>();
        services.AddSingleton<IWebhookProvider, GiteaWebhook>();
        services.AddSingleton<WebhookReceiver>();
        services.AddSingleton<WebhookDirectory>();
        return services;
    }

    /// <summary>
    /// Maps <c>POST /webhooks/{provider}/{pipeline}/{trigger}</c> (the trigger is named by its source,
    /// the git action it watches), answered only on <paramref name="port"/> (the webhook address's), so
    /// it is not reachable through the gRPC address.
    /// </summary>
    public static IEndpointRouteBuilder MapFarmWebhooks(this IEndpointRouteBuilder endpoints, int port)
    {
        endpoints.MapPost("/webhooks/{provider}/{pipeline}/{trigger}", async (
            string provider, string pipeline, string trigger, HttpContext context, WebhookReceiver receiver) =>
        {
            if (context.Connection.LocalPort != port)
            {
                return Results.NotFound();
            }

            var body = await ReadBodyAsync(context);
            if (body is null)
            {
                return Results.Text($"the body is over {WebhookReceiver.MaxBodyBytes / 1024 / 1024} MiB.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            var headers = context.Request.Headers;
            var result = await receiver.ReceiveAsync(
                provider, pipeline, trigger, name => headers.TryGetValue(name, out var value) ? value.ToString() : null, body, context.RequestAborted);
            return Results.Text(result.Message, "text/plain; charset=utf-8", statusCode: result.StatusCode);
        });
        return endpoints;
    }

    /// <summary>Maps the webhook endpoint on the configured <see cref="ControllerOptions.WebhookListen"/> port.</summary>
    public static WebApplication MapFarmTriggers(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ControllerOptions>>().Value;
        app.MapFarmWebhooks(WebhookUri(options)!.Port);
        return app;
    }

    /// <summary>The body, or null when it is over <see cref="WebhookReceiver.MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > WebhookReceiver.MaxBodyBytes)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = WebhookReceiver.MaxBodyBytes + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > WebhookReceiver.MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    private static Uri? WebhookUri(ControllerOptions options) =>
        Uri.TryCreate(options.WebhookListen, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && (uri.Host is "localhost" || IPAddress.TryParse(uri.DnsSafeHost, out _)) && uri.AbsolutePath == "/"
            ? uri
            : null;
}
