using System.Globalization;
using Farm.Api.V1;
using Farm.Cli.Commands;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Formatting;

/// <summary>
/// The words and numbers people read in tables and progress lines, in one place so every verb
/// says "running" for IN_PROGRESS and writes durations the same way.
/// </summary>
internal static class Display
{
    /// <summary>Shown for a value that does not exist yet (no agent, not finished).</summary>
    public const string None = "-";

    public static string Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Pending => "pending",
        ExecutionStatus.Queued => "queued",
        ExecutionStatus.InProgress => "running",
        ExecutionStatus.Succeeded => "succeeded",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.Stopping => "stopping",
        ExecutionStatus.Stopped => "stopped",
        ExecutionStatus.Superseded => "superseded",
        ExecutionStatus.Abandoned => "abandoned",
        ExecutionStatus.Skipped => "skipped",
        _ => None,
    };

    /// <summary>
    /// True for the statuses after which nothing changes (unless a person retries a stage, which
    /// starts a new attempt). STOPPING is not final: running actions are still finishing.
    /// </summary>
    public static bool IsFinal(ExecutionStatus status) =>
        status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.Stopped
            or ExecutionStatus.Superseded or ExecutionStatus.Abandoned or ExecutionStatus.Skipped;

    /// <summary>
    /// A size in bytes as people read it: <c>512 B</c>, <c>1.5 KiB</c>, <c>3.2 MiB</c>, <c>1.1 GiB</c>;
    /// truncated like <see cref="Duration(TimeSpan)"/>, so a file one byte short of 1 MiB never shows as "1.0 MiB".
    /// </summary>
    public static string Size(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        var scale = 1024L;
        while (unit < units.Length - 1 && bytes >= scale * 1024)
        {
            unit++;
            scale *= 1024;
        }

        var tenths = (long)(bytes / (decimal)scale * 10);
        return (tenths / 10.0).ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>The first 12 hex digits of a SHA-256, enough to tell artifacts apart at a glance.</summary>
    public static string ShortHash(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    /// <summary>
    /// A short duration: tenths of seconds under a minute (where they matter), then minutes and
    /// seconds, then hours and minutes: <c>0.4s</c>, <c>2m05s</c>, <c>1h02m</c>. Truncated, in whole
    /// ticks, so 59.99 s never shows as "60.0s" and float error never turns 0.4 s into "0.3s".
    /// </summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalSeconds < 60
            ? (duration.Ticks / (TimeSpan.TicksPerSecond / 10) / 10.0).ToString("0.0", CultureInfo.InvariantCulture) + "s"
            : duration.TotalHours < 1
                ? $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s"
                : $"{(int)duration.TotalHours}h{duration.Minutes:00}m";
    }

    /// <summary>
    /// How long something took, or has taken so far when it has not finished (measured to
    /// <paramref name="now"/>); null when it has not started.
    /// </summary>
    public static string? Duration(Timestamp? started, Timestamp? finished, DateTimeOffset now) =>
        started is null ? null : Duration((finished?.ToDateTimeOffset() ?? now) - started.ToDateTimeOffset());

    /// <summary>A moment in the reader's time zone to the second, or <see cref="None"/>.</summary>
    public static string Time(Timestamp? timestamp) =>
        timestamp is null ? None : timestamp.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Why an action failed: its message, else its exit code, else a plain "failed".</summary>
    public static string FailureReason(ActionExecution action) =>
        !string.IsNullOrWhiteSpace(action.Message) ? action.Message
        : action.HasExitCode ? $"exited with code {action.ExitCode}"
        : "failed";

    /// <summary>The first 7 hex digits of a commit id, as <c>git log --oneline</c> and Git hosts show it.</summary>
    public static string ShortCommit(string commit) => commit.Length > 7 ? commit[..7] : commit;

    /// <summary>Text people wrote (an approval's question, a comment) on one line: every run of white space, newlines included, as one space.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The command that approves a waiting approval, quoted for a POSIX shell: <c>farm approve gated-4 Gate/sign-off</c>.</summary>
    public static string ApproveCommand(string executionId, string stage, string action) =>
        $"farm approve {ShellWord.Quote(executionId)} {ShellWord.Quote($"{stage}/{action}")}";
}
