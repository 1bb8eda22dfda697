using Farm.Api.V1;

namespace Farm.Dashboard.Controller;

/// <summary>
/// Reads an action's log as the controller stores it. Contract: chunks arrive in offset order from
/// <c>offset</c>; with <c>follow</c> the sequence ends only once the attempt has finished and its
/// whole log was sent; it throws <see cref="Grpc.Core.RpcException"/> as the API does, and stops
/// when the token is cancelled.
/// </summary>
public interface ILogReader
{
    IAsyncEnumerable<LogChunk> ReadAsync(LogAddress address, long offset, bool follow, CancellationToken cancellation);
}
