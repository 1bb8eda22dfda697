using Farm.Api.V1;
using Farm.Controller.Logs;
using Farm.Controller.Pipelines;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Grpc.Core;

namespace Farm.Controller.Executions;

/// <summary>The Executions API: adapters from requests to the pipeline and execution grains.</summary>
public sealed class ExecutionsService(IGrainFactory grains, ExecutionHistory history, PipelineCatalog catalog, LogStore logs)
    : Api.V1.Executions.ExecutionsBase
{
    private const int LogChunkBytes = 64 * 1024;

    // Under Orleans' 30 s call timeout, so a long wait ends as an answer, not an error.
    private static readonly TimeSpan WatchWait = TimeSpan.FromSeconds(20);

    // A follower on another silo than the log's writer is not woken by the append; it looks again this often.
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(500);

    public override async Task<StartExecutionResponse> StartExecution(StartExecutionRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        var outcome = await grains.GetGrain<IPipelineGrain>(request.Pipeline).Start(new Dictionary<string, string>(request.Variables));
        return outcome.Refusal switch
        {
            StartRefusal.None => new StartExecutionResponse { ExecutionId = outcome.ExecutionId },
            StartRefusal.PipelineNotFound => throw new RpcException(new Status(StatusCode.NotFound, string.Join(" ", outcome.Errors))),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join(" ", outcome.Errors))),
        };
    }

    public override async Task<Execution> GetExecution(GetExecutionRequest request, ServerCallContext context) =>
        (await GetRunAsync(request.ExecutionId)).ToProto();

    public override async Task<ListExecutionsResponse> ListExecutions(ListExecutionsRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        if (request.Limit is < 0 or > 500)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"limit must be 0 to 500, not {request.Limit}."));
        }

        if ((await catalog.ListAsync()).All(p => p.Name != request.Pipeline))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No pipeline named '{request.Pipeline}' has been applied."));
        }

        var response = new ListExecutionsResponse();
        response.Executions.Add((await history.ListAsync(request.Pipeline, request.Limit == 0 ? 50 : request.Limit)).Select(e => e.ToProto()));
        return response;
    }

    public override async Task WatchExecution(WatchExecutionRequest request, IServerStreamWriter<Execution> responseStream, ServerCallContext context)
    {
        var grain = grains.GetGrain<IExecutionGrain>(request.ExecutionId);
        var run = await GetRunAsync(request.ExecutionId);
        await responseStream.WriteAsync(run.ToProto(), context.CancellationToken);
        while (!run.IsFinished)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var next = await grain.WaitForChange(run.Revision, WatchWait) ?? run;
            if (next.Revision > run.Revision)
            {
                await responseStream.WriteAsync(next.ToProto(), context.CancellationToken);
            }

            run = next;
        }
    }

    public override async Task ReadLog(ReadLogRequest request, IServerStreamWriter<LogChunk> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var grain = grains.GetGrain<IExecutionGrain>(request.ExecutionId);
        var run = await GetRunAsync(request.ExecutionId);
        var stageIndex = run.Stages.ToList().FindIndex(s => s.Name == request.Stage);
        if (stageIndex < 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"Execution '{run.Id}' has no stage '{request.Stage}'; its stages are {string.Join(", ", run.Stages.Select(s => s.Name))}."));
        }

        var actionIndex = run.Stages[stageIndex].Actions.ToList().FindIndex(a => a.Name == request.Action);
        if (actionIndex < 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"Stage '{request.Stage}' has no action '{request.Action}'; its actions are {string.Join(", ", run.Stages[stageIndex].Actions.Select(a => a.Name))}."));
        }

        if (request.Offset < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"offset must be 0 or more, not {request.Offset}."));
        }

        var offset = request.Offset;
        string? shown = null;
        while (true)
        {
            var action = run.Stages[stageIndex].Actions[actionIndex];
            // Read the state before the bytes: an attempt reports finished only after its whole log is
            // stored, so when the state says finished, what follows is the complete log.
            var done = run.IsFinished || action.Status is RunStatus.Succeeded or RunStatus.Failed;
            if (action.AttemptId is { } attemptId)
            {
                if (shown is not null && shown != attemptId)
                {
                    // A new attempt has its own log, read from its start.
                    offset = 0;
                }

                shown = attemptId;
                byte[] bytes;
                while ((bytes = await logs.ReadAsync(attemptId, offset, LogChunkBytes, cancellation)).Length > 0)
                {
                    await responseStream.WriteAsync(new LogChunk { Offset = offset, Data = Google.Protobuf.ByteString.CopyFrom(bytes) }, cancellation);
                    offset += bytes.Length;
                }

                if (!request.Follow || done)
                {
                    return;
                }

                await logs.WaitForAppendAsync(attemptId, FollowPoll, cancellation);
                run = await grain.Get() ?? run;
            }
            else if (!request.Follow || done)
            {
                return;
            }
            else
            {
                run = await grain.WaitForChange(run.Revision, WatchWait) ?? run;
            }
        }
    }

    private async Task<ExecutionRun> GetRunAsync(string executionId)
    {
        Require(executionId, "execution_id");
        return await grains.GetGrain<IExecutionGrain>(executionId).Get()
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No execution '{executionId}' exists."));
    }

    private static void Require(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required."));
        }
    }
}
