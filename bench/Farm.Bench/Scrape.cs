using System.Globalization;
using System.Text.RegularExpressions;

namespace Farm.Bench;

/// <summary>Reads one series from a controller's /metrics (Prometheus' text format).</summary>
public static partial class Scrape
{
    /// <summary>The value of the first sample of <paramref name="metric"/>; fails when the page has none.</summary>
    public static async Task<double> ValueAsync(HttpClient http, string address, string metric, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(address, cancellationToken);
        var sample = Sample().Matches(text).FirstOrDefault(m => m.Groups["name"].Value == metric)
            ?? throw new BenchException($"{address} reports no {metric}.");
        return double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
