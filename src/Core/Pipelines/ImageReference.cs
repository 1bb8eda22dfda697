using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Farm.Core.Pipelines;

/// <summary>
/// Checks container image references against the grammar of Docker's distribution/reference
/// package: <c>[host[:port]/]path[:tag][@sha256:digest]</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The first <c>/</c>-separated part is a registry host only when it holds a <c>.</c> or a
/// <c>:</c> or is <c>localhost</c>, as Docker decides, and is a valid host; otherwise it is part
/// of the path (<c>team/app</c> and <c>my_team.x/app</c> live on Docker Hub), as the grammar's
/// regular expression would read it.</item>
/// <item>Host: DNS labels of letters, digits and inner dashes joined by dots, or a bracketed IPv6
/// address, with an optional numeric port.</item>
/// <item>Path components: lowercase letters and digits, separated inside a component by one
/// <c>.</c>, one <c>_</c>, <c>__</c>, or one or more <c>-</c>; components joined by <c>/</c>.</item>
/// <item>Tag: <c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>. Digest: <c>sha256:</c> and 64 lowercase hex digits.</item>
/// <item>The name (host and path) is at most 255 characters.</item>
/// </list>
/// Farm only accepts sha256 digests; Docker's grammar allows other algorithms that no registry
/// Farm talks to uses.
/// </remarks>
public static partial class ImageReference
{
    /// <summary>The longest name (registry host and path, without tag or digest) Docker accepts.</summary>
    public const int MaxNameLength = 255;

    private const string Form = "write it as [registry[:port]/]name[:tag][@sha256:digest], e.g. alpine:3.20 or registry.example.com/team/app:1.2";

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathComponent();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Domain();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();

    /// <summary>True when <paramref name="reference"/> follows the grammar above.</summary>
    public static bool IsValid(string reference) => TryValidate(reference, out _);

    /// <summary>
    /// Checks <paramref name="reference"/> against the grammar above. When it does not follow it,
    /// returns false and sets <paramref name="error"/> to a sentence, starting in lowercase so it
    /// can follow a colon, that says what is wrong and how to write it instead.
    /// </summary>
    public static bool TryValidate(string reference, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(reference);
        error = Check(reference);
        return error is null;
    }

    private static string? Check(string reference)
    {
        if (reference.Length == 0)
        {
            return "the image is empty; " + Form;
        }

        if (reference.Any(char.IsWhiteSpace))
        {
            return "an image reference cannot contain spaces; " + Form;
        }

        var rest = reference;
        var digest = "";
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[at..];
            rest = rest[..at];
            if (!Digest().IsMatch(digest[1..]))
            {
                return $"the digest '{digest[1..]}' is not valid; write it as sha256: followed by 64 lowercase hex digits";
            }
        }

        // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
        var tag = "";
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[colon..];
            rest = rest[..colon];
            if (!Tag().IsMatch(tag[1..]))
            {
                return $"the tag '{tag[1..]}' is not valid; a tag is 1-128 letters, digits, '_', '.' or '-', and does not start with '.' or '-'";
            }
        }

        var name = rest;
        if (name.Length == 0)
        {
            return "the image name is missing; " + Form;
        }

        if (name.Length > MaxNameLength)
        {
            return $"the image name is {name.Length} characters long; shorten it to at most {MaxNameLength}";
        }

        var domain = "";
        var path = name;
        var slash = name.IndexOf('/');
        if (slash >= 0)
        {
            var first = name[..slash];
            if (Domain().IsMatch(first) && (first.Contains('.') || first.Contains(':') || first == "localhost"))
            {
                domain = first;
                path = name[(slash + 1)..];
            }
            else if (first.Contains(':'))
            {
                // A port says the author meant a registry; a path component could never hold ':'.
                return $"the registry '{first}' is not a valid host[:port]; " + Form;
            }
        }

        if (path.Contains(':'))
        {
            return "the image has more than one tag (':'); keep a single ':tag' at the end, " + Form;
        }

        var components = path.Split('/');
        if (components.Any(c => c.Length == 0))
        {
            return "the image has an empty path component; remove the leading, trailing or doubled '/'";
        }

        foreach (var component in components)
        {
            if (PathComponent().IsMatch(component))
            {
                continue;
            }

            // Uppercase is the mistake people make most; name the fix outright.
            if (PathComponent().IsMatch(component.ToLowerInvariant()))
            {
                var domainPart = domain.Length > 0 ? domain + "/" : "";
                return $"repository names must be lowercase; use '{domainPart}{path.ToLowerInvariant()}{tag}{digest}'";
            }

            return $"'{component}' is not a valid path component; use lowercase letters and digits, separated by '.', '_', '__' or '-'";
        }

        return null;
    }
}
