using System.Runtime.CompilerServices;
using Farm.Api.V1;
using Farm.Core.Pipelines;
using Grpc.Core;

namespace Farm.Dashboard.Controller;

/// <summary>Pipelines through the public API: list, read, watch, start, and transitions.</summary>
public sealed class PipelineService(FarmSession session)
{
    private async Task<Pipelines.PipelinesClient> ClientAsync() => new(await session.InvokerAsync());

    private async Task<Executions.ExecutionsClient> ExecutionsAsync() => new(await session.InvokerAsync());

    public async Task<IReadOnlyList<PipelineSummary>> ListAsync(CancellationToken cancellation = default) =>
        (await (await ClientAsync()).ListPipelinesAsync(new ListPipelinesRequest(), cancellationToken: cancellation)).Pipelines;

    /// <summary>The latest version and its parsed definition (stages, actions, variables); NOT_FOUND for an unknown pipeline.</summary>
    public async Task<PipelineDetails> GetAsync(string name, CancellationToken cancellation = default)
    {
        var pipeline = await (await ClientAsync()).GetPipelineAsync(new GetPipelineRequest { Name = name }, cancellationToken: cancellation);
        return new PipelineDetails(pipeline, PipelineParser.Parse(pipeline.Definition).Pipeline);
    }

    /// <summary>The pipeline's state now, then every change, until <paramref name="cancellation"/>.</summary>
    public async IAsyncEnumerable<PipelineState> WatchAsync(string name, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var call = (await ClientAsync()).WatchPipeline(new GetPipelineStateRequest { Name = name }, cancellationToken: cancellation);
        await foreach (var state in call.ResponseStream.ReadAllAsync(cancellation))
        {
            yield return state;
        }
    }

    public async Task<PipelineState> DisableTransitionAsync(string pipeline, string stage, string reason) =>
        await (await ClientAsync()).DisableTransitionAsync(new DisableTransitionRequest { Pipeline = pipeline, Stage = stage, Reason = reason });

    public async Task<PipelineState> EnableTransitionAsync(string pipeline, string stage) =>
        await (await ClientAsync()).EnableTransitionAsync(new EnableTransitionRequest { Pipeline = pipeline, Stage = stage });

    /// <summary>Starts the latest version with <paramref name="variables"/>; returns the new execution's id.</summary>
    public async Task<string> StartAsync(string pipeline, IReadOnlyDictionary<string, string> variables)
    {
        var request = new StartExecutionRequest { Pipeline = pipeline };
        foreach (var (name, value) in variables)
        {
            request.Variables[name] = value;
        }

        return (await (await ExecutionsAsync()).StartExecutionAsync(request)).ExecutionId;
    }
}
