using Farm.Api.V1;
using Farm.Controller.Executions;
using Farm.Controller.Secrets;
using Farm.Controller.Security;
using Farm.Controller.Storage;
using Farm.Controller.Triggers;
using Farm.Core.Pipelines;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Pipelines;

/// <summary>The Pipelines API: validates files here, stores them through the pipeline grain.</summary>
public sealed partial class PipelinesService(
    IGrainFactory grains, PipelineCatalog catalog, SecretStore secrets, WebhookDirectory webhooks) : Api.V1.Pipelines.PipelinesBase
{
    public override Task<ValidatePipelineResponse> ValidatePipeline(ValidatePipelineRequest request, ServerCallContext context)
    {
        RequireWithinSizeLimit(request.Definition);
        var response = new ValidatePipelineResponse();
        response.Errors.Add(PipelineParser.Parse(request.Definition).Errors.Select(ToProto));
        return Task.FromResult(response);
    }

    public override async Task<ApplyPipelineResponse> ApplyPipeline(ApplyPipelineRequest request, ServerCallContext context)
    {
        RequireWithinSizeLimit(request.Definition);
        var parsed = PipelineParser.Parse(request.Definition);
        if (parsed.Pipeline is not { } pipeline)
        {
            var count = parsed.Errors.Count == 1 ? "1 error" : $"{parsed.Errors.Count} errors";
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"The pipeline file has {count}; nothing was stored:{Environment.NewLine}"
                + string.Join(Environment.NewLine, parsed.Errors.Select(e => "  " + e))));
        }

        var identity = Caller.Identity(context);
        var mayChangeProtected = identity?.Role is { } role && AccessTable.Allows(Access.Approver, role);
        var outcome = await grains.GetGrain<IPipelineGrain>(pipeline.Name).Apply(request.Definition, new ApplyCaller(Caller.Name(context), mayChangeProtected));
        if (outcome.Refused)
        {
            var who = identity?.Role is { } held ? $"Token '{identity.Name}' has the {Roles.Name(held)} role" : "This caller has no role";
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"{who}, and this file changes protected parts of pipeline '{pipeline.Name}', which only an approver or admin may change; "
                + $"nothing was stored. Ask an approver to apply it, or leave these as they are:{Environment.NewLine}"
                + string.Join(Environment.NewLine, outcome.ProtectedChanges!.Select(c => "  " + c))));
        }

        var response = new ApplyPipelineResponse { Name = pipeline.Name, Version = outcome.Version, Unchanged = outcome.Unchanged };
        response.ProtectedChanges.Add(outcome.ProtectedChanges ?? []);
        return response;
    }

    /// <summary>
    /// "The pipeline file is 1.3 MiB; the limit is 1 MiB." as INVALID_ARGUMENT, before parsing, so a
    /// huge file costs no parse and the refusal is the call's status, as for any other bad argument.
    /// The parser checks the same limit (<see cref="DocumentLimits.MaxBytes"/>) for its other callers.
    /// </summary>
    private static void RequireWithinSizeLimit(string definition)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(definition);
        if (bytes > DocumentLimits.MaxBytes)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, DocumentLimits.TooLarge(bytes)));
        }
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

    public override async Task<Api.V1.PipelineState> DisableTransition(DisableTransitionRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        Require(request.Stage, "stage");
        Require(request.Reason, "reason");
        return Map(await grains.GetGrain<IPipelineGrain>(request.Pipeline).SetTransition(request.Stage, enabled: false, request.Reason.Trim()));
    }

    public override async Task<Api.V1.PipelineState> EnableTransition(EnableTransitionRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        Require(request.Stage, "stage");
        return Map(await grains.GetGrain<IPipelineGrain>(request.Pipeline).SetTransition(request.Stage, enabled: true, null));
    }

    public override async Task<Api.V1.PipelineState> GetPipelineState(GetPipelineStateRequest request, ServerCallContext context)
    {
        Require(request.Name, "name");
        return Map(await grains.GetGrain<IPipelineGrain>(request.Name).GetRuntime() ?? throw NotApplied(request.Name));
    }

    public override async Task WatchPipeline(GetPipelineStateRequest request, IServerStreamWriter<Api.V1.PipelineState> responseStream, ServerCallContext context)
    {
        Require(request.Name, "name");
        var grain = grains.GetGrain<IPipelineGrain>(request.Name);
        var runtime = await grain.GetRuntime() ?? throw NotApplied(request.Name);
        await responseStream.WriteAsync(Map(runtime), context.CancellationToken);
        while (!context.CancellationToken.IsCancellationRequested)
        {
            // Under Orleans' 30 s call timeout, so a quiet pipeline is an answer, not an error.
            var next = await grain.WaitForRuntimeChange(runtime.Revision, TimeSpan.FromSeconds(20)) ?? runtime;
            if (next.Revision > runtime.Revision)
            {
                await responseStream.WriteAsync(Map(next), context.CancellationToken);
            }

            runtime = next;
        }
    }

    private static Api.V1.PipelineState Map(TransitionOutcome outcome) => outcome switch
    {
        { Runtime: { } runtime } => Map(runtime),
        { Refusal: StartRefusal.PipelineNotFound or StartRefusal.NotFound } => throw new RpcException(new Status(StatusCode.NotFound, outcome.Error!)),
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, outcome.Error!)),
    };

    private static Api.V1.PipelineState Map(PipelineRuntime runtime)
    {
        var mapped = new Api.V1.PipelineState
        {
            Name = runtime.Name,
            Version = runtime.Version,
            ExecutionMode = runtime.ExecutionMode,
            Revision = runtime.Revision,
        };
        foreach (var stage in runtime.Stages)
        {
            var state = new StageState
            {
                Name = stage.Name,
                TransitionEnabled = stage.DisabledReason is null,
                DisabledReason = stage.DisabledReason ?? "",
            };
            state.ExecutionIds.Add(stage.Executions);
            state.WaitingExecutionIds.Add(stage.Waiting);
            mapped.Stages.Add(state);
        }

        return mapped;
    }

    private static RpcException NotApplied(string name) =>
        new(new Status(StatusCode.NotFound, $"No pipeline named '{name}' has been applied."));

    private static void Require(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required."));
        }
    }

    private static ValidationError ToProto(PipelineError error) =>
        new() { Line = error.Line, Column = error.Column, Message = error.Message };
}
