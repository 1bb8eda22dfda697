using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Tests.Formatting;

public sealed class WebhooksReportTests
{
    [Fact]
    public void Each_provider_shows_its_url_and_wrapped_instructions_then_the_secret()
    {
        // Arrange
        var response = new GetWebhooksResponse
        {
            Secret = "5ec2e7",
            Webhooks =
            {
                new Webhook
                {
                    Provider = "github", Url = "http://ci:7070/hooks/github/site",
                    Instructions = "In the repository on GitHub: Settings → Webhooks → Add webhook. Payload URL: http://ci:7070/hooks/github/site. "
                        + "Content type: application/json.",
                },
                new Webhook { Provider = "gitlab", Url = "http://ci:7070/hooks/gitlab/site", Instructions = "Secret token: the secret below." },
            },
        };

        // Act
        var report = WebhooksReport.Format(response, "site");

        // Assert
        Assert.Equal(
            "github\n"
            + "  URL    http://ci:7070/hooks/github/site\n"
            + "  Setup  In the repository on GitHub: Settings → Webhooks → Add webhook. Payload\n"
            + "         URL: http://ci:7070/hooks/github/site. Content type: application/json.\n"
            + "\n"
            + "gitlab\n"
            + "  URL    http://ci:7070/hooks/gitlab/site\n"
            + "  Setup  Secret token: the secret below.\n"
            + "\n"
            + "Secret   5ec2e7\n",
            report);
    }

    [Fact]
    public void No_providers_says_so_and_still_shows_the_secret()
    {
        var report = WebhooksReport.Format(new GetWebhooksResponse { Secret = "s" }, "site");

        Assert.Equal("The controller offers no webhook addresses for site.\nSecret   s\n", report);
    }

    [Fact]
    public void Word_longer_than_the_width_gets_a_line_of_its_own()
    {
        Assert.Equal(["see", "https://example.com/a/long/path", "now"], WebhooksReport.Wrap("see https://example.com/a/long/path now", 10));
    }
}
