using System.Diagnostics;
using Farm.Agent.Attempts;
using Farm.Agent.Telemetry;
using Farm.Agent.Tests.Sessions;
using Farm.Api.V1;

namespace Farm.Agent.Tests.Telemetry;

public sealed class AttemptTracingTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-trace-").FullName;
    private FakeController _controller = null!;

    public async Task InitializeAsync() => _controller = await FakeController.StartAsync();

    [Fact]
    public async Task Attempt_span_is_a_child_of_the_offer_and_its_context_goes_back_with_the_result()
    {
        using var recorder = new SpanRecorder(AgentTracing.SourceName);
        var dispatch = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var release = Path.Combine(_dir, "release");
        await File.WriteAllTextAsync(release, "");
        var offer = TestAgent.WaitingShellOffer("t-1.1", release);
        offer.Traceparent = $"00-{dispatch.TraceId}-{dispatch.SpanId}-01";
        using var host = TestAgent.Build(_controller.Address, Path.Combine(_dir, "work"), new DrainOptions());
        await host.StartAsync();
        await _controller.ReceiveAsync(m => m.Hello is not null);

        await _controller.Send.Writer.WriteAsync(new ControllerMessage { Offer = offer });
        var finished = (await _controller.ReceiveAsync(m => m.Finished is not null)).Finished;
        await host.StopAsync();

        var span = Assert.Single(recorder.Spans, s => s.DisplayName == "attempt t-1.1");
        Assert.Equal((dispatch.TraceId, dispatch.SpanId), (span.TraceId, span.ParentSpanId));
        Assert.Equal(span.Id, finished.Traceparent);
        Assert.True(finished.Succeeded);
    }

    public async Task DisposeAsync() => await _controller.DisposeAsync();
}
