using Farm.Controller.Storage;
using Farm.Controller.Tests.Storage;
using Farm.Core.Executions;

namespace Farm.Controller.Tests;

public sealed class ExecutionHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private static async Task AddAsync(ExecutionHistory history, int number, RunStatus status, string trigger, int hoursAfterT0)
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
        await history.UpsertAsync(run, number);
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Filters_combine_and_pages_continue_below_the_last_number(string store)
    {
        var history = new ExecutionHistory(TestStores.Create(store));
        await AddAsync(history, 1, RunStatus.Succeeded, "manual", 0);
        await AddAsync(history, 2, RunStatus.Failed, "manual", 1);
        await AddAsync(history, 3, RunStatus.Succeeded, "rollback", 2);
        await AddAsync(history, 4, RunStatus.Succeeded, "manual", 3);
        await AddAsync(history, 5, RunStatus.InProgress, "manual", 4);

        var succeeded = await history.ListAsync(new HistoryQuery("p", 10, [RunStatus.Succeeded]));
        var manualSucceeded = await history.ListAsync(new HistoryQuery("p", 10, [RunStatus.Succeeded], "manual"));
        var window = await history.ListAsync(new HistoryQuery("p", 10, StartedAfter: T0.AddHours(1), StartedBefore: T0.AddHours(3)));
        var page = await history.ListAsync(new HistoryQuery("p", 2, BeforeNumber: 4));
        var unfinished = await history.ListUnfinishedAsync();

        Assert.Equal(["p-4", "p-3", "p-1"], succeeded.Select(e => e.Id));
        Assert.Equal(["p-4", "p-1"], manualSucceeded.Select(e => e.Id));
        Assert.Equal(["p-3", "p-2"], window.Select(e => e.Id));
        Assert.Equal(["p-3", "p-2"], page.Select(e => e.Id));
        Assert.Equal("rollback", page[0].Trigger);
        Assert.Equal(["p-5"], unfinished.Select(e => e.Id));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Writing_a_row_again_updates_its_status_and_keeps_its_start(string store)
    {
        var history = new ExecutionHistory(TestStores.Create(store));
        await AddAsync(history, 1, RunStatus.InProgress, "manual", 0);

        await AddAsync(history, 1, RunStatus.Succeeded, "webhook", 5);
        var rows = await history.ListAsync("p", 10);

        var row = Assert.Single(rows);
        Assert.Equal((RunStatus.Succeeded, T0, "manual"), (row.Status, row.StartedAt, row.Trigger));
        Assert.Empty(await history.ListUnfinishedAsync());
    }
}
