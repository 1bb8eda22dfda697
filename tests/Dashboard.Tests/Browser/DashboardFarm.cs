using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Farm.EndToEnd.Tests;
using Microsoft.Playwright;

namespace Farm.Dashboard.Tests.Browser;

/// <summary>
/// The whole stack as an operator runs it: a controller and two agents (<see cref="FarmHost"/>, against
/// the Docker engine of DOCKER_HOST), the dashboard as a process of its own build output, and Debian's
/// Chromium driven headless by Playwright. Never downloads a browser.
/// </summary>
public sealed class DashboardFarm : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly List<string> _dashboardOutput = [];
    private Process? _dashboard;
    private IPlaywright? _playwright;

    public FarmHost Farm { get; } = new();

    public string Url { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where ./test.sh keeps what a run produced; screenshots go there.</summary>
    public static string ResultsDirectory => Directory.CreateDirectory(Path.Combine(FarmHost.RepoRoot, ".work", "test", "results")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"These tests drive Debian's Chromium at {ChromiumPath}: run ./test.sh, which installs it, or apt-get install -y --no-install-recommends chromium.");
        }

        await Farm.InitializeAsync();
        var port = FarmHost.FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _dashboard = await Farm.StartDashboardAsync(Url, _dashboardOutput);

        // The suite runs test projects side by side on two cores: give every expectation room.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) at a laptop's size, signed in with <paramref name="token"/> (default: the admin token).</summary>
    public async Task<IPage> SignedInPageAsync(string? token = null, int width = 1366, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Url, ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        await page.FillAsync("#token", token ?? Farm.AdminToken);
        await page.ClickAsync("button[type=submit]");
        // Pages render once the circuit is up, so the heading is the sign that clicks will be answered.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pipelines", Exact = true })).ToBeVisibleAsync();
        return page;
    }

    public string DashboardOutput()
    {
        lock (_dashboardOutput)
        {
            return string.Join("\n", _dashboardOutput.TakeLast(60));
        }
    }


    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_dashboard is { HasExited: false })
        {
            _dashboard.Kill(entireProcessTree: true);
            await _dashboard.WaitForExitAsync();
        }

        _dashboard?.Dispose();
        await Farm.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    /// <summary>One stack at a time: each starts a controller, two agents, the dashboard and a browser on a two-core machine.</summary>
    public const string Name = "browser";
}
