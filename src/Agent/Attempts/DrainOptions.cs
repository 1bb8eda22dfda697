using System.Globalization;

namespace Farm.Agent.Attempts;

/// <summary>
/// How the agent drains when it is told to stop (SIGTERM, <c>systemctl stop</c>): it takes no new
/// work and lets running attempts finish for <see cref="Grace"/>, then stops what still runs
/// (SIGTERM, <see cref="StopGrace"/>, SIGKILL) and reports it failed, and waits at most
/// <see cref="AcknowledgeTimeout"/> for the controller to acknowledge the results.
/// Not part of <c>Farm:Agent</c>: the grace must be known before configuration is read, to write
/// the systemd unit's stop timeout, so it comes from <see cref="GraceVariable"/>.
/// </summary>
public sealed record DrainOptions
{
    /// <summary>The environment variable that overrides <see cref="Grace"/>, as a TimeSpan (<c>00:30:00</c>).</summary>
    public const string GraceVariable = "FARM_AGENT_DRAIN_GRACE";

    /// <summary>How long running attempts may go on after a stop is asked for. Default 10 minutes.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>SIGTERM to SIGKILL for a container still running when the grace is over. Default 10 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the controller to acknowledge the last results. Default 10 s.</summary>
    public TimeSpan AcknowledgeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What the host must allow for stopping (<c>HostOptions.ShutdownTimeout</c>): the grace, the
    /// stop grace, the acknowledgement wait and 5 s for the rest. Stays under
    /// <see cref="ServiceStopTimeout"/>, so systemd never kills an agent that is still reporting.
    /// </summary>
    public TimeSpan ShutdownTimeout => Grace + StopGrace + AcknowledgeTimeout + TimeSpan.FromSeconds(5);

    /// <summary>The systemd unit's <c>TimeoutStopSec</c>: the grace plus 30 s.</summary>
    public TimeSpan ServiceStopTimeout => Grace + TimeSpan.FromSeconds(30);

    /// <summary>
    /// The defaults, with <see cref="Grace"/> from <see cref="GraceVariable"/> when it is set.
    /// </summary>
    /// <exception cref="FormatException">The variable is not a TimeSpan of zero or more, naming it.</exception>
    public static DrainOptions FromEnvironment(Func<string, string?> getVariable)
    {
        var value = getVariable(GraceVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return new DrainOptions();
        }

        return TryParseGrace(value, out var grace)
            ? new DrainOptions { Grace = grace }
            : throw new FormatException(
                $"{GraceVariable}='{value}' is not a duration; write it as hours:minutes:seconds, e.g. {GraceVariable}=00:30:00.");
    }

    /// <summary>A TimeSpan (<c>00:30:00</c>, <c>1.00:00:00</c>) of zero or more, at most a week.</summary>
    public static bool TryParseGrace(string value, out TimeSpan grace) =>
        TimeSpan.TryParse(value.Trim(), CultureInfo.InvariantCulture, out grace)
        && grace >= TimeSpan.Zero && grace <= TimeSpan.FromDays(7);
}
