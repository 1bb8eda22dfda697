using System.Text;

namespace Farm.Agent.Logs;

/// <summary>
/// Replaces secret values, and their base64 forms, with <c>***</c>. Each line of a multi-line
/// secret is masked on its own, since logs arrive line by line. Values shorter than
/// <see cref="MinimumLength"/> are left alone: masking every "a" would make a log unreadable and
/// protect nothing. Immutable and thread-safe.
/// </summary>
public sealed class SecretMask
{
    public const int MinimumLength = 3;
    private static readonly byte[] Stars = "***"u8.ToArray();
    private readonly string[] _texts;
    private readonly byte[][] _patterns;

    public SecretMask(IEnumerable<string> secrets)
    {
        _texts = secrets
            .SelectMany(s => s.Split('\n').Select(line => line.TrimEnd('\r')).Append(s).Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(s))))
            .Where(t => t.Length >= MinimumLength)
            .Distinct(StringComparer.Ordinal)
            // Longest first, so a value is not half-masked by a shorter one inside it.
            .OrderByDescending(t => t.Length)
            .ToArray();
        _patterns = _texts.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
    }

    public static readonly SecretMask None = new([]);

    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>Bytes of the longest value masked; 0 when none.</summary>
    public int LongestPatternBytes => _patterns.Length == 0 ? 0 : _patterns.Max(p => p.Length);

    public string Apply(string text)
    {
        foreach (var secret in _texts)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    public ReadOnlyMemory<byte> Apply(ReadOnlyMemory<byte> bytes)
    {
        if (IsEmpty)
        {
            return bytes;
        }

        var current = bytes.ToArray();
        foreach (var pattern in _patterns)
        {
            if (current.AsSpan().IndexOf(pattern) < 0)
            {
                continue;
            }

            var output = new List<byte>(current.Length);
            var span = current.AsSpan();
            int at;
            while ((at = span.IndexOf(pattern)) >= 0)
            {
                output.AddRange(span[..at]);
                output.AddRange(Stars);
                span = span[(at + pattern.Length)..];
            }

            output.AddRange(span);
            current = output.ToArray();
        }

        return current;
    }
}
