using System.Globalization;
using System.Text.RegularExpressions;

namespace Farm.Cli.Commands;

/// <summary>Reads a length of time such as <c>90s</c>, <c>30m</c>, <c>2h</c>, <c>7d</c> or <c>1w</c>: a whole number and a unit.</summary>
internal static partial class DurationArgument
{
    [GeneratedRegex(@"^(\d{1,7})([smhdw])$")]
    private static partial Regex Pattern();

    public static TimeSpan? TryParse(string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var count = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(count),
            "m" => TimeSpan.FromMinutes(count),
            "h" => TimeSpan.FromHours(count),
            "d" => TimeSpan.FromDays(count),
            _ => TimeSpan.FromDays(7L * count),
        };
    }

    public static string Malformed(string option, string text) =>
        $"{option} '{text}' is not a length of time; write a whole number and s, m, h, d or w, such as 30m, 2h or 7d.";
}
