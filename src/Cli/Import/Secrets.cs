using System.Text.RegularExpressions;

namespace Farm.Cli.Import;

/// <summary>
/// Keeps credentials out of the comments an import writes: configuration values under names that
/// suggest a secret, or that look like a known kind of token, are replaced by <see cref="Redacted"/>.
/// </summary>
internal static partial class Secrets
{
    public const string Redacted = "<redacted>";

    [GeneratedRegex("token|secret|passw|pwd|credential|api[-_]?key|private[-_]?key|oauth|auth[-_]?header|webhook", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretKey();

    // AWS access keys, GitHub tokens, Slack tokens, PEM blocks, JWTs.
    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex SecretValue();

    /// <summary>
    /// <see cref="Redacted"/> when the key <paramref name="value"/> is under names a secret;
    /// otherwise <paramref name="value"/> with each part that looks like a token replaced by it.
    /// </summary>
    public static string Redact(string key, string value) =>
        value.Length == 0 ? value
        : SecretKey().IsMatch(key) ? Redacted
        : SecretValue().Replace(value, Redacted);
}
