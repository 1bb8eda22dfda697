using Farm.Api.V1;
using Farm.Dashboard.Controller;
using Grpc.Core;

namespace Farm.Dashboard.Downloads;

/// <summary>
/// Whole logs and artifacts as browser downloads: the bytes stream from the controller's ReadLog and
/// DownloadArtifact calls, with the signed-in user's token, straight into the response.
/// </summary>
public static class DownloadEndpoints
{
    public static void MapDownloadEndpoints(this WebApplication app)
    {
        app.MapGet("/download/log/{executionId}/{stage}/{action}", (HttpContext context, ControllerChannel channel, string executionId, string stage, string action, int? attempt) =>
            StreamAsync(context, channel, $"{executionId}-{stage}-{action}.log", "text/plain; charset=utf-8", async (client, body, cancellation) =>
            {
                using var call = client.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = stage, Action = action, Attempt = attempt ?? 0 },
                    cancellationToken: cancellation);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    await StartAsync(context, body);
                    await body.WriteAsync(chunk.Data.Memory, cancellation);
                }
            })).RequireAuthorization();

        app.MapGet("/download/artifact/{executionId}/{name}", (HttpContext context, ControllerChannel channel, string executionId, string name) =>
            StreamAsync(context, channel, $"{executionId}-{name}.tar.gz", "application/gzip", async (client, body, cancellation) =>
            {
                using var call = client.DownloadArtifact(new DownloadArtifactRequest { ExecutionId = executionId, Name = name }, cancellationToken: cancellation);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    await StartAsync(context, body);
                    await body.WriteAsync(chunk.Data.Memory, cancellation);
                }
            })).RequireAuthorization();
    }

    /// <summary>
    /// Runs <paramref name="copy"/>; a refusal that comes before the first byte becomes the matching
    /// status (404, 403, 503, or back to sign-in). A break after bytes were sent aborts the response, so
    /// the browser shows a failed download instead of a short file.
    /// </summary>
    private static async Task StreamAsync(
        HttpContext context, ControllerChannel channel, string fileName, string contentType,
        Func<Executions.ExecutionsClient, Stream, CancellationToken, Task> copy)
    {
        var token = SessionClaims.TokenOf(context.User);
        if (token is null)
        {
            context.Response.Redirect("/signin");
            return;
        }

        context.Response.ContentType = contentType;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{Sanitize(fileName)}\"";
        try
        {
            await copy(new Executions.ExecutionsClient(channel.For(token)), context.Response.Body, context.RequestAborted);
        }
        catch (RpcException e) when (!context.Response.HasStarted)
        {
            context.Response.Headers.ContentDisposition = default;
            if (e.StatusCode == StatusCode.Unauthenticated)
            {
                context.Response.Redirect("/signin/expired");
                return;
            }

            context.Response.StatusCode = e.StatusCode switch
            {
                StatusCode.NotFound => StatusCodes.Status404NotFound,
                StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(e.Status.Detail + "\n");
        }
        catch (RpcException) when (context.Response.HasStarted)
        {
            context.Abort();
        }
    }

    private static Task StartAsync(HttpContext context, Stream body) =>
        context.Response.HasStarted ? Task.CompletedTask : context.Response.StartAsync();

    private static string Sanitize(string fileName) =>
        string.Concat(fileName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
