using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Farm.Api.Client;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.Cli;

/// <summary>
/// One channel to the controller and the API clients over it. The bearer token and the caller's name
/// are added by an interceptor so no verb can forget them. An <c>https://</c> controller's certificate
/// is verified with the system's trust store, or against the CA of <c>--ca-cert</c> /
/// <c>FARM_CA_CERT</c> alone; verification is never turned off.
/// </summary>
internal sealed class ControllerConnection : IDisposable
{
    public const string DefaultAddress = "http://127.0.0.1:7070";
    public const string AddressVariable = "FARM_CONTROLLER";
    public const string TokenVariable = "FARM_TOKEN";

    /// <summary>PEM file of the CA an https:// controller's certificate must chain to, when <c>--ca-cert</c> is not given.</summary>
    public const string CaCertificateVariable = "FARM_CA_CERT";

    /// <summary>Overrides the name sent in <see cref="UserHeader"/>.</summary>
    public const string UserVariable = "FARM_USER";

    /// <summary>
    /// The metadata that names the person behind the token: the controller records the token's name
    /// as who started an execution or decided an approval, with this in parentheses as detail. It
    /// declares, it does not prove: the bearer token is what admits the call and names the caller.
    /// </summary>
    public const string UserHeader = "farm-user";

    private readonly GrpcChannel _channel;

    private ControllerConnection(IReadOnlyList<Uri> addresses, string? token, string user, HttpMessageHandler? handler = null)
    {
        Address = string.Join(", ", addresses.Select(a => a.ToString().TrimEnd('/')));
        User = user;
        // Several controllers of a cluster: each call goes to the first that answers.
        _channel = ControllerChannel.Create(addresses, handler);
        var invoker = _channel.CreateCallInvoker().Intercept(headers =>
        {
            headers.Add(UserHeader, user);
            if (!string.IsNullOrEmpty(token))
            {
                headers.Add("authorization", "Bearer " + token);
            }

            return headers;
        });

        Pipelines = new Pipelines.PipelinesClient(invoker);
        Executions = new Executions.ExecutionsClient(invoker);
        Admin = new Admin.AdminClient(invoker);
        Deployments = new Deployments.DeploymentsClient(invoker);
        Identity = new Identity.IdentityClient(invoker);
        Doctor = new Doctor.DoctorClient(invoker);
    }

    /// <summary>The address (or addresses, comma-separated) calls go to, shown in "cannot reach" messages.</summary>
    public string Address { get; }

    /// <summary>The name every call sends in <see cref="UserHeader"/>.</summary>
    public string User { get; }

    public Pipelines.PipelinesClient Pipelines { get; }

    public Executions.ExecutionsClient Executions { get; }

    public Admin.AdminClient Admin { get; }

    public Deployments.DeploymentsClient Deployments { get; }

    public Identity.IdentityClient Identity { get; }

    public Doctor.DoctorClient Doctor { get; }

    /// <summary>True when calls go over TLS (an https:// address).</summary>
    public bool UsesTls => Address.StartsWith("https://", StringComparison.Ordinal);

    /// <summary>
    /// Opens a connection to <paramref name="option"/>, else the <c>FARM_CONTROLLER</c> variable, else
    /// the default address; an https:// address is verified against the CA in
    /// <paramref name="caCertificateOption"/>, else <c>FARM_CA_CERT</c>, else the system's trust store.
    /// Nothing is sent until the first call, so this never waits.
    /// </summary>
    /// <exception cref="CliException">The address is not an absolute http:// or https:// URL, or the CA file is unusable.</exception>
    public static ControllerConnection Open(string? option, string? caCertificateOption, Func<string, string?> environment)
    {
        var addresses = ResolveAddresses(option, environment);
        var roots = ResolveCaCertificates(caCertificateOption, environment);
        var handler = roots is not null && addresses[0].Scheme == Uri.UriSchemeHttps ? TrustOnly(roots) : null;
        return new(addresses, environment(TokenVariable), ResolveUser(environment, Environment.UserName, Environment.MachineName), handler);
    }

    /// <summary>As <see cref="Open(string?, Func{string, string?})"/>, over <paramref name="handler"/> (null for the default) so tests can see what is sent.</summary>
    internal static ControllerConnection Open(string? option, Func<string, string?> environment, HttpMessageHandler? handler) =>
        new(ResolveAddresses(option, environment), environment(TokenVariable),
            ResolveUser(environment, Environment.UserName, Environment.MachineName), handler);

    /// <summary>
    /// The caller's name for <see cref="UserHeader"/>: <c>FARM_USER</c> when set, else
    /// <c>user@host</c>. Characters an HTTP/2 header cannot carry (anything but printable ASCII) become
    /// <c>?</c>, because one such character would fail every call.
    /// </summary>
    public static string ResolveUser(Func<string, string?> environment, string userName, string machineName)
    {
        var name = environment(UserVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment)
            ? fromEnvironment.Trim()
            : $"{userName}@{machineName}";
        return string.Concat(name.Select(c => c is >= ' ' and <= '~' ? c : '?'));
    }

    /// <summary>
    /// Chooses the address by precedence: one, or several controllers of a cluster separated by
    /// commas. Separate from <see cref="Open"/> so it can be tested.
    /// </summary>
    public static IReadOnlyList<Uri> ResolveAddresses(string? option, Func<string, string?> environment)
    {
        var (text, source) = !string.IsNullOrWhiteSpace(option) ? (option, "--controller")
            : environment(AddressVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, AddressVariable)
            : (DefaultAddress, "the default");
        try
        {
            return ControllerChannel.ParseAddresses(text, source, DefaultAddress);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>
    /// The CA certificates of <c>--ca-cert</c>, else of <c>FARM_CA_CERT</c>; null when neither is set.
    /// </summary>
    /// <exception cref="CliException">The file is missing or holds no PEM certificate.</exception>
    public static X509Certificate2Collection? ResolveCaCertificates(string? option, Func<string, string?> environment)
    {
        var (path, source) = !string.IsNullOrWhiteSpace(option) ? (option, "--ca-cert")
            : environment(CaCertificateVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, CaCertificateVariable)
            : (null, null);
        if (path is null)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new CliException($"{source} is '{path}', which does not exist.");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{source} is '{path}', which cannot be read as PEM certificates: {e.Message}");
        }

        return certificates.Count > 0
            ? certificates
            : throw new CliException($"{source} is '{path}', which holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }

    /// <summary>
    /// A handler that accepts a server certificate only when it chains to one of <paramref name="roots"/>
    /// (the system's roots are not consulted), through SslStream's own chain and host name checks.
    /// The agent's <c>ControllerTrust</c> does the same; the two programs share no project but the protos.
    /// </summary>
    internal static SocketsHttpHandler TrustOnly(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // A private CA seldom publishes revocation lists; SslStream does not check them by default either.
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(roots);
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.CertificateChainPolicy = policy;
        return handler;
    }

    public void Dispose() => _channel.Dispose();
}
