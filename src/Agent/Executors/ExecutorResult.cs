namespace Farm.Agent.Executors;

/// <summary>
/// How an attempt ended: an exit code (null when no command ran) and, on failure, why. Executors
/// that produce output variables themselves (git, http) return them in <paramref name="Outputs"/>;
/// the supervisor merges them over what $FARM_OUTPUT holds (the executor's value wins a clash).
/// </summary>
public sealed record ExecutorResult(int? ExitCode, string? FailureMessage, IReadOnlyDictionary<string, string>? Outputs = null)
{
    public bool Succeeded => FailureMessage is null;

    public static ExecutorResult FromExitCode(int exitCode) =>
        new(exitCode, exitCode == 0 ? null : $"exited with code {exitCode}");

    public static ExecutorResult Failed(string message) => new(null, message);

    /// <summary>A success of an executor that runs no user command (git, http): exit code 0 and its outputs.</summary>
    public static ExecutorResult Done(IReadOnlyDictionary<string, string> outputs) => new(0, null, outputs);
}
