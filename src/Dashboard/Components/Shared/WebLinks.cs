namespace Farm.Dashboard.Components.Shared;

/// <summary>Which addresses the dashboard renders as links to other sites (see <c>WebLink.razor</c>).</summary>
public static class WebLinks
{
    /// <summary>True for an absolute http:// or https:// address with a host; false for every other scheme, relative paths included.</summary>
    public static bool IsWebAddress(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;
}
