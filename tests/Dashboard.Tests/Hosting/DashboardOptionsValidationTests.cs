using Farm.Dashboard.Hosting;

namespace Farm.Dashboard.Tests.Hosting;

public sealed class DashboardOptionsValidationTests
{
    private static IEnumerable<string> Problems(DashboardOptions options) =>
        new DashboardOptionsValidation().Validate(null, options).Failures ?? [];

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(Problems(new DashboardOptions()));

    [Fact]
    public void Plain_http_beyond_loopback_is_refused_because_the_cookie_carries_a_token()
    {
        var problems = Problems(new DashboardOptions { Listen = "http://0.0.0.0:7080" });

        Assert.StartsWith("Farm:Dashboard:Listen is 'http://0.0.0.0:7080': plain http is only served on loopback", Assert.Single(problems));
    }

    [Theory]
    [InlineData("127.0.0.1:7070")]
    [InlineData("ftp://controller")]
    public void A_controller_address_that_is_not_an_http_url_is_named(string address)
    {
        var problems = Problems(new DashboardOptions { Controller = address });

        Assert.Equal($"Farm:Dashboard:Controller is '{address}': '{address}' is not an address such as http://127.0.0.1:7070.", Assert.Single(problems));
    }

    [Fact]
    public void Several_controllers_of_a_cluster_are_taken_and_a_mix_of_schemes_is_named()
    {
        Assert.Empty(Problems(new DashboardOptions { Controller = "http://127.0.0.1:7070, http://127.0.0.1:7071" }));
        Assert.StartsWith("Farm:Dashboard:Controller is 'http://a:7070,https://b:7070': its addresses mix http:// and https://",
            Assert.Single(Problems(new DashboardOptions { Controller = "http://a:7070,https://b:7070" })));
    }

    [Fact]
    public void A_ca_file_that_is_missing_or_holds_no_certificate_is_named()
    {
        var notPem = Path.GetTempFileName();
        File.WriteAllText(notPem, "not a certificate");

        var missing = Problems(new DashboardOptions { CaCertificatePath = "/nowhere/ca.pem" });
        var empty = Problems(new DashboardOptions { CaCertificatePath = notPem });
        File.Delete(notPem);

        Assert.Equal("Farm:Dashboard:CaCertificatePath is '/nowhere/ca.pem', which does not exist.", Assert.Single(missing));
        Assert.EndsWith("which holds no PEM certificate (-----BEGIN CERTIFICATE-----).", Assert.Single(empty));
    }
}
