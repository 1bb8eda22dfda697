using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Farm.Agent.Hosting;

/// <summary>
/// How the agent verifies an <c>https://</c> controller: with the system's trust store, or, when
/// <see cref="AgentOptions.CaCertificatePath"/> is set, against that CA alone. The host name is
/// checked either way; verification is never turned off.
/// </summary>
public static class ControllerTrust
{
    /// <summary>The CA certificates in a PEM file; null when it holds none or cannot be read.</summary>
    public static X509Certificate2Collection? TryLoad(string path)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            return certificates.Count > 0 ? certificates : null;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes <paramref name="handler"/> accept a server certificate only when it chains to one of
    /// <paramref name="roots"/> (the system's roots are not consulted), through SslStream's own chain
    /// and name checks.
    /// </summary>
    public static SocketsHttpHandler TrustOnly(this SocketsHttpHandler handler, X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // A private CA seldom publishes revocation lists; SslStream does not check them by default either.
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(roots);
        handler.SslOptions.CertificateChainPolicy = policy;
        return handler;
    }
}
