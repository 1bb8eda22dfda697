using Farm.Api.V1;
using Farm.Cli.Progress;
using Grpc.Core;
using static Farm.Cli.Tests.Progress.States;

namespace Farm.Cli.Tests.Progress;

public sealed class ExecutionWatcherTests
{
    private static readonly RpcException Unavailable = new(new Status(StatusCode.Unavailable, "connection reset"));

    [Fact]
    public async Task Broken_stream_is_reopened_and_progress_continues_without_duplicates()
    {
        // Arrange
        var running = Execution(ExecutionStatus.InProgress, Running("compile", "host-1"), Pending("unit"));
        var done = Execution(ExecutionStatus.Succeeded, Ended("compile", ExecutionStatus.Succeeded, "host-1", 1, 0),
            Ended("unit", ExecutionStatus.Succeeded, "host-1", 2, 0));
        var client = new ScriptedExecutionsClient(
            new([running], Unavailable),
            new([], Unavailable),
            new([running.Clone(), done], null));
        var notices = new StringWriter();
        var time = new SteppingTimeProvider();
        var progress = new ExecutionProgress();
        var printed = new List<string>();

        // Act
        var final = await new ExecutionWatcher(client, notices, time)
            .WatchAsync("build-7", state => printed.AddRange(progress.Advance(state)), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        // Assert
        Assert.Equal(ExecutionStatus.Succeeded, final.Status);
        Assert.Equal(3, client.Calls);
        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)], time.Delays);
        Assert.Equal(
            ["▶ Build", "  ⋯ compile running on host-1", "  ✓ compile (1.0s, agent host-1)", "▶ Test", "  ✓ unit (2.0s, agent host-1)", "✓ build-7 succeeded in 1m15s"],
            printed);
        Assert.Equal(
            "farm: lost the connection to the controller (connection reset); reconnecting...\nfarm: reconnected to the controller.\n",
            notices.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Controller_gone_for_two_minutes_ends_the_watch_with_advice()
    {
        // Arrange
        var client = new ScriptedExecutionsClient(new ScriptedExecutionsClient.Stream([], Unavailable));
        var time = new SteppingTimeProvider();

        // Act
        var error = await Assert.ThrowsAsync<CliException>(() =>
            new ExecutionWatcher(client, TextWriter.Null, time).WatchAsync("build-7", _ => { }, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(10)));

        // Assert: doubling to ten seconds, the last delay cut so the total is exactly the two minutes.
        Assert.Equal([0.5, 1, 2, 4, 8, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 4.5], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(2), time.Delays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d));
        Assert.Contains("farm status build-7", error.Message);
    }

    [Fact]
    public async Task Not_found_is_not_retried()
    {
        var client = new ScriptedExecutionsClient(new ScriptedExecutionsClient.Stream([], new RpcException(new Status(StatusCode.NotFound, "No execution 'x' exists."))));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ExecutionWatcher(client, TextWriter.Null, new SteppingTimeProvider()).WatchAsync("x", _ => { }, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(1, client.Calls);
    }

    [Fact]
    public async Task States_older_than_the_given_revision_are_skipped()
    {
        // Arrange: the stream still begins with the failed state from before a retry.
        var before = Execution(ExecutionStatus.Failed, Ended("compile", ExecutionStatus.Failed, "host-1", 1, 1), Pending("unit"));
        before.Revision = 4;
        var retried = Execution(ExecutionStatus.InProgress, Running("compile", "host-2", attempt: 2), Pending("unit"));
        retried.Revision = 5;
        var done = Execution(ExecutionStatus.Succeeded, Ended("compile", ExecutionStatus.Succeeded, "host-2", 1, 0, attempt: 2),
            Ended("unit", ExecutionStatus.Succeeded, "host-2", 2, 0));
        done.Revision = 8;
        var client = new ScriptedExecutionsClient(new ScriptedExecutionsClient.Stream([before, retried, done], null));
        var seen = new List<long>();

        // Act
        var final = await new ExecutionWatcher(client, TextWriter.Null, new SteppingTimeProvider())
            .WatchAsync("build-7", state => seen.Add(state.Revision), CancellationToken.None, fromRevision: 5)
            .WaitAsync(TimeSpan.FromSeconds(10));

        // Assert
        Assert.Equal(ExecutionStatus.Succeeded, final.Status);
        Assert.Equal([5L, 8L], seen);
    }

    [Fact]
    public async Task Stopped_execution_ends_the_watch()
    {
        var stopped = Execution(ExecutionStatus.Stopped, Ended("compile", ExecutionStatus.Succeeded, "host-1", 1, 0), Pending("unit"));
        var client = new ScriptedExecutionsClient(new ScriptedExecutionsClient.Stream([stopped], Unavailable));

        var final = await new ExecutionWatcher(client, TextWriter.Null, new SteppingTimeProvider())
            .WatchAsync("build-7", _ => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExecutionStatus.Stopped, final.Status);
        Assert.Equal(1, client.Calls);
    }
}
