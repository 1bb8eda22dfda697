using Farm.Api.V1;

namespace Farm.Dashboard.Components.Shared;

/// <summary>
/// How a status looks everywhere: a word, an icon and a CSS class. The icon and the word carry the
/// meaning; the colour only repeats it, so nobody needs to tell red from green.
/// </summary>
public static class StatusDisplay
{
    public static string Label(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => "Pending",
        ExecutionStatus.Queued => "Queued",
        ExecutionStatus.InProgress => "In progress",
        ExecutionStatus.Succeeded => "Succeeded",
        ExecutionStatus.Failed => "Failed",
        ExecutionStatus.Stopping => "Stopping",
        ExecutionStatus.Stopped => "Stopped",
        ExecutionStatus.Superseded => "Superseded",
        ExecutionStatus.Abandoned => "Abandoned",
        ExecutionStatus.Skipped => "Skipped",
        _ => "Not run",
    };

    public static string Icon(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => "○",
        ExecutionStatus.Queued => "◔",
        ExecutionStatus.InProgress => "↻",
        ExecutionStatus.Succeeded => "✓",
        ExecutionStatus.Failed => "✗",
        ExecutionStatus.Stopping => "■",
        ExecutionStatus.Stopped => "■",
        ExecutionStatus.Superseded => "⤼",
        ExecutionStatus.Abandoned => "⊘",
        ExecutionStatus.Skipped => "↷",
        _ => "·",
    };

    /// <summary>The CSS class, also the value of <c>data-status</c> that tests and scripts read.</summary>
    public static string Css(ExecutionStatus status) =>
        status == ExecutionStatus.Unspecified ? "none" : KebabCase(status.ToString());

    private static string KebabCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>True once nothing more will happen to it without someone asking.</summary>
    public static bool IsFinal(ExecutionStatus status) =>
        status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Stopped or ExecutionStatus.Superseded;

    /// <summary>A short duration: <c>850 ms</c>, <c>12.3 s</c>, <c>4 min 05 s</c>, <c>2 h 10 min</c>.</summary>
    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => $"{Math.Max(0, duration.TotalMilliseconds):0} ms",
        { TotalMinutes: < 1 } => $"{duration.TotalSeconds:0.0} s",
        { TotalHours: < 1 } => $"{(int)duration.TotalMinutes} min {duration.Seconds:00} s",
        _ => $"{(int)duration.TotalHours} h {duration.Minutes:00} min",
    };

    /// <summary>A time in UTC, as the controller records it: <c>2026-11-26 13:05:01 UTC</c>.</summary>
    public static string Time(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at is null ? "" : at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
