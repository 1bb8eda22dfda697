namespace Farm.Controller.Triggers;

/// <summary>
/// Compares repository addresses as a Git host and a pipeline write them: scheme, user, port, a
/// trailing <c>.git</c> or <c>/</c> and case do not count, and <c>git@host:owner/repo</c> is the
/// same as <c>ssh://git@host/owner/repo</c>. Local paths and <c>file://</c> URLs compare as paths.
/// </summary>
public static class RepositoryAddress
{
    public static bool Same(string a, string b) => string.Equals(Normalize(a), Normalize(b), StringComparison.OrdinalIgnoreCase);

    public static string Normalize(string address)
    {
        var text = address.Trim();
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && text.Contains("://", StringComparison.Ordinal))
        {
            text = uri.IsFile ? uri.LocalPath : uri.Host + "/" + uri.AbsolutePath.TrimStart('/');
        }
        else if (!text.StartsWith('/') && text.IndexOf(':') is var colon and > 0 && text.IndexOf('/') is var slash && (slash < 0 || colon < slash))
        {
            // scp-like: [user@]host:path
            var host = text[..colon];
            text = host[(host.IndexOf('@') + 1)..] + "/" + text[(colon + 1)..].TrimStart('/');
        }

        text = text.TrimEnd('/');
        if (text.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^4].TrimEnd('/');
        }

        return text;
    }
}
