using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>A controller with a token of its own: callers and agents must present it.</summary>
public sealed class TokenTests : IAsyncLifetime
{
    private const string Token = "s3cret-token";
    private readonly FarmHost _farm = new(Token);

    public Task InitializeAsync() => _farm.InitializeAsync();

    public Task DisposeAsync() => _farm.DisposeAsync();

    [Fact]
    public async Task Calls_without_the_token_are_refused_and_the_agent_with_it_runs_work()
    {
        var none = await Assert.ThrowsAsync<RpcException>(() => _farm.Pipelines.ListPipelinesAsync(new ListPipelinesRequest()).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() =>
            _farm.Pipelines.ListPipelinesAsync(new ListPipelinesRequest(), new Metadata { { "authorization", "Bearer nope" } }).ResponseAsync);

        var headers = new Metadata { { "authorization", "Bearer " + Token } };
        await _farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest
        {
            Definition = "name: guarded\nstages:\n  - name: S\n    actions:\n      - name: a\n        type: shell\n        commands: [ \"echo ok\" ]\n",
        }, headers);
        var started = await _farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = "guarded" }, headers);
        using var watch = _farm.Executions.WatchExecution(new WatchExecutionRequest { ExecutionId = started.ExecutionId }, headers);
        Execution last = null!;
        await foreach (var state in watch.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
        {
            last = state;
        }

        Assert.Equal((StatusCode.Unauthenticated, "This controller requires a token: set FARM_TOKEN."), (none.StatusCode, none.Status.Detail));
        Assert.Equal((StatusCode.Unauthenticated, "The token was not accepted."), (wrong.StatusCode, wrong.Status.Detail));
        Assert.Equal(ExecutionStatus.Succeeded, last.Status);
    }
}
