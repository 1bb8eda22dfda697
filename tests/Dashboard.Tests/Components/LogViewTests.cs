using System.Text;
using Bunit;
using Farm.Dashboard.Components.Logs;
using Farm.Dashboard.Controller;
using Microsoft.Extensions.DependencyInjection;

namespace Farm.Dashboard.Tests.Components;

public sealed class LogViewTests : BunitContext
{
    // Lines render at most every 150 ms on the renderer's thread; on a machine busy with other test
    // projects that can take a while, so waits allow far more than the 1 s default.
    private static readonly TimeSpan RenderWait = TimeSpan.FromSeconds(15);
    private readonly FakeLogReader _log = new();

    public LogViewTests()
    {
        Services.AddSingleton<ILogReader>(_log);
        Services.AddSingleton(TimeProvider.System);
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private IRenderedComponent<LogView> RenderLog() =>
        Render<LogView>(p => p.Add(v => v.Address, new LogAddress("hello-1", "Build", "compile")).Add(v => v.DownloadUrl, "download/log/hello-1/Build/compile"));

    [Fact]
    public void Lines_arrive_live_and_ansi_colours_become_classes_never_markup()
    {
        var view = RenderLog();

        _log.Write("plain line\n\u001b[1;31mred <b>bold</b>\u001b[0m back\n");
        view.WaitForAssertion(() => Assert.Equal(2, view.FindAll(".log-line").Count), RenderWait);
        _log.Write("third, still being written");

        view.WaitForAssertion(() => Assert.Equal(3, view.FindAll(".log-line").Count), RenderWait);
        var red = view.Find(".log-line[data-line='2'] .line-text span");
        Assert.Equal(("ansi-fg-1 ansi-bold", "red <b>bold</b>"), (red.ClassName, red.TextContent));
        Assert.Equal("red <b>bold</b> back", view.Find(".log-line[data-line='2'] .line-text").TextContent);
        Assert.Equal("third, still being written", view.Find(".log-line[data-line='3'] .line-text").TextContent);
        Assert.Contains("live", view.Find(".log-state").TextContent);
        Assert.Equal(new LogAddress("hello-1", "Build", "compile"), _log.Asked);
    }

    [Fact]
    public void Search_counts_matches_and_steps_through_them()
    {
        var view = RenderLog();
        _log.Write("alpha\nbeta\nALPHA again\ngamma\n");
        _log.Finish();
        view.WaitForAssertion(() => Assert.Equal("4 lines", view.Find(".log-state").TextContent), RenderWait);

        view.Find(".log-search input").Change("alpha");
        view.Find(".log-search").Submit();

        Assert.Equal("1 of 2", view.Find(".match-count").TextContent);
        Assert.Equal("1", view.Find(".log-line.current-match").GetAttribute("data-line"));
        view.Find("button[aria-label='Next match']").Click();
        Assert.Equal(("2 of 2", "3"), (view.Find(".match-count").TextContent, view.Find(".log-line.current-match").GetAttribute("data-line")));
        Assert.Equal(["1", "3"], view.FindAll(".log-line.match").Select(l => l.GetAttribute("data-line")));
    }

    [Fact]
    public void Jump_to_first_error_scrolls_to_the_first_line_that_reads_as_an_error()
    {
        var view = RenderLog();
        _log.Write("compiling\n0 warnings\nsrc/a.c:3: error: expected ';'\nmake: *** failed\n");
        _log.Finish();
        view.WaitForAssertion(() => Assert.False(view.Find("button.first-error").HasAttribute("disabled")), RenderWait);

        view.Find("button.first-error").Click();

        // The handler refreshes the virtualized list before it scrolls, so the call comes a render later.
        view.WaitForAssertion(() => Assert.Equal(2, JSInterop.VerifyInvoke("farmLog.scrollToLine").Arguments[1]), RenderWait);
        Assert.Equal("3", view.Find(".log-line.error-line").GetAttribute("data-line"));
        Assert.Equal("download/log/hello-1/Build/compile", view.Find("a.download").GetAttribute("href"));
    }

    [Fact]
    public void A_log_of_100000_lines_renders_only_the_lines_in_view()
    {
        var view = RenderLog();
        var text = new StringBuilder();
        for (var i = 1; i <= 100_000; i++)
        {
            text.Append("line ").Append(i).Append(i == 77_777 ? " FATAL: disk full" : "").Append('\n');
        }

        _log.Write(text.ToString());
        _log.Finish();

        view.WaitForAssertion(() => Assert.Equal("100000 lines", view.Find(".log-state").TextContent), RenderWait);
        Assert.InRange(view.FindAll(".log-line").Count, 1, 500);
        Assert.Equal(77_776, view.Instance.Document.FirstErrorLine);
        Assert.Equal([77_776], view.Instance.Document.Search("disk full"));
    }
}
