using Farm.Api.V1;
using Farm.Controller.Executions;
using Farm.Controller.Storage;
using Farm.Core.Pipelines;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Pipelines;

/// <summary>The Pipelines API: validates files here, stores them through the pipeline grain.</summary>
public sealed class PipelinesService(IGrainFactory grains, PipelineCatalog catalog) : Api.V1.Pipelines.PipelinesBase
{
    public override Task<ValidatePipelineResponse> ValidatePipeline(ValidatePipelineRequest request, ServerCallContext context)
    {
        var response = new ValidatePipelineResponse();
        response.Errors.Add(PipelineParser.Parse(request.Definition).Errors.Select(ToProto));
        return Task.FromResult(response);
    }

    public override async Task<ApplyPipelineResponse> ApplyPipeline(ApplyPipelineRequest request, ServerCallContext context)
    {
        var parsed = PipelineParser.Parse(request.Definition);
        if (parsed.Pipeline is not { } pipeline)
        {
            var count = parsed.Errors.Count == 1 ? "1 error" : $"{parsed.Errors.Count} errors";
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"The pipeline file has {count}; nothing was stored:{Environment.NewLine}"
                + string.Join(Environment.NewLine, parsed.Errors.Select(e => "  " + e))));
        }

        var outcome = await grains.GetGrain<IPipelineGrain>(pipeline.Name).Apply(request.Definition);
        return new ApplyPipelineResponse { Name = pipeline.Name, Version = outcome.Version, Unchanged = outcome.Unchanged };
    }

    public override async Task<ListPipelinesResponse> ListPipelines(ListPipelinesRequest request, ServerCallContext context)
    {
        var response = new ListPipelinesResponse();
        foreach (var listing in await catalog.ListAsync())
        {
            response.Pipelines.Add(new PipelineSummary
            {
                Name = listing.Name,
                Version = listing.Version,
                UpdatedAt = Timestamp.FromDateTimeOffset(listing.UpdatedAt),
                LatestExecutionId = listing.Latest?.Id ?? "",
                LatestExecutionStatus = listing.Latest?.Status.ToProto() ?? ExecutionStatus.Unspecified,
            });
        }

        return response;
    }

    public override async Task<Pipeline> GetPipeline(GetPipelineRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "name is required."));
        }

        if (request.Version < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"version must be 0 (latest) or more, not {request.Version}."));
        }

        var stored = await grains.GetGrain<IPipelineGrain>(request.Name).GetVersion(request.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, request.Version == 0
                ? $"No pipeline named '{request.Name}' has been applied."
                : $"Pipeline '{request.Name}' has no version {request.Version}."));
        return new Pipeline
        {
            Name = request.Name,
            Version = stored.Version,
            LatestVersion = stored.LatestVersion,
            Definition = stored.Source,
            AppliedAt = Timestamp.FromDateTimeOffset(stored.AppliedAt),
        };
    }

    private static ValidationError ToProto(PipelineError error) =>
        new() { Line = error.Line, Column = error.Column, Message = error.Message };
}
