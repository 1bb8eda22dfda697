using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Hosting;

/// <summary>
/// Checks the two listen addresses and the TLS certificate together, since each rule involves more
/// than one setting: without a certificate both endpoints speak plain HTTP and must be on loopback;
/// with one, <see cref="ControllerOptions.Listen"/> must be <c>https://</c> and
/// <see cref="ControllerOptions.WebhookListen"/> may be. Every problem is reported at start, each
/// naming its setting and what to do.
/// </summary>
public sealed class ListenValidation(TimeProvider time) : IValidateOptions<ControllerOptions>
{
    private static readonly string ListenSetting = $"{ControllerOptions.Section}:Listen";
    private static readonly string WebhookSetting = $"{ControllerOptions.Section}:WebhookListen";
    private static readonly string CertificateSetting = $"{ControllerOptions.Section}:CertificatePath";
    private static readonly string KeySetting = $"{ControllerOptions.Section}:CertificateKeyPath";

    public ValidateOptionsResult Validate(string? name, ControllerOptions options)
    {
        var problems = Problems(options, time.GetUtcNow());
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem of the listen and certificate settings at <paramref name="now"/>; empty when there is none.</summary>
    public static IReadOnlyList<string> Problems(ControllerOptions options, DateTimeOffset now)
    {
        var problems = new List<string>();
        // Either setting says TLS is meant, even when the files have a problem (reported on its own).
        var tls = !string.IsNullOrWhiteSpace(options.CertificatePath) || !string.IsNullOrWhiteSpace(options.CertificateKeyPath);
        CheckCertificate(options, now, problems);
        CheckAddress(options.Listen, ListenSetting, "http://127.0.0.1:7070", "HTTP/2", tls, httpsRequired: true, problems);
        CheckAddress(options.WebhookListen, WebhookSetting, "http://127.0.0.1:7071", "HTTP", tls, httpsRequired: false, problems);
        return problems;
    }

    /// <summary>
    /// The certificate with its private key, or null when none is configured.
    /// </summary>
    /// <exception cref="OptionsValidationException">The settings have a problem (<see cref="Problems"/>).</exception>
    public static X509Certificate2? LoadCertificate(ControllerOptions options, DateTimeOffset now)
    {
        var problems = Problems(options, now);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(ControllerOptions.Section, typeof(ControllerOptions), problems);
        }

        return string.IsNullOrWhiteSpace(options.CertificatePath)
            ? null
            : X509Certificate2.CreateFromPemFile(options.CertificatePath, options.CertificateKeyPath);
    }

    /// <summary>The address to bind for a checked listen URL: an IP address, or loopback for <c>localhost</c>.</summary>
    public static IPAddress BindAddress(Uri uri) => uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.DnsSafeHost);

    /// <summary>Adds what is wrong with the certificate settings, when any is set, to <paramref name="problems"/>.</summary>
    private static void CheckCertificate(ControllerOptions options, DateTimeOffset now, List<string> problems)
    {
        var certificatePath = options.CertificatePath;
        var keyPath = options.CertificateKeyPath;
        var hasCertificate = !string.IsNullOrWhiteSpace(certificatePath);
        var hasKey = !string.IsNullOrWhiteSpace(keyPath);
        if (!hasCertificate && !hasKey)
        {
            return;
        }

        if (!hasCertificate || !hasKey)
        {
            var (set, missing) = hasCertificate ? (CertificateSetting, KeySetting) : (KeySetting, CertificateSetting);
            problems.Add($"{set} is set but {missing} is not: set both to serve TLS, or neither to serve plain HTTP on loopback.");
            return;
        }

        var exist = true;
        foreach (var (setting, path) in new[] { (CertificateSetting, certificatePath!), (KeySetting, keyPath!) })
        {
            if (!File.Exists(path))
            {
                problems.Add($"{setting} is '{path}', which does not exist (or is not readable by this process).");
                exist = false;
            }
        }

        if (!exist)
        {
            return;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath!));
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"{CertificateSetting} is '{certificatePath}', which holds no PEM certificate (-----BEGIN CERTIFICATE-----): {e.Message}");
            return;
        }

        using (certificate)
        {
            try
            {
                using var withKey = X509Certificate2.CreateFromPemFile(certificatePath!, keyPath);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{KeySetting} is '{keyPath}', which holds no unencrypted PEM private key that matches the certificate in {CertificateSetting}: {e.Message}");
                return;
            }

            if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
            {
                problems.Add($"{CertificateSetting} is '{certificatePath}', whose certificate expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: clients would refuse it; renew it.");
                return;
            }

            if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
            {
                problems.Add($"{CertificateSetting} is '{certificatePath}', whose certificate is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: clients would refuse it.");
            }
        }
    }

    private static void CheckAddress(
        string text, string setting, string example, string protocol, bool tls, bool httpsRequired, List<string> problems)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"
            || !(uri.Host is "localhost" || IPAddress.TryParse(uri.DnsSafeHost, out _)))
        {
            problems.Add($"{setting} is '{text}', which is not an http:// or https:// address with an IP address or localhost, such as {example}.");
        }
        else if (uri.Scheme == "https" && !tls)
        {
            problems.Add($"{setting} is an https:// address but no certificate is set: set CertificatePath and CertificateKeyPath to serve TLS, or use http:// on a loopback address.");
        }
        else if (uri.Scheme == "http" && tls && httpsRequired)
        {
            problems.Add($"{setting} must be an https:// address when CertificatePath and CertificateKeyPath are set, such as {example.Replace("http://", "https://", StringComparison.Ordinal)}.");
        }
        else if (uri.Scheme == "http" && !IsLoopback(uri))
        {
            problems.Add(tls
                ? $"{setting} is not a loopback address; plain {protocol} is only allowed on loopback: make it an https:// address to serve it with the certificate."
                : $"{setting} is not a loopback address; plain {protocol} is only allowed on loopback: set CertificatePath and CertificateKeyPath to serve TLS.");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.Host is "localhost" || IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address);
}
