using Farm.Agent.Hosting;
using Farm.Api.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Logs;

/// <summary>
/// Sends one attempt's spool to the controller on its own stream, so bulk output never delays the
/// control stream. Starts from the offset the controller says it has stored and moves on only as
/// far as it acknowledges; after any break it reconnects and resumes from there, until everything
/// up to the completed spool's end is acknowledged.
/// </summary>
public sealed partial class LogShipper(
    AgentSessions.AgentSessionsClient client,
    ControllerCallOptions callOptions,
    IOptions<AgentOptions> options,
    ILogger<LogShipper> logger)
{
    private const int ChunkBytes = 64 * 1024;

    public async Task ShipAsync(string attemptId, LogSpool spool, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(options.Value.MaxReconnectDelay);
        while (true)
        {
            try
            {
                await ShipOnceAsync(attemptId, spool, cancellationToken);
                return;
            }
            catch (Exception e) when (e is RpcException or IOException && !cancellationToken.IsCancellationRequested)
            {
                LogRetry(attemptId, e.Message);
                await Task.Delay(backoff.Next(), cancellationToken);
            }
        }
    }

    private async Task ShipOnceAsync(string attemptId, LogSpool spool, CancellationToken cancellationToken)
    {
        using var call = client.ShipLog(callOptions.Create(cancellationToken));
        await call.RequestStream.WriteAsync(new LogUpload { AttemptId = attemptId }, cancellationToken);
        var acked = await ReadAckAsync(call, cancellationToken);

        await using var reader = new FileStream(spool.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[ChunkBytes];
        while (true)
        {
            // Completed first, then length: a spool seen complete has its final length.
            var completed = spool.Completed;
            var length = spool.Length;
            if (acked < length)
            {
                reader.Position = acked;
                var read = await reader.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkBytes, length - acked)), cancellationToken);
                await call.RequestStream.WriteAsync(
                    new LogUpload { AttemptId = attemptId, Offset = acked, Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
                acked = await ReadAckAsync(call, cancellationToken);
            }
            else if (completed)
            {
                await call.RequestStream.CompleteAsync();
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                }

                return;
            }
            else
            {
                await spool.WaitAsync(length, cancellationToken);
            }
        }
    }

    private static async Task<long> ReadAckAsync(AsyncDuplexStreamingCall<LogUpload, LogAck> call, CancellationToken cancellationToken)
    {
        if (!await call.ResponseStream.MoveNext(cancellationToken))
        {
            throw new IOException("The controller closed the log stream before acknowledging.");
        }

        return call.ResponseStream.Current.Stored;
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "Shipping the log of {AttemptId} broke ({Reason}); resuming")]
    private partial void LogRetry(string attemptId, string reason);
}
