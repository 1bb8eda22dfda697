using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Farm.Dashboard.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace Farm.Dashboard.Controller;

/// <summary>
/// The one HTTP/2 channel to the controller, shared by every signed-in user; each user's calls go
/// through <see cref="For"/> with their own token, as the CLI sends <c>FARM_TOKEN</c>. An
/// <c>https://</c> controller is verified with the system's trust store or against
/// <see cref="DashboardOptions.CaCertificatePath"/> alone; verification is never turned off.
/// </summary>
public sealed class ControllerChannel : IDisposable
{
    /// <summary>What the dashboard declares in <c>farm-user</c>: the controller records the token's name with this beside it.</summary>
    public const string UserAgentName = "dashboard";

    private readonly GrpcChannel _channel;

    public ControllerChannel(IOptions<DashboardOptions> options)
    {
        // One address, or several controllers of a cluster: calls go to the first that answers.
        var addresses = Api.Client.ControllerChannel.ParseAddresses(options.Value.Controller,
            DashboardOptionsValidation.ControllerSetting, DashboardOptionsValidation.ControllerExample);
        Address = string.Join(",", addresses.Select(a => a.ToString().TrimEnd('/')));
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (options.Value.CaCertificatePath is { Length: > 0 } caPath && addresses[0].Scheme == Uri.UriSchemeHttps)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caPath);
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        _channel = Api.Client.ControllerChannel.Create(addresses, handler, maxReceiveMessageBytes: 16 << 20);
    }

    /// <summary>The controller's address, or the cluster's addresses separated by commas, for messages.</summary>
    public string Address { get; }

    /// <summary>Calls that carry <paramref name="token"/> as their bearer token.</summary>
    public CallInvoker For(string token) => _channel.Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + token);
        headers.Add("farm-user", UserAgentName);
        return headers;
    });

    /// <summary>Whether <paramref name="path"/> holds at least one PEM certificate, for start-up validation.</summary>
    public static bool HoldsCertificates(string path)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            return certificates.Count > 0;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _channel.Dispose();
}
