using Farm.Controller.Hosting;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Tests;

public sealed class ExecutionHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ExecutionHistory _history = new(new SqliteDatabase(
        Options.Create(new ControllerOptions { DataDir = Directory.CreateTempSubdirectory("farm-history-").FullName })));

    private async Task AddAsync(int number, RunStatus status, string trigger, int hoursAfterT0)
    {
        var run = new ExecutionRun
        {
            Id = $"p-{number}",
            Pipeline = "p",
            PipelineVersion = 1,
            Status = status,
            StartedAt = T0.AddHours(hoursAfterT0),
            Variables = new Dictionary<string, string>(),
            Stages = [],
            Trigger = trigger,
        };
        await _history.UpsertAsync(run, number);
    }

    [Fact]
    public async Task Filters_combine_and_pages_continue_below_the_last_number()
    {
        await AddAsync(1, RunStatus.Succeeded, "manual", 0);
        await AddAsync(2, RunStatus.Failed, "manual", 1);
        await AddAsync(3, RunStatus.Succeeded, "rollback", 2);
        await AddAsync(4, RunStatus.Succeeded, "manual", 3);
        await AddAsync(5, RunStatus.InProgress, "manual", 4);

        var succeeded = await _history.ListAsync(new HistoryQuery("p", 10, [RunStatus.Succeeded]));
        var manualSucceeded = await _history.ListAsync(new HistoryQuery("p", 10, [RunStatus.Succeeded], "manual"));
        var window = await _history.ListAsync(new HistoryQuery("p", 10, StartedAfter: T0.AddHours(1), StartedBefore: T0.AddHours(3)));
        var page = await _history.ListAsync(new HistoryQuery("p", 2, BeforeNumber: 4));
        var unfinished = await _history.ListUnfinishedAsync();

        Assert.Equal(["p-4", "p-3", "p-1"], succeeded.Select(e => e.Id));
        Assert.Equal(["p-4", "p-1"], manualSucceeded.Select(e => e.Id));
        Assert.Equal(["p-3", "p-2"], window.Select(e => e.Id));
        Assert.Equal(["p-3", "p-2"], page.Select(e => e.Id));
        Assert.Equal("rollback", page[0].Trigger);
        Assert.Equal(["p-5"], unfinished.Select(e => e.Id));
    }
}
