using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Farm.Api.Client;

/// <summary>
/// One gRPC channel to a controller, or to any of several controllers of a cluster. With several
/// addresses the channel balances "pick first": every call goes to the first controller that
/// answers, and when that one fails, the channel's next connection goes to the next that answers.
/// Callers then only retry as they already do after a broken call, and move to a survivor. Shared by
/// the agent, the CLI and the dashboard, so they parse addresses the same way.
/// </summary>
public static class ControllerChannel
{
    /// <summary>
    /// Parses one address or several separated by commas (<c>http://10.0.0.11:7070,http://10.0.0.12:7070</c>).
    /// Each must be an absolute http:// or https:// URL, all of one scheme.
    /// </summary>
    /// <exception cref="FormatException">The text names no address, or one is not such a URL; the message names <paramref name="source"/>.</exception>
    public static IReadOnlyList<Uri> ParseAddresses(string text, string source, string example)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new FormatException($"{source} is empty; it must be an address such as {example}, or several separated by commas.");
        }

        var addresses = new List<Uri>();
        foreach (var part in parts)
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                throw new FormatException($"{source} is '{text}': '{part}' is not an address such as {example}.");
            }

            addresses.Add(address);
        }

        if (addresses.Select(a => a.Scheme).Distinct().Count() > 1)
        {
            throw new FormatException($"{source} is '{text}': its addresses mix http:// and https://; the controllers of a cluster serve one or the other.");
        }

        return addresses;
    }

    /// <summary>The longest wait between two attempts to connect, unless the caller gives another.</summary>
    public static readonly TimeSpan DefaultMaxReconnectBackoff = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A channel to <paramref name="addresses"/> over <paramref name="handler"/> (null: gRPC's own).
    /// The channel tries to reconnect to a controller that went away at most every
    /// <paramref name="maxReconnectBackoff"/>: gRPC's own default grows to 120 s, so after a long
    /// controller outage an agent would come back minutes late and its running attempts be lost.
    /// </summary>
    public static GrpcChannel Create(
        IReadOnlyList<Uri> addresses, HttpMessageHandler? handler, int? maxReceiveMessageBytes = null, TimeSpan? maxReconnectBackoff = null)
    {
        var longest = maxReconnectBackoff ?? DefaultMaxReconnectBackoff;
        var options = new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = maxReceiveMessageBytes ?? 4 << 20,
            InitialReconnectBackoff = TimeSpan.FromTicks(Math.Min(longest.Ticks, TimeSpan.FromSeconds(1).Ticks)),
            MaxReconnectBackoff = longest,
        };
        if (addresses.Count == 1)
        {
            return GrpcChannel.ForAddress(addresses[0], options);
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(
            _ => addresses.Select(a => new BalancerAddress(a.Host, a.Port)).ToArray()));
        options.ServiceProvider = services.BuildServiceProvider();
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new PickFirstConfig() } };
        options.Credentials = addresses[0].Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        return GrpcChannel.ForAddress("static:///farm-controllers", options);
    }
}
