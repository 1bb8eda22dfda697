using Farm.Api.V1;
using Farm.Controller.Artifacts;
using Farm.Controller.Dispatch;
using Farm.Controller.Hosting;
using Farm.Controller.Logs;
using Farm.Controller.Pipelines;
using Farm.Controller.Security;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using ArtifactRef = Farm.Core.Executions.ArtifactRef;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Executions;

/// <summary>The Executions API: adapters from requests to the pipeline and execution grains.</summary>
public sealed class ExecutionsService(
    IGrainFactory grains, ExecutionGrains executions, ExecutionHistory history, PipelineCatalog catalog, LogStore logs, ArtifactStore artifacts, ExecutionStarter starter)
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
        return Started(await starter.StartAsync(request.Pipeline, new Dictionary<string, string>(request.Variables),
            request.Revisions, ExecutionRun.ManualTrigger, Caller.Name(context), parent: null, context.CancellationToken));
    }

    public override async Task<StartExecutionResponse> RollbackStage(RollbackStageRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        Require(request.Stage, "stage");
        Require(request.TargetExecutionId, "target_execution_id");
        return Started(await grains.GetGrain<IPipelineGrain>(request.Pipeline).Rollback(request.Stage, request.TargetExecutionId));
    }

    public override async Task<Execution> StopExecution(StopExecutionRequest request, ServerCallContext context)
    {
        Require(request.ExecutionId, "execution_id");
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? (request.Abandon ? "stopped and abandoned" : "stopped") : request.Reason.Trim();
        return Done(await executions.Get(request.ExecutionId).Stop(request.Abandon, reason));
    }

    public override async Task<Execution> RetryStage(RetryStageRequest request, ServerCallContext context)
    {
        Require(request.ExecutionId, "execution_id");
        Require(request.Stage, "stage");
        return Done(await executions.Get(request.ExecutionId).Retry(request.Stage, request.All));
    }

    public override async Task<ListApprovalsResponse> ListApprovals(ListApprovalsRequest request, ServerCallContext context)
    {
        var response = new ListApprovalsResponse();
        foreach (var summary in await history.ListUnfinishedAsync())
        {
            if (request.Pipeline.Length > 0 && summary.Pipeline != request.Pipeline
                || await executions.Get(summary.Id).Get() is not { } run)
            {
                continue;
            }

            foreach (var stage in run.Stages)
            {
                foreach (var action in stage.Actions.Where(a => a is { Status: RunStatus.InProgress, Approval.Approved: null }))
                {
                    response.Approvals.Add(new PendingApproval
                    {
                        ExecutionId = run.Id,
                        Pipeline = run.Pipeline,
                        Stage = stage.Name,
                        Action = action.Name,
                        Message = action.Approval!.Message,
                        ReviewUrl = action.Approval.ReviewUrl ?? "",
                        WaitingSince = Timestamp.FromDateTimeOffset(action.Approval.WaitingSince),
                        Deadline = Timestamp.FromDateTimeOffset(action.Approval.Deadline),
                    });
                }
            }
        }

        return response;
    }

    public override async Task<Execution> DecideApproval(DecideApprovalRequest request, ServerCallContext context)
    {
        Require(request.ExecutionId, "execution_id");
        Require(request.Stage, "stage");
        Require(request.Action, "action");
        var comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim();
        return Done(await executions.Get(request.ExecutionId)
            .Decide(request.Stage, request.Action, request.Approve, Caller.Name(context), comment));
    }

    public override async Task<ListArtifactsResponse> ListArtifacts(ListArtifactsRequest request, ServerCallContext context)
    {
        var run = await GetRunAsync(request.ExecutionId);
        var response = new ListArtifactsResponse();
        var earlier = new Dictionary<string, ExecutionRun?>(StringComparer.Ordinal);
        foreach (var (reference, artifact) in ArtifactsOf(run))
        {
            response.Artifacts.Add(artifact.FromExecutionId.Length == 0 ? artifact : await ProducerOfAsync(reference, artifact.FromExecutionId, earlier));
        }

        return response;
    }

    /// <summary>
    /// A reused artifact as the execution that produced it lists it, with its stage and action: the
    /// rollback's target, or, when the target reused it too, the target's own target, and so on.
    /// <paramref name="runs"/> keeps the executions read for the other artifacts of the same list.
    /// </summary>
    private async Task<Artifact> ProducerOfAsync(ArtifactRef reference, string executionId, Dictionary<string, ExecutionRun?> runs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var at = reference.ToProto("", "", executionId);
        while (seen.Add(executionId))
        {
            if (!runs.TryGetValue(executionId, out var run))
            {
                runs[executionId] = run = await executions.Get(executionId).Get();
            }

            // The earlier execution's state is gone: say where it came from, without the stage and action.
            if (run is null)
            {
                return at;
            }

            var found = ArtifactsOf(run).FirstOrDefault(a => a.Ref == reference).Artifact;
            if (found is null)
            {
                return at;
            }

            if (found.FromExecutionId.Length == 0)
            {
                found.FromExecutionId = run.Id;
                return found;
            }

            at = found;
            executionId = found.FromExecutionId;
        }

        return at;
    }

    public override async Task<Execution> GetExecution(GetExecutionRequest request, ServerCallContext context) =>
        await WithWaitingReasonsAsync((await GetRunAsync(request.ExecutionId)).ToProto());

    /// <summary>
    /// Says, on each queued action that has no message of its own, why no agent has taken it (none
    /// has its labels, or every one that has cannot or may not run it): asked of the dispatcher, only
    /// for a queued action, so it costs nothing once everything runs.
    /// </summary>
    private async Task<Execution> WithWaitingReasonsAsync(Execution execution)
    {
        var queued = execution.Stages.SelectMany(s => s.Actions)
            .Where(a => a.Status == ExecutionStatus.Queued && a.AttemptId.Length > 0 && a.Message.Length == 0)
            .ToList();
        if (queued.Count > 0)
        {
            var reasons = await grains.GetGrain<IDispatcherGrain>(0).WhyWaiting(queued.Select(a => a.AttemptId).ToArray());
            foreach (var action in queued)
            {
                if (reasons.TryGetValue(action.AttemptId, out var reason))
                {
                    action.Message = reason;
                }
            }
        }

        return execution;
    }

    public override async Task<ListExecutionsResponse> ListExecutions(ListExecutionsRequest request, ServerCallContext context)
    {
        Require(request.Pipeline, "pipeline");
        if (request.Limit is < 0 or > 500)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"limit must be 0 to 500, not {request.Limit}."));
        }

        int? before = null;
        if (request.PageToken.Length > 0)
        {
            before = int.TryParse(request.PageToken, out var number) && number > 0
                ? number
                : throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"page_token '{request.PageToken}' is not one this API gave out; pass next_page_token from the previous page."));
        }

        var statuses = new List<RunStatus>();
        foreach (var status in request.Statuses)
        {
            statuses.Add(status.FromProto() ?? throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"statuses: an execution is never {status}; filter by PENDING, IN_PROGRESS, SUCCEEDED, FAILED, STOPPING, STOPPED or SUPERSEDED.")));
        }

        if (!(await catalog.NamesAsync()).Contains(request.Pipeline))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No pipeline named '{request.Pipeline}' has been applied."));
        }

        var limit = request.Limit == 0 ? 50 : request.Limit;
        // One more than asked tells whether another page exists.
        var rows = await history.ListAsync(new HistoryQuery(request.Pipeline, limit + 1, statuses, request.Trigger,
            request.StartedAfter?.ToDateTimeOffset(), request.StartedBefore?.ToDateTimeOffset(), before));
        var response = new ListExecutionsResponse();
        response.Executions.Add(rows.Take(limit).Select(e => e.ToProto()));
        if (rows.Count > limit)
        {
            response.NextPageToken = rows[limit - 1].Number.ToString();
        }

        return response;
    }

    public override async Task WatchExecution(WatchExecutionRequest request, IServerStreamWriter<Execution> responseStream, ServerCallContext context)
    {
        var grain = executions.Get(request.ExecutionId);
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

    public override async Task DownloadArtifact(DownloadArtifactRequest request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context)
    {
        Require(request.Name, "name");
        var run = await GetRunAsync(request.ExecutionId);
        var found = ArtifactsOf(run).Where(a => a.Ref.Name == request.Name).Select(a => a.Ref).FirstOrDefault()
            ?? throw new RpcException(new Status(StatusCode.NotFound,
                $"Execution '{run.Id}' has no artifact '{request.Name}'; it has {Names(ArtifactsOf(run).Select(a => a.Ref.Name))}."));
        await using var archive = artifacts.OpenRead(found.Sha256)
            ?? throw new RpcException(new Status(StatusCode.DataLoss, $"Artifact '{request.Name}' ({found.Sha256}) is recorded but its archive is missing from the store."));
        var buffer = new byte[LogChunkBytes];
        long offset = 0;
        int read;
        while ((read = await archive.ReadAsync(buffer, context.CancellationToken)) > 0)
        {
            await responseStream.WriteAsync(new ArtifactChunk { Offset = offset, Data = Google.Protobuf.ByteString.CopyFrom(buffer, 0, read) }, context.CancellationToken);
            offset += read;
        }
    }

    private static string Names(IEnumerable<string> names) =>
        names.ToList() is { Count: > 0 } list ? string.Join(", ", list) : "none";

    public override async Task ReadLog(ReadLogRequest request, IServerStreamWriter<LogChunk> responseStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        var grain = executions.Get(request.ExecutionId);
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

        if (request.Offset < 0 || request.Attempt < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "offset and attempt must be 0 or more."));
        }

        var first = run.Stages[stageIndex].Actions[actionIndex];
        if (request.Attempt > Math.Max(first.Attempt, first.PreviousAttempts.Count))
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"Action '{request.Action}' has made {first.Attempt} attempts; there is no attempt {request.Attempt}."));
        }

        var offset = request.Offset;
        string? shown = null;
        while (true)
        {
            var action = run.Stages[stageIndex].Actions[actionIndex];
            // An earlier attempt is finished; the latest may still run. Read the state before the
            // bytes: an attempt reports finished only after its whole log is stored, so when the
            // state says finished, what follows is the complete log.
            var earlier = request.Attempt > 0 && request.Attempt != action.Attempt;
            var attemptId = earlier ? action.PreviousAttempts[request.Attempt - 1].AttemptId : action.AttemptId;
            var done = earlier || run.IsFinished || action.Status.IsFinal() && action.Status != RunStatus.Pending;
            if (attemptId is not null)
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

    /// <summary>The artifacts an execution made, then those a rollback reuses, each with where it came from.</summary>
    private static IEnumerable<(ArtifactRef Ref, Artifact Artifact)> ArtifactsOf(ExecutionRun run)
    {
        foreach (var stage in run.Stages)
        {
            foreach (var action in stage.Actions.Where(a => a.Status == RunStatus.Succeeded))
            {
                foreach (var artifact in action.Artifacts)
                {
                    yield return (artifact, artifact.ToProto(stage.Name, action.Name, ""));
                }
            }
        }

        foreach (var artifact in run.Inherited?.Artifacts ?? [])
        {
            yield return (artifact, artifact.ToProto("", "", run.Inherited!.ExecutionId));
        }
    }

    private static StartExecutionResponse Started(StartOutcome outcome) => outcome.Refusal switch
    {
        StartRefusal.None => new StartExecutionResponse { ExecutionId = outcome.ExecutionId },
        StartRefusal.PipelineNotFound or StartRefusal.NotFound => throw new RpcException(new Status(StatusCode.NotFound, string.Join(" ", outcome.Errors))),
        StartRefusal.FailedPrecondition => throw new RpcException(new Status(StatusCode.FailedPrecondition, string.Join(" ", outcome.Errors))),
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join(" ", outcome.Errors))),
    };

    private static Execution Done(CommandOutcome outcome) => outcome switch
    {
        { Run: { } run } => run.ToProto(),
        { NotFound: true } => throw new RpcException(new Status(StatusCode.NotFound, outcome.Error!)),
        _ => throw new RpcException(new Status(StatusCode.FailedPrecondition, outcome.Error!)),
    };

    private async Task<ExecutionRun> GetRunAsync(string executionId)
    {
        Require(executionId, "execution_id");
        return await executions.Get(executionId).Get()
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
