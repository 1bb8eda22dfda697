namespace Farm.Controller.Logs;

/// <summary>A log chunk that starts past the end of what is stored: accepting it would leave a hole.</summary>
public sealed class LogGapException(string attemptId, long stored, long offset)
    : Exception($"Log chunk for attempt '{attemptId}' starts at byte {offset}, but {stored} bytes are stored: resend from {stored}.")
{
    public long Stored { get; } = stored;
}
