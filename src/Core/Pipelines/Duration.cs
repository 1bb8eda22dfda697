using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Farm.Core.Pipelines;

/// <summary>
/// Durations as written in pipeline files: hours, minutes and seconds in that order, each part
/// optional but at least one present (<c>90s</c>, <c>10m</c>, <c>1h</c>, <c>1h30m</c>,
/// <c>2h15m10s</c>), or a bare whole number of seconds (<c>600</c>).
/// </summary>
/// <remarks>
/// Units are lowercase and parts are written without spaces. A part may exceed its unit's natural
/// range (<c>90m</c> is 1h30m); ranges such as a timeout's 1s..24h are the caller's to check.
/// </remarks>
public static partial class Duration
{
    // Nine digits per part keep every sum far inside TimeSpan's range, so parsing cannot overflow.
    [GeneratedRegex(@"^(?:(?<h>[0-9]{1,9})h)?(?:(?<m>[0-9]{1,9})m)?(?:(?<s>[0-9]{1,9})s)?$|^(?<bare>[0-9]{1,9})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>
    /// Reads <paramref name="text"/> in one of the forms above. Returns false, with
    /// <paramref name="value"/> zero, for anything else, including empty text.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        long Part(string group) =>
            match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

        value = TimeSpan.FromSeconds(Part("h") * 3600 + Part("m") * 60 + Part("s") + Part("bare"));
        return true;
    }

    /// <summary>Reads <paramref name="text"/> in one of the forms above.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is in none of the forms.</exception>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException(
                $"'{text}' is not a duration: write it like 90s, 10m, 1h30m or a whole number of seconds.");

    /// <summary>
    /// The shortest form <see cref="TryParse"/> reads back to the same whole seconds: zero parts
    /// are left out (<c>1h30m</c>, <c>10m</c>, <c>45s</c>, <c>2h15m10s</c>), zero is <c>0s</c>.
    /// Fractions of a second are dropped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);

        var totalSeconds = (long)value.TotalSeconds;
        if (totalSeconds == 0)
        {
            return "0s";
        }

        // Whole hours, not TimeSpan.Hours: a day and a half is "36h", which reads back the same.
        var hours = totalSeconds / 3600;
        var minutes = totalSeconds % 3600 / 60;
        var seconds = totalSeconds % 60;
        var text = new StringBuilder();
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        if (seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds}s");
        }

        return text.ToString();
    }
}
