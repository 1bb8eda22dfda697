using Farm.Api.V1;
using Farm.Cli.Commands;
using Farm.Cli.Formatting;
using Grpc.Core;

namespace Farm.Cli.Progress;

/// <summary>
/// Follows a pipeline's run-time state through WatchPipeline until cancelled, surviving a controller
/// restart the way <see cref="ExecutionWatcher"/> does: a broken (or ended) stream is reopened after a
/// backoff, for up to <see cref="ReconnectBackoff.GiveUpAfter"/> of outage. States whose revision was
/// already passed on are skipped, so a reopened stream's first state is not shown twice.
/// </summary>
/// <param name="client">The Pipelines client.</param>
/// <param name="notices">Where to say that the connection was lost and found again (standard error).</param>
/// <param name="time">The clock for backoff delays; tests pass a fake one.</param>
internal sealed class PipelineWatcher(Pipelines.PipelinesClient client, TextWriter notices, TimeProvider time)
{
    /// <summary>Calls <paramref name="onState"/> for every new state until <paramref name="cancellation"/> fires.</summary>
    /// <exception cref="RpcException">A failure retrying cannot fix (NOT_FOUND, UNAUTHENTICATED...).</exception>
    /// <exception cref="CliException">The controller stayed unreachable for the whole backoff.</exception>
    public async Task WatchAsync(string pipeline, Func<PipelineState, Task> onState, CancellationToken cancellation)
    {
        var backoff = new ReconnectBackoff(time);
        long? seen = null;
        while (true)
        {
            string failure;
            try
            {
                using var call = client.WatchPipeline(new GetPipelineStateRequest { Name = pipeline }, cancellationToken: cancellation);
                await foreach (var state in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    if (backoff.InOutage)
                    {
                        await notices.WriteLineAsync("farm: reconnected to the controller.");
                        backoff.Reset();
                    }

                    if (seen is { } last && state.Revision <= last)
                    {
                        continue;
                    }

                    seen = state.Revision;
                    await onState(state);
                }

                failure = "the controller ended the stream";
            }
            catch (RpcException e) when (ExecutionWatcher.IsTransient(e.StatusCode) && !cancellation.IsCancellationRequested)
            {
                failure = CommandAction.Detail(e);
            }

            var firstFailure = !backoff.InOutage;
            if (backoff.NextDelay() is not { } delay)
            {
                throw new CliException(
                    $"lost the controller for {Display.Duration(ReconnectBackoff.GiveUpAfter)} ({failure}); stopped watching {pipeline}.");
            }

            if (firstFailure)
            {
                await notices.WriteLineAsync($"farm: lost the connection to the controller ({failure}); reconnecting...");
            }

            await Task.Delay(delay, time, cancellation);
        }
    }
}
