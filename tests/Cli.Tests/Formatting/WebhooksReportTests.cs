using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Tests.Formatting;

public sealed class WebhooksReportTests
{
    [Fact]
    public void Each_trigger_shows_its_secret_then_each_providers_url_and_wrapped_instructions()
    {
        // Arrange
        var response = new GetWebhooksResponse
        {
            Webhooks =
            {
                new Webhook
                {
                    Source = "app", Secret = "5ec2e7", Provider = "github", Url = "http://ci:7070/hooks/github/site/app",
                    Instructions = "In the repository on GitHub: Settings → Webhooks → Add webhook. Payload URL: http://ci:7070/hooks/github/site/app. "
                        + "Content type: application/json.",
                },
                new Webhook
                {
                    Source = "app", Secret = "5ec2e7", Provider = "gitlab", Url = "http://ci:7070/hooks/gitlab/site/app",
                    Instructions = "Secret token: the trigger's secret, shown above.",
                },
                new Webhook { Source = "docs", Secret = "d0c5", Provider = "gitea", Url = "http://ci:7070/hooks/gitea/site/docs", Instructions = "Add it." },
            },
        };

        // Act
        var report = WebhooksReport.Format(response, "site");

        // Assert
        Assert.Equal(
            "trigger on app\n"
            + "  Secret 5ec2e7\n"
            + "\n"
            + "github\n"
            + "  URL    http://ci:7070/hooks/github/site/app\n"
            + "  Setup  In the repository on GitHub: Settings → Webhooks → Add webhook. Payload\n"
            + "         URL: http://ci:7070/hooks/github/site/app. Content type:\n"
            + "         application/json.\n"
            + "\n"
            + "gitlab\n"
            + "  URL    http://ci:7070/hooks/gitlab/site/app\n"
            + "  Setup  Secret token: the trigger's secret, shown above.\n"
            + "\n"
            + "trigger on docs\n"
            + "  Secret d0c5\n"
            + "\n"
            + "gitea\n"
            + "  URL    http://ci:7070/hooks/gitea/site/docs\n"
            + "  Setup  Add it.\n"
            + "\n",
            report);
    }

    [Fact]
    public void No_addresses_says_so()
    {
        var report = WebhooksReport.Format(new GetWebhooksResponse(), "site");

        Assert.Equal("The controller offers no webhook addresses for site.\n", report);
    }

    [Fact]
    public void Word_longer_than_the_width_gets_a_line_of_its_own()
    {
        Assert.Equal(["see", "https://example.com/a/long/path", "now"], WebhooksReport.Wrap("see https://example.com/a/long/path now", 10));
    }
}
