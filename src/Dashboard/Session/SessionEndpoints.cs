using Farm.Api.V1;
using Farm.Dashboard.Controller;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Farm.Dashboard.Session;

/// <summary>
/// Sign-in, sign-out and the way back after the controller refused a token. Sign-in asks the controller
/// who the pasted token is (Identity.WhoAmI): only a token it accepts becomes a session, with its name
/// and role, in the encrypted cookie.
/// </summary>
public static partial class SessionEndpoints
{
    public static void MapSessionEndpoints(this WebApplication app)
    {
        app.MapPost("/session/signin", SignInAsync).AllowAnonymous();
        app.MapPost("/session/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin?signedout=1");
        }).AllowAnonymous();
        // Reached by navigation from a page whose call came back UNAUTHENTICATED: the cookie can only be
        // cleared by an HTTP response, not from the circuit.
        app.MapGet("/signin/expired", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin?error=expired");
        }).AllowAnonymous();
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, ControllerChannel channel, TimeProvider time, ILoggerFactory loggers, [FromForm] string? token, [FromForm] string? returnUrl)
    {
        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            return Results.LocalRedirect("/signin?error=empty");
        }

        WhoAmIResponse identity;
        try
        {
            identity = await new Identity.IdentityClient(channel.For(token))
                .WhoAmIAsync(new WhoAmIRequest(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(10), cancellationToken: context.RequestAborted);
        }
        catch (RpcException e)
        {
            var reason = e.StatusCode switch
            {
                StatusCode.Unauthenticated => "refused",
                StatusCode.PermissionDenied => "not-api-token",
                _ => "unreachable",
            };
            LogSignInFailed(loggers.CreateLogger(typeof(SessionEndpoints)), e.StatusCode, e.Status.Detail);
            return Results.LocalRedirect($"/signin?error={reason}");
        }

        var principal = SessionClaims.Create(identity.Name, identity.Role, token, CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Sign-in refused: the controller answered {Status}: {Detail}")]
    private static partial void LogSignInFailed(ILogger logger, StatusCode status, string detail);
}
