using Farm.Agent.Attempts;
using Farm.Api.V1;
using Microsoft.Extensions.Hosting;

namespace Farm.Agent.Tests.Sessions;

/// <summary>
/// The session during a drain, against a <see cref="FakeController"/>: stopping the host is what
/// SIGTERM does through the console lifetime, so these cover the agent's side of SIGTERM short of
/// the signal itself.
/// </summary>
public sealed class AgentWorkerDrainTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-worker-").FullName;
    private FakeController _controller = null!;

    private string Release => Path.Combine(_dir, "release");

    public async Task InitializeAsync() => _controller = await FakeController.StartAsync();

    private static ControllerMessage Offer(string attemptId, string release) => new() { Offer = TestAgent.WaitingShellOffer(attemptId, release) };

    private Task<AgentMessage> ReplyToAsync(string attemptId) =>
        _controller.ReceiveAsync(m => m.OfferReply?.AttemptId == attemptId);

    [Fact]
    public async Task Stopping_host_drains_keeps_heartbeating_and_reports_the_running_attempt_before_it_ends()
    {
        using var host = TestAgent.Build(_controller.Address, Path.Combine(_dir, "work"), new DrainOptions());
        await host.StartAsync();
        await _controller.ReceiveAsync(m => m.Hello is not null);
        await _controller.Send.Writer.WriteAsync(Offer("p-1.1", Release));
        Assert.True((await ReplyToAsync("p-1.1")).OfferReply.Accepted);

        var stopping = host.StopAsync();
        await TestAgent.EventuallyAsync(() => host.Supervisor().IsDraining);
        await _controller.Send.Writer.WriteAsync(Offer("p-1.2", Release));
        var refused = (await ReplyToAsync("p-1.2")).OfferReply;
        var heartbeat = (await _controller.ReceiveAsync(m => m.Heartbeat is not null)).Heartbeat;

        Assert.Equal((false, "draining"), (refused.Accepted, refused.Reason));
        Assert.Equal(0, heartbeat.FreeSlots);
        Assert.Equal(["p-1.1"], heartbeat.RunningAttemptIds);
        Assert.False(stopping.IsCompleted);

        await File.WriteAllTextAsync(Release, "");
        var finished = (await _controller.ReceiveAsync(m => m.Finished is not null)).Finished;
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(("p-1.1", true), (finished.AttemptId, finished.Succeeded));
    }

    [Fact]
    public async Task Drain_message_from_the_controller_refuses_offers_without_stopping()
    {
        using var host = TestAgent.Build(_controller.Address, Path.Combine(_dir, "work"), new DrainOptions());
        await host.StartAsync();
        await _controller.ReceiveAsync(m => m.Hello is not null);

        await _controller.Send.Writer.WriteAsync(new ControllerMessage { Drain = new DrainAgent { Reason = "maintenance" } });
        var heartbeat = (await _controller.ReceiveAsync(m => m.Heartbeat is { FreeSlots: 0 })).Heartbeat;
        await _controller.Send.Writer.WriteAsync(Offer("p-1.1", Release));
        var refused = (await ReplyToAsync("p-1.1")).OfferReply;

        Assert.Empty(heartbeat.RunningAttemptIds);
        Assert.Equal((false, "draining"), (refused.Accepted, refused.Reason));
        Assert.True(host.Supervisor().IsDraining);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await File.WriteAllTextAsync(Release, "");
        await _controller.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
