using Farm.Api.V1;
using Farm.Cli.Progress;

namespace Farm.Cli.Commands;

/// <summary>
/// Follows an execution to its end for the verbs that wait for one (<c>watch</c>, and <c>--wait</c> on
/// <c>start</c>, <c>stop</c>, <c>retry</c>, <c>rollback</c>): progress lines as the states arrive,
/// surviving controller restarts. Messages in them come from actions (a failure names what the
/// commands wrote), so control sequences are removed before they reach the terminal.
/// </summary>
internal static class ExecutionFollower
{
    /// <summary>Prints progress lines to <paramref name="progressOutput"/> until the execution ends; returns its final state.</summary>
    /// <param name="context">The verb's context: its connection, and standard error for reconnection notices.</param>
    /// <param name="executionId">The execution to follow.</param>
    /// <param name="progressOutput">Where progress lines go: standard error when standard output carries the result.</param>
    /// <param name="cancellation">Ctrl-C.</param>
    /// <param name="fromRevision">Ignore states older than this (see <see cref="ExecutionWatcher.WatchAsync"/>).</param>
    public static Task<Execution> FollowAsync(
        VerbContext context, string executionId, TextWriter progressOutput, CancellationToken cancellation, long fromRevision = 0)
    {
        var progress = new ExecutionProgress();
        var watcher = new ExecutionWatcher(context.Controller.Executions, context.Error, TimeProvider.System);
        return watcher.WatchAsync(executionId, state =>
        {
            foreach (var line in progress.Advance(state))
            {
                progressOutput.WriteLine(TerminalFilter.Strip(line));
            }

            progressOutput.Flush();
        }, cancellation, fromRevision);
    }

    /// <summary>The exit code for a followed execution: 0 only when it ended with <paramref name="wanted"/>.</summary>
    public static int ExitCode(Execution final, ExecutionStatus wanted = ExecutionStatus.Succeeded) =>
        final.Status == wanted ? CommandAction.Succeeded : CommandAction.Failed;
}
