using System.Text;
using Farm.Agent.Attempts;
using Farm.Agent.Tests.Sessions;

namespace Farm.Agent.Tests.Attempts;

public sealed class AttemptSupervisorDrainTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-drain-").FullName;
    private FakeController _controller = null!;

    private string Release => Path.Combine(_dir, "release");

    public async Task InitializeAsync() => _controller = await FakeController.StartAsync();

    [Fact]
    public async Task Drained_supervisor_refuses_offers_and_still_reports_what_runs()
    {
        using var host = TestAgent.Build(_controller.Address, Path.Combine(_dir, "work"), new DrainOptions());
        var attempts = host.Supervisor();
        Assert.True(attempts.TryAccept(TestAgent.WaitingShellOffer("p-1.1", Release), out _));

        attempts.Drain("test");
        attempts.Drain();

        Assert.True(attempts.IsDraining);
        Assert.Equal(0, attempts.FreeSlots);
        Assert.False(attempts.TryAccept(TestAgent.WaitingShellOffer("p-1.2", Release), out var refusal));
        Assert.Equal("draining", refusal);
        Assert.Equal(["p-1.1"], attempts.RunningIds);

        await File.WriteAllTextAsync(Release, "");
        await TestAgent.EventuallyAsync(() => attempts.Unacknowledged.Count == 1);

        var finished = Assert.Single(attempts.Unacknowledged);
        Assert.Equal(("p-1.1", true, 0), (finished.AttemptId, finished.Succeeded, finished.ExitCode));
        Assert.Equal("started\ndone\n", Encoding.UTF8.GetString(_controller.Logs["p-1.1"].ToArray()));
    }

    [Fact]
    public async Task Shutdown_waits_for_running_attempts_within_the_grace()
    {
        using var host = TestAgent.Build(_controller.Address, Path.Combine(_dir, "work"), new DrainOptions());
        var attempts = host.Supervisor();
        Assert.True(attempts.TryAccept(TestAgent.WaitingShellOffer("p-1.1", Release), out _));
        var drain = new DrainOptions { Grace = TimeSpan.FromSeconds(30), AcknowledgeTimeout = TimeSpan.FromMilliseconds(200) };

        var stopping = attempts.ShutDownAsync(drain, CancellationToken.None);
        // Past every limit in play but the grace (the acknowledgement wait), shutdown must still be
        // waiting for the attempt: a negative can only be seen over a window, and this one is derived.
        await Task.Delay(drain.AcknowledgeTimeout * 2);
        Assert.False(stopping.IsCompleted);
        await File.WriteAllTextAsync(Release, "");
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        var finished = Assert.Single(attempts.Unacknowledged);
        Assert.True(finished.Succeeded, finished.Message);
    }

    [Fact]
    public async Task Shutdown_stops_attempts_still_running_after_the_grace_and_reports_them_failed()
    {
        using var host = TestAgent.Build(_controller.Address, Path.Combine(_dir, "work"), new DrainOptions());
        var attempts = host.Supervisor();
        Assert.True(attempts.TryAccept(TestAgent.WaitingShellOffer("p-1.1", Release), out _));
        await TestAgent.EventuallyAsync(() => _controller.Logs.TryGetValue("p-1.1", out var log) && log.Length > 0);
        var drain = new DrainOptions
        {
            // A shell action is killed at once; the long StopGrace only bounds the wait on a loaded machine.
            Grace = TimeSpan.FromMilliseconds(300), StopGrace = TimeSpan.FromSeconds(10), AcknowledgeTimeout = TimeSpan.FromMilliseconds(200),
        };

        await attempts.ShutDownAsync(drain, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(attempts.RunningIds);
        var finished = Assert.Single(attempts.Unacknowledged);
        Assert.Equal((false, -1, AttemptSupervisor.ShutDownMessage), (finished.Succeeded, finished.ExitCode, finished.Message));
        Assert.Equal("started\n", Encoding.UTF8.GetString(_controller.Logs["p-1.1"].ToArray()));
    }

    [Theory]
    [InlineData(null, "00:10:00")]
    [InlineData("00:30:00", "00:30:00")]
    [InlineData(" 1.00:00:00 ", "1.00:00:00")]
    [InlineData("0", "00:00:00")]
    public void Drain_grace_comes_from_the_environment(string? value, string expected)
    {
        var drain = DrainOptions.FromEnvironment(name => name == DrainOptions.GraceVariable ? value : null);

        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), drain.Grace);
        Assert.True(drain.ShutdownTimeout < drain.ServiceStopTimeout);
    }

    [Theory]
    [InlineData("ten minutes")]
    [InlineData("-00:01:00")]
    [InlineData("30.00:00:00")]
    public void Drain_grace_that_is_not_a_duration_is_refused_with_the_variable_name(string value)
    {
        var error = Assert.Throws<FormatException>(() => DrainOptions.FromEnvironment(_ => value));

        Assert.Contains(DrainOptions.GraceVariable, error.Message);
    }

    public async Task DisposeAsync()
    {
        await File.WriteAllTextAsync(Release, "");
        await _controller.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
