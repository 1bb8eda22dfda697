using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Cli.Tests.Progress;

/// <summary>
/// An Executions client whose WatchExecution calls play scripted streams in turn: each a list of
/// states, then either a normal end or a failure, the way a controller restart breaks a stream.
/// </summary>
internal sealed class ScriptedExecutionsClient(params ScriptedExecutionsClient.Stream[] streams) : Executions.ExecutionsClient
{
    private int _calls;

    /// <param name="States">States sent before the stream ends.</param>
    /// <param name="Failure">The error that ends the stream; null for a normal end.</param>
    internal sealed record Stream(Execution[] States, RpcException? Failure);

    public int Calls => _calls;

    public override AsyncServerStreamingCall<Execution> WatchExecution(WatchExecutionRequest request, CallOptions options)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        var script = index < streams.Length ? streams[index] : streams[^1];
        return new AsyncServerStreamingCall<Execution>(
            new Reader(script), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    private sealed class Reader(Stream script) : IAsyncStreamReader<Execution>
    {
        private int _next = -1;

        public Execution Current => script.States[_next];

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            _next++;
            if (_next < script.States.Length)
            {
                return Task.FromResult(true);
            }

            return script.Failure is { } failure ? Task.FromException<bool>(failure) : Task.FromResult(false);
        }
    }
}
