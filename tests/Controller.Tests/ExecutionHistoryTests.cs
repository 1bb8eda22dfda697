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

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Row_carries_who_started_it_what_it_builds_its_variables_and_where_it_waits(string store)
    {
        var history = new ExecutionHistory(TestStores.Create(store));
        var fetched = new ActionRun { Name = "src", Type = "git", RunOrder = 1, Status = RunStatus.Succeeded, Outputs = new Dictionary<string, string>
        {
            ["author"] = "Ada <ada@example.com>", ["message"] = "first", ["committed_at"] = "2026-11-01T09:00:00+01:00",
        } };
        var run = new ExecutionRun
        {
            Id = "p-2", Pipeline = "p", PipelineVersion = 3, StartedAt = T0, Trigger = ExecutionRun.RollbackTrigger,
            TriggeredBy = "ci-bot (alice@host)",
            Variables = new Dictionary<string, string> { ["region"] = "eu", ["note"] = "ünïcode \"quoted\"" },
            Sources = [new PinnedSource("Source", "src", "https://git.example/app.git", "main", new string('c', 40), "https://git.example/app")],
            Inherited = new Inheritance("p-1", new Dictionary<string, IReadOnlyDictionary<string, string>>(), []),
            Stages = [new StageRun("Source", RunStatus.Succeeded, [fetched]), new StageRun("Deploy", RunStatus.Pending, [])],
            WaitingForStage = 1,
            WaitingReason = "stage 'Deploy' is busy with p-1",
        };

        await history.UpsertAsync(run, 2);
        var row = Assert.Single(await history.ListAsync("p", 10));

        Assert.Equal(("ci-bot (alice@host)", "p-1", "Deploy", "stage 'Deploy' is busy with p-1"), (row.TriggeredBy, row.RollbackOf, row.WaitingForStage, row.WaitingReason));
        Assert.Equal(run.Variables, row.Variables);
        var source = Assert.Single(row.Sources!);
        Assert.Equal(new SourceSummary("src", "https://git.example/app.git", "main", new string('c', 40), $"https://git.example/app/commit/{new string('c', 40)}",
            "Ada <ada@example.com>", "first", new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero)), source);
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Row_of_an_execution_with_nothing_of_the_kind_says_none_not_unknown(string store)
    {
        var history = new ExecutionHistory(TestStores.Create(store));
        await AddAsync(history, 1, RunStatus.Succeeded, "manual", 0);

        var row = Assert.Single(await history.ListAsync("p", 10));

        Assert.Equal(("", "", "", ""), (row.TriggeredBy, row.RollbackOf, row.WaitingForStage, row.WaitingReason));
        Assert.Empty(row.Variables!);
        Assert.Empty(row.Sources!);
    }

    [Fact]
    public void Only_a_transition_that_changes_what_the_row_holds_rewrites_it()
    {
        var action = new ActionRun { Name = "src", Type = "git", RunOrder = 1, Status = RunStatus.InProgress };
        var started = new ExecutionRun
        {
            Id = "p-1", Pipeline = "p", PipelineVersion = 1, StartedAt = T0, Variables = new Dictionary<string, string>(),
            Sources = [new PinnedSource("Source", "src", "repo", "main", new string('c', 40))],
            Stages = [new StageRun("Source", RunStatus.InProgress, [action]), new StageRun("Deploy", RunStatus.Pending, [])],
        };
        var attempted = started with { Revision = 2, AttemptsCreated = 1 };
        var fetched = started with { Stages = [started.Stages[0] with { Actions = [action with { Outputs = new Dictionary<string, string> { ["author"] = "Ada" } }] }, started.Stages[1]] };
        var waiting = started with { WaitingForStage = 1, WaitingReason = "busy" };

        Assert.True(ExecutionHistory.ChangesRow(null, started));
        Assert.False(ExecutionHistory.ChangesRow(started, attempted));
        Assert.True(ExecutionHistory.ChangesRow(started, fetched));
        Assert.True(ExecutionHistory.ChangesRow(started, waiting));
        Assert.True(ExecutionHistory.ChangesRow(started, started with { Status = RunStatus.Succeeded, FinishedAt = T0 }));
    }
}
