using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Farm.Cli.Tests;

public sealed class ControllerConnectionCaTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("farm-cli-ca-").FullName;

    private static Func<string, string?> Environment(string? caCert) =>
        name => name == ControllerConnection.CaCertificateVariable ? caCert : null;

    private string WriteCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_folder, name + ".pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return path;
    }

    [Fact]
    public void No_option_and_no_variable_trusts_the_system_store()
    {
        Assert.Null(ControllerConnection.ResolveCaCertificates(null, Environment(null)));
    }

    [Fact]
    public void Option_wins_over_FARM_CA_CERT()
    {
        var roots = ControllerConnection.ResolveCaCertificates(WriteCa("option"), Environment(WriteCa("variable")));

        Assert.Equal("CN=option", Assert.Single(roots!).Subject);
    }

    [Fact]
    public void Missing_file_names_its_source()
    {
        var error = Assert.Throws<CliException>(() => ControllerConnection.ResolveCaCertificates(null, Environment("/nowhere/ca.pem")));

        Assert.Equal("FARM_CA_CERT is '/nowhere/ca.pem', which does not exist.", error.Message);
    }

    [Fact]
    public void File_without_a_certificate_is_refused()
    {
        var path = Path.Combine(_folder, "empty.pem");
        File.WriteAllText(path, "not a certificate\n");

        var error = Assert.Throws<CliException>(() => ControllerConnection.ResolveCaCertificates(path, Environment(null)));

        Assert.Equal($"--ca-cert is '{path}', which holds no PEM certificate (-----BEGIN CERTIFICATE-----).", error.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
