namespace Farm.Agent.Executors;

/// <summary>How an attempt ended: an exit code (null when no command ran) and, on failure, why.</summary>
public sealed record ExecutorResult(int? ExitCode, string? FailureMessage)
{
    public bool Succeeded => FailureMessage is null;

    public static ExecutorResult FromExitCode(int exitCode) =>
        new(exitCode, exitCode == 0 ? null : $"exited with code {exitCode}");

    public static ExecutorResult Failed(string message) => new(null, message);
}
