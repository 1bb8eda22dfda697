using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Tests.Triggers;

public sealed class ScheduleTests
{
    private static readonly TriggerDefinition TenInBerlin = new() { Schedule = "0 10 * * *", TimeZone = "Europe/Berlin" };

    [Fact(Timeout = 60_000)]
    public async Task Occurrence_in_Berlin_starts_one_execution()
    {
        // 09:59:30 in Berlin (CET, UTC+1).
        await using var farm = await TriggerFixture.StartAsync(new DateTimeOffset(2025, 3, 10, 8, 59, 30, TimeSpan.Zero));
        await farm.ApplyAsync(TriggerFixture.Pipeline("nightly", "/nowhere", TenInBerlin));
        await farm.Triggers.TickAsync(CancellationToken.None);
        farm.Time.Advance(TimeSpan.FromSeconds(20));
        await farm.Triggers.TickAsync(CancellationToken.None);
        Assert.Empty(farm.Started);

        farm.Time.Advance(TimeSpan.FromSeconds(15)); // 10:00:05 in Berlin
        await farm.Triggers.TickAsync(CancellationToken.None);
        await farm.Triggers.TickAsync(CancellationToken.None);

        var id = Assert.Single(farm.Started);
        var run = await farm.ExecutionAsync(id);
        Assert.Equal(ExecutionRun.ScheduleTrigger, run.Trigger);
        Assert.Equal("schedule: 0 10 * * * Europe/Berlin", run.TriggeredBy);
        Assert.Empty(run.Sources);
    }

    [Fact(Timeout = 60_000)]
    public async Task Missed_occurrences_fire_once_after_a_restart()
    {
        var pipeline = TriggerFixture.Pipeline("daily", "/nowhere", TenInBerlin);
        var start = new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero);
        string dataDir;
        await using (var farm = await TriggerFixture.StartAsync(start))
        {
            dataDir = farm.Cluster.DataDir;
            await farm.ApplyAsync(pipeline);
            await farm.Triggers.TickAsync(CancellationToken.None);
        }

        // Down for three days: three 10:00s passed.
        await using var restarted = await TriggerFixture.StartAsync(start.AddDays(3), dataDir);
        restarted.Definitions.Set(pipeline);
        await restarted.Triggers.TickAsync(CancellationToken.None);
        restarted.Time.Advance(TimeSpan.FromSeconds(5));
        await restarted.Triggers.TickAsync(CancellationToken.None);

        Assert.Equal(["daily-1"], restarted.Started);
    }
}
