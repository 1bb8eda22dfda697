using Grpc.Core;

namespace Farm.Controller.Tests.Security;

/// <summary>A server call context with a method and headers, for the interceptor's decisions.</summary>
internal sealed class TestCallContext(string method, Metadata headers) : ServerCallContext
{
    public static TestCallContext For(string method, string? bearer = null, string? user = null)
    {
        var headers = new Metadata();
        if (bearer is not null)
        {
            headers.Add("authorization", "Bearer " + bearer);
        }

        if (user is not null)
        {
            headers.Add("farm-user", user);
        }

        return new TestCallContext(method, headers);
    }

    protected override string MethodCore => method;
    protected override string HostCore => "localhost";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore => headers;
    protected override CancellationToken CancellationTokenCore => CancellationToken.None;
    protected override Metadata ResponseTrailersCore { get; } = [];
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
