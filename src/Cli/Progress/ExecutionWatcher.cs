using Farm.Api.V1;
using Farm.Cli.Commands;
using Farm.Cli.Formatting;
using Grpc.Core;

namespace Farm.Cli.Progress;

/// <summary>
/// Follows an execution to its end through WatchExecution, surviving a controller restart: when the
/// stream breaks it opens a new one (which starts with the current state) after a backoff, for up
/// to <see cref="ReconnectBackoff.GiveUpAfter"/> of outage.
/// </summary>
/// <param name="client">The Executions client.</param>
/// <param name="notices">Where to say that the connection was lost and found again (standard error).</param>
/// <param name="time">The clock for backoff delays; tests pass a fake one.</param>
internal sealed class ExecutionWatcher(Executions.ExecutionsClient client, TextWriter notices, TimeProvider time)
{
    /// <summary>
    /// Calls <paramref name="onState"/> for every state received, the repeated current state after a
    /// reconnection included, and returns the final state.
    /// </summary>
    /// <param name="executionId">The execution to follow.</param>
    /// <param name="onState">Called with each state, in order.</param>
    /// <param name="cancellation">Ctrl-C.</param>
    /// <param name="fromRevision">
    /// States older than this revision are ignored: after a retry, the revision the RetryStage answer
    /// carried, so a stream that still begins with the failed state from before the retry does not
    /// end the watch at once.
    /// </param>
    /// <exception cref="RpcException">A failure retrying cannot fix (NOT_FOUND, UNAUTHENTICATED...).</exception>
    /// <exception cref="CliException">The controller stayed unreachable for the whole backoff.</exception>
    public async Task<Execution> WatchAsync(string executionId, Action<Execution> onState, CancellationToken cancellation, long fromRevision = 0)
    {
        var backoff = new ReconnectBackoff(time);
        while (true)
        {
            string failure;
            try
            {
                using var call = client.WatchExecution(new WatchExecutionRequest { ExecutionId = executionId }, cancellationToken: cancellation);
                await foreach (var state in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    if (backoff.InOutage)
                    {
                        await notices.WriteLineAsync("farm: reconnected to the controller.");
                        backoff.Reset();
                    }

                    if (state.Revision < fromRevision)
                    {
                        continue;
                    }

                    onState(state);
                    if (Display.IsFinal(state.Status))
                    {
                        return state;
                    }
                }

                failure = "the controller ended the stream before the execution finished";
            }
            catch (RpcException e) when (IsTransient(e.StatusCode) && !cancellation.IsCancellationRequested)
            {
                failure = CommandAction.Detail(e);
            }

            var firstFailure = !backoff.InOutage;
            if (backoff.NextDelay() is not { } delay)
            {
                throw new CliException(
                    $"lost the controller for {Display.Duration(ReconnectBackoff.GiveUpAfter)} ({failure}); "
                    + $"the execution may still be running: see `farm status {executionId}`.");
            }

            if (firstFailure)
            {
                await notices.WriteLineAsync($"farm: lost the connection to the controller ({failure}); reconnecting...");
            }

            await Task.Delay(delay, time, cancellation);
        }
    }

    /// <summary>
    /// Failures a restarting controller causes: refused connections, reset streams. Anything else
    /// (NOT_FOUND, UNAUTHENTICATED...) would fail again the same way, so it is not retried.
    /// </summary>
    internal static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted
            or StatusCode.Cancelled or StatusCode.DeadlineExceeded;
}
