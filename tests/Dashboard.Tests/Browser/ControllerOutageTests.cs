using Farm.Api.V1;
using Farm.EndToEnd.Tests;
using static Microsoft.Playwright.Assertions;

namespace Farm.Dashboard.Tests.Browser;

/// <summary>The controller dies under an open page and comes back; the page says so and recovers without a reload.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ControllerOutageTests(DashboardFarm stack) : IClassFixture<DashboardFarm>
{
    [Fact]
    public async Task A_controller_that_goes_away_raises_a_banner_and_the_page_recovers_by_itself()
    {
        await stack.Farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest
        {
            Definition = $$"""
                name: sturdy
                stages:
                  - name: Only
                    actions:
                      - { name: step, type: container, image: {{FarmHost.Image}}, commands: [ "echo still here" ] }
                """,
        });
        var page = await stack.SignedInPageAsync();
        await page.GotoAsync("pipelines/sturdy");
        await Expect(page.Locator("li.node[data-action='Only/step']")).ToHaveAttributeAsync("data-status", "none");
        await page.EvaluateAsync("window.farmTestMark = 'no reload'");
        var banner = page.Locator("[data-banner='controller-unreachable']");

        // Killed outright, then started again on the same data folder and ports, as after a crash.
        var restart = stack.Farm.RestartControllerAsync();
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToContainTextAsync("The controller does not answer");
        await restart;
        await Expect(banner).ToBeHiddenAsync(new() { Timeout = 30_000 });

        await page.ClickAsync("button:has-text('Start execution')");
        await Expect(page.Locator("li.node[data-action='Only/step']")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 90_000 });
        Assert.Equal("no reload", await page.EvaluateAsync<string>("window.farmTestMark"));
    }
}
