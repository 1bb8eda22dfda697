using Farm.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.Cli;

/// <summary>
/// One channel to the controller and the API clients over it. The bearer token is added by an
/// interceptor so no verb can forget it; the channel is plain HTTP/2 because the controller listens
/// without TLS (put a TLS proxy in front of it for remote use).
/// </summary>
internal sealed class ControllerConnection : IDisposable
{
    public const string DefaultAddress = "http://127.0.0.1:7070";
    public const string AddressVariable = "FARM_CONTROLLER";
    public const string TokenVariable = "FARM_TOKEN";

    private readonly GrpcChannel _channel;

    private ControllerConnection(Uri address, string? token)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address);
        CallInvoker invoker = _channel.CreateCallInvoker();
        if (!string.IsNullOrEmpty(token))
        {
            invoker = invoker.Intercept(headers =>
            {
                headers.Add("authorization", "Bearer " + token);
                return headers;
            });
        }

        Pipelines = new Pipelines.PipelinesClient(invoker);
        Executions = new Executions.ExecutionsClient(invoker);
    }

    /// <summary>The address calls go to, shown in "cannot reach" messages.</summary>
    public Uri Address { get; }

    public Pipelines.PipelinesClient Pipelines { get; }

    public Executions.ExecutionsClient Executions { get; }

    /// <summary>
    /// Opens a connection to <paramref name="option"/>, else the <c>FARM_CONTROLLER</c> variable, else
    /// the default address. Nothing is sent until the first call, so this never waits.
    /// </summary>
    /// <exception cref="CliException">The address is not an absolute http:// or https:// URL.</exception>
    public static ControllerConnection Open(string? option, Func<string, string?> environment) =>
        new(ResolveAddress(option, environment), environment(TokenVariable));

    /// <summary>Chooses the address by precedence; separate from <see cref="Open"/> so it can be tested.</summary>
    public static Uri ResolveAddress(string? option, Func<string, string?> environment)
    {
        var (text, source) = !string.IsNullOrWhiteSpace(option) ? (option, "--controller")
            : environment(AddressVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, AddressVariable)
            : (DefaultAddress, "the default");
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new CliException($"{source} is '{text}', which is not an address such as {DefaultAddress}.");
        }

        return address;
    }

    public void Dispose() => _channel.Dispose();
}
