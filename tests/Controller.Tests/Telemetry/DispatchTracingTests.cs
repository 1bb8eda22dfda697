using System.Diagnostics;
using Farm.Controller.Executions;
using Farm.Controller.Pipelines;
using Farm.Controller.Telemetry;

namespace Farm.Controller.Tests.Telemetry;

public sealed class DispatchTracingTests
{
    private const string TwoStages = """
        name: traced
        stages:
          - name: Build
            actions:
              - { name: compile, type: shell, runsOn: [linux], commands: [ "true" ] }
          - name: Deploy
            actions:
              - { name: push, type: shell, runsOn: [linux], commands: [ "true" ] }
        """;

    [Fact]
    public async Task Every_offer_of_an_execution_carries_a_dispatch_span_of_the_execution_trace()
    {
        using var recorder = new SpanRecorder(FarmTracing.SourceName);
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"]);
        await cluster.Grains.GetGrain<IPipelineGrain>("traced").Apply(TwoStages);
        var id = (await cluster.Grains.GetGrain<IPipelineGrain>("traced").StartManually([])).ExecutionId!;
        var execution = cluster.Grains.GetGrain<IExecutionGrain>(id);

        var build = await agent.NextOfferAsync();
        await execution.Claim(build.AttemptId, "a1");
        await execution.Finish("a1", new AttemptResult(build.AttemptId, true, 0, null, [], []));
        var push = await agent.NextOfferAsync();

        var root = Assert.Single(recorder.Spans, s => s.DisplayName == "execution " + id);
        var dispatches = recorder.Spans.Where(s => s.DisplayName.StartsWith("dispatch " + id, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, dispatches.Count);
        Assert.All(dispatches, d => Assert.Equal((root.TraceId, root.SpanId), (d.TraceId, d.ParentSpanId)));
        Assert.Equal(
            dispatches.Select(d => d.Id).Order(),
            new[] { build.TraceParent, push.TraceParent }.Order());
    }
}
