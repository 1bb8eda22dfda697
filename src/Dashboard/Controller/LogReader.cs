using System.Runtime.CompilerServices;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Dashboard.Controller;

/// <summary>The API's ReadLog stream, with the signed-in user's token.</summary>
public sealed class LogReader(FarmSession session) : ILogReader
{
    public async IAsyncEnumerable<LogChunk> ReadAsync(LogAddress address, long offset, bool follow, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var client = new Executions.ExecutionsClient(await session.InvokerAsync());
        using var call = client.ReadLog(new ReadLogRequest
        {
            ExecutionId = address.ExecutionId,
            Stage = address.Stage,
            Action = address.Action,
            Attempt = address.Attempt,
            Offset = offset,
            Follow = follow,
        }, cancellationToken: cancellation);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
        {
            yield return chunk;
        }
    }
}
