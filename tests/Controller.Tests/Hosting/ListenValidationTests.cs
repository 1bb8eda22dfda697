using Farm.Controller.Hosting;

namespace Farm.Controller.Tests.Hosting;

public sealed class ListenValidationTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    private static IReadOnlyList<string> Problems(ControllerOptions options) => ListenValidation.Problems(options, DateTimeOffset.UtcNow);

    private ControllerOptions WithCertificate(string listen = "https://0.0.0.0:7070", string webhook = "https://0.0.0.0:7071") => new()
    {
        Listen = listen,
        WebhookListen = webhook,
        CertificatePath = _certificates.CertificatePath,
        CertificateKeyPath = _certificates.KeyPath,
    };

    [Fact]
    public void Defaults_are_plain_on_loopback_and_valid()
    {
        Assert.Empty(Problems(new ControllerOptions()));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7070")]
    [InlineData("http://127.8.9.10:7070")]
    [InlineData("http://[::1]:7070")]
    [InlineData("http://localhost:7070")]
    public void Plain_listen_on_a_loopback_address_is_valid(string listen)
    {
        Assert.Empty(Problems(new ControllerOptions { Listen = listen }));
    }

    [Fact]
    public void Plain_listen_off_loopback_without_a_certificate_is_refused()
    {
        var problems = Problems(new ControllerOptions { Listen = "http://0.0.0.0:7070" });

        Assert.Equal(
            ["Farm:Controller:Listen is not a loopback address; plain HTTP/2 is only allowed on loopback: set CertificatePath and CertificateKeyPath to serve TLS."],
            problems);
    }

    [Fact]
    public void Plain_webhook_listen_off_loopback_without_a_certificate_is_refused()
    {
        var problems = Problems(new ControllerOptions { WebhookListen = "http://10.0.0.5:7071" });

        Assert.Equal(
            ["Farm:Controller:WebhookListen is not a loopback address; plain HTTP is only allowed on loopback: set CertificatePath and CertificateKeyPath to serve TLS."],
            problems);
    }

    [Fact]
    public void Https_listen_without_a_certificate_is_refused()
    {
        var problems = Problems(new ControllerOptions { Listen = "https://127.0.0.1:7070" });

        Assert.Equal(
            ["Farm:Controller:Listen is an https:// address but no certificate is set: set CertificatePath and CertificateKeyPath to serve TLS, or use http:// on a loopback address."],
            problems);
    }

    [Fact]
    public void Listen_that_is_not_an_address_names_the_setting()
    {
        var problems = Problems(new ControllerOptions { Listen = "ci.example:7070" });

        Assert.Equal(
            ["Farm:Controller:Listen is 'ci.example:7070', which is not an http:// or https:// address with an IP address or localhost, such as http://127.0.0.1:7070."],
            problems);
    }

    [Fact]
    public void Certificate_with_https_endpoints_on_any_address_is_valid()
    {
        Assert.Empty(Problems(WithCertificate()));
    }

    [Fact]
    public void Certificate_with_a_plain_webhook_on_loopback_is_valid()
    {
        Assert.Empty(Problems(WithCertificate(webhook: "http://127.0.0.1:7071")));
    }

    [Fact]
    public void Certificate_with_plain_listen_requires_https()
    {
        var problems = Problems(WithCertificate(listen: "http://127.0.0.1:7070"));

        Assert.Equal(
            ["Farm:Controller:Listen must be an https:// address when CertificatePath and CertificateKeyPath are set, such as https://127.0.0.1:7070."],
            problems);
    }

    [Fact]
    public void Certificate_with_a_plain_webhook_off_loopback_is_refused()
    {
        var problems = Problems(WithCertificate(webhook: "http://0.0.0.0:7071"));

        Assert.Equal(
            ["Farm:Controller:WebhookListen is not a loopback address; plain HTTP is only allowed on loopback: make it an https:// address to serve it with the certificate."],
            problems);
    }

    [Fact]
    public void Certificate_without_its_key_is_refused()
    {
        var options = WithCertificate();
        options.CertificateKeyPath = null;

        var problems = Problems(options);

        Assert.Equal(
            ["Farm:Controller:CertificatePath is set but Farm:Controller:CertificateKeyPath is not: set both to serve TLS, or neither to serve plain HTTP on loopback."],
            problems);
    }

    [Fact]
    public void Missing_certificate_file_is_named()
    {
        var options = WithCertificate();
        options.CertificatePath = Path.Combine(_certificates.Folder, "missing.pem");

        var problems = Problems(options);

        Assert.Equal([$"Farm:Controller:CertificatePath is '{options.CertificatePath}', which does not exist (or is not readable by this process)."], problems);
    }

    [Fact]
    public void Certificate_file_without_a_certificate_is_named()
    {
        var options = WithCertificate();
        options.CertificatePath = _certificates.KeyPath;

        var problem = Assert.Single(Problems(options));

        Assert.StartsWith($"Farm:Controller:CertificatePath is '{_certificates.KeyPath}', which holds no PEM certificate", problem);
    }

    [Fact]
    public void Key_of_another_certificate_is_named()
    {
        using var other = TestCertificates.Create();
        var options = WithCertificate();
        options.CertificateKeyPath = other.KeyPath;

        var problem = Assert.Single(Problems(options));

        Assert.StartsWith(
            $"Farm:Controller:CertificateKeyPath is '{other.KeyPath}', which holds no unencrypted PEM private key that matches the certificate in Farm:Controller:CertificatePath",
            problem);
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        using var expired = TestCertificates.Create(notAfter: DateTimeOffset.UtcNow.AddHours(-1));
        var options = WithCertificate();
        (options.CertificatePath, options.CertificateKeyPath) = (expired.CertificatePath, expired.KeyPath);

        var problem = Assert.Single(Problems(options));

        Assert.Contains("whose certificate expired on", problem);
    }

    [Fact]
    public void LoadCertificate_returns_the_certificate_with_its_key()
    {
        using var certificate = ListenValidation.LoadCertificate(WithCertificate(), DateTimeOffset.UtcNow);

        Assert.NotNull(certificate);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=127.0.0.1", certificate.Subject);
    }

    [Fact]
    public void LoadCertificate_without_settings_returns_null_and_with_problems_throws_them()
    {
        Assert.Null(ListenValidation.LoadCertificate(new ControllerOptions(), DateTimeOffset.UtcNow));
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => ListenValidation.LoadCertificate(new ControllerOptions { Listen = "http://0.0.0.0:7070" }, DateTimeOffset.UtcNow));
        Assert.Contains("Farm:Controller:Listen is not a loopback address", error.Message);
    }

    public void Dispose() => _certificates.Dispose();
}
