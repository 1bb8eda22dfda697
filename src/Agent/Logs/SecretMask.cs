using System.Net;
using System.Text;

namespace Farm.Agent.Logs;

/// <summary>
/// Replaces secret values, and the forms a command most easily turns them into, with <c>***</c>.
/// For each value (and each line of a multi-line value, since logs arrive line by line) it masks:
/// the value; its base64 with and without padding, also of the value followed by "\n" (what
/// <c>echo "$S" | base64</c> prints), also URL-safe, and the part of its base64 that is the same
/// wherever the value sits in a longer encoded text (the three alignments); its hex, lower and upper
/// case; its URL encoding (RFC 3986 and HTML forms', %XX in either case, space as %20 or '+'); the
/// value reversed; and, for a
/// value of at least 2 × <see cref="MinimumHalfLength"/> characters, each of its halves.
/// <para>
/// Values shorter than <see cref="MinimumLength"/> are left alone, and forms shorter than
/// <see cref="MinimumTransformLength"/>: masking every "a" would make a log unreadable and protect
/// nothing. Masking cannot stop a command that transforms a secret some other way (one character
/// per line, encryption, another encoding); it catches the accidents and the easy forms.
/// </para>
/// Immutable and thread-safe.
/// </summary>
public sealed class SecretMask
{
    /// <summary>The shortest value masked as it is.</summary>
    public const int MinimumLength = 3;

    /// <summary>The shortest transformed form masked (base64, hex, reversed, …).</summary>
    public const int MinimumTransformLength = 4;

    /// <summary>The shortest half masked; a shorter value's halves are not.</summary>
    public const int MinimumHalfLength = 8;

    private static readonly byte[] Stars = "***"u8.ToArray();
    private readonly string[] _texts;
    private readonly byte[][] _patterns;

    public SecretMask(IEnumerable<string> secrets)
    {
        _texts = secrets
            .SelectMany(Forms)
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

    /// <summary>True when <paramref name="text"/> holds something <see cref="Apply(string)"/> would mask.</summary>
    public bool Finds(string text) => _texts.Any(secret => text.Contains(secret, StringComparison.Ordinal));

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

    /// <summary>Every text masked for <paramref name="secret"/>: the value, its lines, and their transforms.</summary>
    internal static IEnumerable<string> Forms(string secret)
    {
        var values = secret.Split('\n').Select(line => line.TrimEnd('\r')).Append(secret)
            .Where(value => value.Length >= MinimumLength)
            .Distinct(StringComparer.Ordinal);
        foreach (var value in values)
        {
            yield return value;
            foreach (var form in Transforms(value))
            {
                if (form.Length >= MinimumTransformLength)
                {
                    yield return form;
                }
            }
        }
    }

    private static IEnumerable<string> Transforms(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        foreach (var encoded in (byte[][])[bytes, [.. bytes, (byte)'\n']])
        {
            var base64 = Convert.ToBase64String(encoded);
            foreach (var form in WithUrlSafe(base64))
            {
                yield return form;
                yield return form.TrimEnd('=');
            }
        }

        for (var shift = 0; shift < 3; shift++)
        {
            foreach (var form in WithUrlSafe(Base64Core(bytes, shift)))
            {
                yield return form;
            }
        }

        yield return Convert.ToHexStringLower(bytes);
        yield return Convert.ToHexString(bytes);

        // RFC 3986 (curl, Python's quote), with space as '+' (quote_plus), and HTML forms' encoding
        // (WebUtility), each with upper- and lower-case escapes.
        var escaped = Uri.EscapeDataString(value);
        foreach (var form in (string[])[escaped, escaped.Replace("%20", "+", StringComparison.Ordinal), WebUtility.UrlEncode(value)])
        {
            yield return form;
            yield return LowerCaseEscapes(form);
        }

        yield return string.Concat(value.EnumerateRunes().Reverse());

        if (value.Length >= 2 * MinimumHalfLength)
        {
            foreach (var middle in (int[])[value.Length / 2, (value.Length + 1) / 2])
            {
                // A cut inside a surrogate pair would leave halves that are not text.
                if (!char.IsHighSurrogate(value[middle - 1]))
                {
                    yield return value[..middle];
                    yield return value[middle..];
                }
            }
        }
    }

    /// <summary>
    /// The base64 characters that depend only on <paramref name="bytes"/> when they start
    /// <paramref name="shift"/> bytes into a 3-byte group: what a longer encoded text holds wherever
    /// the value sits in it (as `echo "token=$S" | base64` does).
    /// </summary>
    private static string Base64Core(byte[] bytes, int shift)
    {
        var shifted = new byte[shift + bytes.Length];
        bytes.CopyTo(shifted, shift);
        var encoded = Convert.ToBase64String(shifted);
        // Character j covers bits [6j, 6j + 6); the value's bits are [8·shift, 8·(shift + length)).
        var first = (8 * shift + 5) / 6;
        var end = 8 * (shift + bytes.Length) / 6;
        return end > first ? encoded[first..end] : "";
    }

    private static IEnumerable<string> WithUrlSafe(string base64) =>
        [base64, base64.Replace('+', '-').Replace('/', '_')];

    /// <summary><paramref name="escaped"/> with each %XX escape in lower case, as some encoders write them.</summary>
    private static string LowerCaseEscapes(string escaped)
    {
        var chars = escaped.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
                i += 2;
            }
        }

        return new string(chars);
    }
}
