using System.Security.Cryptography;
using System.Text;
using Farm.Controller.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Security;

/// <summary>
/// When a token is configured, every call must carry <c>authorization: Bearer TOKEN</c>; others end
/// with UNAUTHENTICATED. The comparison takes the same time whatever the token, so timing tells an
/// attacker nothing. Health checks and reflection stay open for probes and tools.
/// </summary>
public sealed class TokenInterceptor(IOptions<ControllerOptions> options) : Interceptor
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(options.Value.Token) ? null : Encoding.UTF8.GetBytes(options.Value.Token);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (_expected is null || context.Method.StartsWith("/grpc.", StringComparison.Ordinal))
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        var presented = header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(header["Bearer ".Length..])
            : [];
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                header is null ? "This controller requires a token: set FARM_TOKEN." : "The token was not accepted."));
        }
    }
}
