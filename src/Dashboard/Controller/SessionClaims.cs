using System.Security.Claims;

namespace Farm.Dashboard.Controller;

/// <summary>
/// What the session cookie holds: the token's name and role, as the controller told them at sign-in,
/// and the API token itself. The cookie is encrypted with the dashboard's Data Protection keys, so the
/// browser holds the token only in a form it cannot read.
/// </summary>
public static class SessionClaims
{
    public const string Token = "farm:token";
    public const string Role = "farm:role";

    public static ClaimsPrincipal Create(string name, string role, string token, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(Role, role), new Claim(Token, token)], scheme));

    /// <summary>The token of a signed-in user; null for anyone else.</summary>
    public static string? TokenOf(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.FindFirst(Token)?.Value : null;

    public static UserAccess AccessOf(ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? "", user.FindFirst(Role)?.Value ?? "viewer");
}
