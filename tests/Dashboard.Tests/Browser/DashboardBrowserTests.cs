using Farm.Api.V1;
using Farm.EndToEnd.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Farm.Dashboard.Tests.Browser;

/// <summary>An operator's day in the dashboard, against the real controller, agents and Docker.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFarm stack) : IClassFixture<DashboardFarm>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Live = new() { Timeout = 90_000 };

    private FarmHost Farm => stack.Farm;

    private async Task ApplyAsync(string yaml) => await Farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = yaml });

    private static string Node(string stage, string action) => $"li.node[data-action='{stage}/{action}']";

    [Fact]
    public async Task Sample_pipeline_shows_its_graph_and_an_execution_goes_green_live()
    {
        await ApplyAsync(await File.ReadAllTextAsync(Path.Combine(FarmHost.RepoRoot, "examples", "hello.yaml")));
        var page = await stack.SignedInPageAsync(width: 1920, height: 1200);

        await Expect(page.Locator("tr[data-pipeline='hello']")).ToContainTextAsync("never ran");
        await page.ClickAsync("a[href='pipelines/hello']");
        await Expect(page.Locator("li.stage")).ToHaveCountAsync(3);
        var rows = page.Locator("li.stage[data-stage='Test'] li.row");
        await Expect(rows.Nth(0).Locator("li.node")).ToHaveCountAsync(2);
        await Expect(rows.Nth(1).Locator(Node("Test", "report"))).ToHaveCountAsync(1);
        // A mark on the window survives only if the page is never reloaded: updates must come over the circuit.
        await page.EvaluateAsync("window.farmTestMark = 'no reload'");
        await page.FillAsync("input[name=greeting]", "hi from the browser");
        await page.ClickAsync("button:has-text('Start execution')");

        await Expect(page.Locator(".execution-line")).ToHaveAttributeAsync("data-execution", new System.Text.RegularExpressions.Regex("^hello-\\d+$"));
        foreach (var (stage, action) in new[] { ("Build", "compile"), ("Test", "unit"), ("Test", "lint"), ("Test", "report"), ("Deploy", "release") })
        {
            await Expect(page.Locator(Node(stage, action))).ToHaveAttributeAsync("data-status", "succeeded", Live);
        }

        await Expect(page.Locator(".execution-line .badge")).ToHaveAttributeAsync("data-status", "succeeded", Live);
        Assert.Equal("no reload", await page.EvaluateAsync<string>("window.farmTestMark"));
        var compile = page.Locator(Node("Build", "compile") + " a");
        Assert.Matches("^Action compile, Succeeded, .+, on agent e2e-agent(-2)?$", await compile.GetAttributeAsync("aria-label"));
        var compileHref = await compile.GetAttributeAsync("href");
        await page.Locator(".graph-panel").ScreenshotAsync(new() { Path = Path.Combine(DashboardFarm.ResultsDirectory, "dashboard-pipeline-graph.png") });

        await page.SetViewportSizeAsync(1280, 800);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFarm.ResultsDirectory, "dashboard-pipeline-laptop.png"), FullPage = true });
        await page.GotoAsync("");
        await Expect(page.Locator("tr[data-pipeline='hello'] .badge")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(page.Locator("tr[data-pipeline='hello'] .strip li")).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFarm.ResultsDirectory, "dashboard-pipelines.png") });
        await page.GotoAsync(compileHref!);
        await Expect(page.Locator("h1")).ToContainTextAsync("hello-");
        await Expect(page.Locator(".log-line").First).ToContainTextAsync("hi from the browser from hello, execution hello-");
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFarm.ResultsDirectory, "dashboard-execution.png"), FullPage = true });

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a.download"));
        var log = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Matches("^hi from the browser from hello, execution hello-\\d+\nbuilding in /workspace\n$", log);
    }

    [Fact]
    public async Task Approving_a_waiting_approval_lets_the_execution_continue()
    {
        await ApplyAsync($$"""
            name: gated
            stages:
              - name: Gate
                actions:
                  - name: sign-off
                    type: approval
                    message: 'Ship #{execution.id}?'
                    reviewUrl: 'https://review.example.com/#{execution.id}'
              - name: Release
                actions:
                  - name: ship
                    type: container
                    image: {{FarmHost.Image}}
                    commands: [ "mkdir -p out && echo shipped > out/notes.txt" ]
                    outputArtifacts: [ { name: notes, paths: [ "out/**" ] } ]
            """);
        var page = await stack.SignedInPageAsync();
        await page.ClickAsync("nav >> text=Approvals");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Approvals" })).ToBeVisibleAsync();

        // Started after the page opened: the approval shows up on it without a reload.
        var id = (await Farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = "gated" })).ExecutionId;
        var approval = page.Locator($"li.approval[data-execution='{id}']");
        await Expect(approval.Locator(".approval-message")).ToHaveTextAsync($"Ship {id}?");
        await Expect(approval.Locator("a[href^='https://review.example.com/']")).ToHaveAttributeAsync("href", $"https://review.example.com/{id}");
        await approval.Locator("textarea").FillAsync("release notes checked");
        await approval.Locator("button.approve").ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync($"Approved Gate/sign-off of {id}");

        await page.GotoAsync($"executions/{id}");
        await Expect(page.Locator("li.timeline-action[data-action='Release/ship']")).ToHaveAttributeAsync("data-status", "succeeded", Live);
        await Expect(page.Locator("[data-decision='approved']")).ToContainTextAsync("Approved by admin (dashboard)");
        await Expect(page.Locator("[data-decision='approved']")).ToContainTextAsync("release notes checked");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("ul.artifacts a"));
        var archive = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal($"{id}-notes.tar.gz", download.SuggestedFilename);
        Assert.Equal(new byte[] { 0x1f, 0x8b }, archive[..2]);
    }

    [Fact]
    public async Task A_disabled_transition_holds_the_execution_until_it_is_enabled()
    {
        await ApplyAsync($$"""
            name: held
            stages:
              - name: First
                actions:
                  - { name: one, type: container, image: {{FarmHost.Image}}, commands: [ "echo one" ] }
              - name: Second
                actions:
                  - { name: two, type: container, image: {{FarmHost.Image}}, commands: [ "echo two" ] }
            """);
        var page = await stack.SignedInPageAsync();
        await page.GotoAsync("pipelines/held");

        await page.ClickAsync("li.transition[data-transition='Second'] button");
        await page.FillAsync("form[aria-label='Disable transition'] input", "release freeze");
        await page.ClickAsync("form[aria-label='Disable transition'] button[type=submit]");
        await Expect(page.Locator("li.transition[data-transition='Second'] .reason")).ToHaveTextAsync("release freeze");
        await page.ClickAsync("button:has-text('Start execution')");

        await Expect(page.Locator(Node("First", "one"))).ToHaveAttributeAsync("data-status", "succeeded", Live);
        await Expect(page.Locator(".waiting-note")).ToContainTextAsync("waits for Second");
        await Expect(page.Locator("li.transition[data-transition='Second'] .waiting")).ToContainTextAsync("held-1");
        await Expect(page.Locator(Node("Second", "two"))).ToHaveAttributeAsync("data-status", "pending");
        var state = await Farm.Pipelines.GetPipelineStateAsync(new GetPipelineStateRequest { Name = "held" });
        Assert.Equal(("release freeze", false), (state.Stages[1].DisabledReason, state.Stages[1].TransitionEnabled));
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFarm.ResultsDirectory, "dashboard-transition-disabled.png"), FullPage = true });

        await page.ClickAsync("li.transition[data-transition='Second'] button:has-text('Enable transition')");
        await Expect(page.Locator(Node("Second", "two"))).ToHaveAttributeAsync("data-status", "succeeded", Live);
    }

    [Fact]
    public async Task Unknown_pipeline_and_execution_say_so()
    {
        var page = await stack.SignedInPageAsync();

        await page.GotoAsync("pipelines/no-such-pipeline");
        await Expect(page.Locator("[data-missing='pipeline'] h1")).ToHaveTextAsync("No such pipeline");
        await page.GotoAsync("executions/no-such-pipeline-9");
        await Expect(page.Locator("[data-missing='execution'] h1")).ToHaveTextAsync("No such execution");

        await page.ClickAsync("header button:has-text('Sign out')");
        await Expect(page.Locator("[role=status]")).ToHaveTextAsync("You are signed out.");
        await page.GotoAsync("");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?ReturnUrl=%2F$"));
    }

    [Fact]
    public async Task A_refused_token_cannot_sign_in_and_a_revoked_one_returns_to_sign_in()
    {
        var viewer = await Farm.Admin.CreateTokenAsync(new CreateTokenRequest { Name = "dash-viewer", Role = "viewer" });
        var context = await stack.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = stack.Url });
        var stranger = await context.NewPageAsync();
        await stranger.GotoAsync("signin");
        await stranger.FillAsync("#token", "not-a-token");
        await stranger.ClickAsync("button[type=submit]");
        await Expect(stranger.Locator("[role=alert]")).ToContainTextAsync("did not accept this token");

        var page = await stack.SignedInPageAsync(viewer.Token);
        await Expect(page.Locator("header .who")).ToContainTextAsync("dash-viewer (viewer)");
        await Expect(page.Locator("nav >> text=Agents")).ToHaveCountAsync(0);
        await Farm.Admin.RevokeTokenAsync(new RevokeTokenRequest { Name = "dash-viewer" });
        try
        {
            await page.ReloadAsync();
        }
        catch (PlaywrightException e) when (e.Message.Contains("ERR_ABORTED", StringComparison.Ordinal))
        {
            // The open page got there first: one of its own calls was refused and it went to sign-in by itself.
        }

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?error=expired$"));
        await Expect(page.Locator("[role=alert]")).ToContainTextAsync("Your session ended");
    }

    [Fact]
    public async Task Agents_show_online_with_labels_slots_and_heartbeat()
    {
        var page = await stack.SignedInPageAsync();

        await page.ClickAsync("nav >> text=Agents");

        var agent = page.Locator("tr[data-agent='e2e-agent']");
        await Expect(agent).ToContainTextAsync("● online");
        await Expect(agent.Locator("td").Nth(1)).ToContainTextAsync("linux");
        await Expect(agent.Locator("td").Nth(1)).ToContainTextAsync("first");
        await Expect(agent).ToContainTextAsync("of 2");
        await Expect(agent.Locator("td").Nth(3)).ToContainTextAsync("✓ Docker ");
        await Expect(agent.Locator("td").Nth(4)).ToHaveTextAsync("shell, host-network");
        await Expect(agent.Locator("td").Nth(6)).ToContainTextAsync("UTC");
    }

    [Fact]
    public async Task Agent_without_a_docker_engine_shows_why_container_actions_are_unavailable()
    {
        var id = "noengine-" + Guid.NewGuid().ToString("N")[..6];
        var missing = Path.Combine(Directory.CreateTempSubdirectory("fd").FullName, "docker.sock");
        var enroll = await stack.Farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
        var agent = stack.Farm.StartAgentWith(new Dictionary<string, string> { ["Farm__Agent__DockerHost"] = "unix://" + missing }, null, id, enroll.Token, null, id);
        try
        {
            var page = await stack.SignedInPageAsync();

            await page.ClickAsync("nav >> text=Agents");

            // The page reads the fleet every few seconds: the new agent shows up by itself.
            await Expect(page.Locator($"tr[data-agent='{id}'] td").Nth(3)).ToHaveTextAsync(
                $"✗ container actions unavailable: no Docker engine socket exists at {missing}: start the engine, or set Farm:Agent:DockerHost (or DOCKER_HOST) to the socket it listens on.");
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    [Fact]
    public async Task Enrollment_tokens_are_listed_on_the_agents_page_and_one_is_revoked_there()
    {
        var made = await Farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 4 });
        var page = await stack.SignedInPageAsync();

        await page.ClickAsync("nav >> text=Agents");
        var row = page.Locator($"tr[data-enroll-token='{made.Id}']");
        await Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("working");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("4");
        await row.Locator("button:has-text('Revoke')").ClickAsync();
        await row.Locator("button:has-text('Confirm revoke')").ClickAsync();

        await Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("revoked");
        await Expect(row.Locator("button")).ToHaveCountAsync(0);
        var listed = await Farm.Admin.ListEnrollTokensAsync(new ListEnrollTokensRequest());
        Assert.Equal(EnrollTokenState.Revoked, listed.Tokens.Single(t => t.Id == made.Id).State);
    }

    [Fact]
    public async Task A_failed_stage_is_retried_rolled_back_and_a_long_run_is_stopped_from_the_graph()
    {
        // The first attempt fails and leaves a mark on the agent's host; the retry finds it and succeeds.
        var mark = Path.Combine(Path.GetTempPath(), $"farm-dashboard-retry-{Guid.NewGuid():N}");
        await ApplyAsync($$"""
            name: flaky
            variables:
              - { name: pause, default: "0" }
            stages:
              - name: Check
                actions:
                  - name: once
                    type: shell
                    commands: [ "test -f {{mark}} || { touch {{mark}}; echo 'error: first try'; exit 1; }" ]
              - name: Wait
                actions:
                  - { name: nap, type: container, image: {{FarmHost.Image}}, commands: [ "sleep #{variables.pause}" ] }
            """);
        var page = await stack.SignedInPageAsync();
        await page.GotoAsync("pipelines/flaky");
        await page.ClickAsync("button:has-text('Start execution')");
        await Expect(page.Locator(Node("Check", "once"))).ToHaveAttributeAsync("data-status", "failed", Live);
        await Expect(page.Locator(".execution-line .badge")).ToHaveAttributeAsync("data-status", "failed", Live);

        await page.ClickAsync("li.stage[data-stage='Check'] button:has-text('Retry failed actions')");
        await Expect(page.Locator(".execution-line .badge")).ToHaveAttributeAsync("data-status", "succeeded", Live);
        await Expect(page.Locator(Node("Check", "once") + " .attempt")).ToHaveTextAsync("attempt 2");

        await page.ClickAsync("li.stage[data-stage='Check'] button:has-text('Roll back')");
        await Expect(page.Locator("form[aria-label='Roll back'] select")).ToHaveValueAsync("flaky-1");
        await page.ClickAsync("form[aria-label='Roll back'] button[type=submit]");
        await Expect(page.Locator(".execution-line")).ToHaveAttributeAsync("data-execution", "flaky-2");
        await Expect(page.Locator(".execution-line")).ToContainTextAsync("rollback");
        await Expect(page.Locator(".execution-line .badge")).ToHaveAttributeAsync("data-status", "succeeded", Live);

        await page.FillAsync("input[name=pause]", "300");
        await page.ClickAsync("button:has-text('Start execution')");
        await Expect(page.Locator(Node("Wait", "nap"))).ToHaveAttributeAsync("data-status", "in-progress", Live);
        await page.FillAsync("form[aria-label='Stop'] input", "wrong branch");
        await page.ClickAsync("button:has-text('Stop and abandon')");
        await Expect(page.Locator(Node("Wait", "nap"))).ToHaveAttributeAsync("data-status", "abandoned", Live);
        await Expect(page.Locator(".execution-line .badge")).ToHaveAttributeAsync("data-status", "stopped", Live);
        File.Delete(mark);
    }
}
