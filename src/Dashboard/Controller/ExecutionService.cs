using System.Runtime.CompilerServices;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Dashboard.Controller;

/// <summary>Executions through the public API: read, list with filters, watch, stop, retry, roll back, artifacts.</summary>
public sealed class ExecutionService(FarmSession session)
{
    private async Task<Executions.ExecutionsClient> ClientAsync() => new(await session.InvokerAsync());

    public async Task<Execution> GetAsync(string executionId, CancellationToken cancellation = default) =>
        await (await ClientAsync()).GetExecutionAsync(new GetExecutionRequest { ExecutionId = executionId }, cancellationToken: cancellation);

    public async Task<ListExecutionsResponse> ListAsync(ListExecutionsRequest request, CancellationToken cancellation = default) =>
        await (await ClientAsync()).ListExecutionsAsync(request, cancellationToken: cancellation);

    /// <summary>The execution now, then every change; the stream ends after its final state.</summary>
    public async IAsyncEnumerable<Execution> WatchAsync(string executionId, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var call = (await ClientAsync()).WatchExecution(new WatchExecutionRequest { ExecutionId = executionId }, cancellationToken: cancellation);
        await foreach (var execution in call.ResponseStream.ReadAllAsync(cancellation))
        {
            yield return execution;
        }
    }

    public async Task<Execution> StopAsync(string executionId, bool abandon, string reason) =>
        await (await ClientAsync()).StopExecutionAsync(new StopExecutionRequest { ExecutionId = executionId, Abandon = abandon, Reason = reason });

    public async Task<Execution> RetryAsync(string executionId, string stage, bool all) =>
        await (await ClientAsync()).RetryStageAsync(new RetryStageRequest { ExecutionId = executionId, Stage = stage, All = all });

    /// <summary>Runs <paramref name="stage"/> again with what <paramref name="targetExecutionId"/> had; returns the rollback's id.</summary>
    public async Task<string> RollbackAsync(string pipeline, string stage, string targetExecutionId) =>
        (await (await ClientAsync()).RollbackStageAsync(new RollbackStageRequest { Pipeline = pipeline, Stage = stage, TargetExecutionId = targetExecutionId })).ExecutionId;

    public async Task<IReadOnlyList<Artifact>> ArtifactsAsync(string executionId, CancellationToken cancellation = default) =>
        (await (await ClientAsync()).ListArtifactsAsync(new ListArtifactsRequest { ExecutionId = executionId }, cancellationToken: cancellation)).Artifacts;

    public async Task<IReadOnlyList<PendingApproval>> ApprovalsAsync(CancellationToken cancellation = default) =>
        (await (await ClientAsync()).ListApprovalsAsync(new ListApprovalsRequest(), cancellationToken: cancellation)).Approvals;

    public async Task<Execution> DecideAsync(ApprovalDecision decision) =>
        await (await ClientAsync()).DecideApprovalAsync(new DecideApprovalRequest
        {
            ExecutionId = decision.ExecutionId,
            Stage = decision.Stage,
            Action = decision.Action,
            Approve = decision.Approve,
            Comment = decision.Comment,
        });
}
