using System.Globalization;
using System.Text.RegularExpressions;

namespace Farm.Cli.Commands;

/// <summary>
/// Reads the times <c>--since</c> and <c>--until</c> take: an ISO-8601 date or date and time
/// (<c>2025-01-02</c>, <c>2025-01-02T15:04</c>, <c>2025-01-02 15:04:05Z</c>, <c>...+02:00</c>), in the
/// reader's time zone when it names none, or an age counted back from now: a whole number and one of
/// <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c> (<c>30m</c>, <c>2h</c>, <c>3d</c>).
/// </summary>
internal static partial class TimeArgument
{
    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    private static readonly string[] ZonedFormats = LocalFormats.Skip(1)
        .SelectMany(f => new[] { f + "'Z'", f + "zzz" })
        .ToArray();

    [GeneratedRegex(@"^(\d{1,9})([smhdw])$")]
    private static partial Regex Age();

    /// <summary>
    /// The moment <paramref name="text"/> names, or null when it is neither form.
    /// </summary>
    /// <param name="text">What was typed.</param>
    /// <param name="now">The moment ages count back from.</param>
    /// <param name="zone">The zone of a date or time that names none: the reader's.</param>
    public static DateTimeOffset? TryParse(string text, DateTimeOffset now, TimeZoneInfo zone)
    {
        text = text.Trim();
        if (Age().Match(text) is { Success: true } age)
        {
            var count = long.Parse(age.Groups[1].Value, CultureInfo.InvariantCulture);
            var unit = age.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(1),
                "m" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                "d" => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            return count > (now - DateTimeOffset.MinValue).Ticks / unit.Ticks ? null : now - unit * count;
        }

        if (text.EndsWith('z'))
        {
            text = text[..^1] + "Z";
        }

        if (DateTimeOffset.TryParseExact(text, ZonedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var zoned))
        {
            return zoned;
        }

        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new DateTimeOffset(local, zone.GetUtcOffset(local));
        }

        return null;
    }

    /// <summary>The message for a time <see cref="TryParse"/> refuses, naming the option and the forms it takes.</summary>
    public static string Malformed(string option, string text) =>
        $"{option} '{text}' is not a time; write an ISO-8601 date or time such as 2025-01-02, 2025-01-02T15:04 "
        + "or 2025-01-02T15:04:05Z, or an age such as 30m, 2h, 3d or 1w.";
}
