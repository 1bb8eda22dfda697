using Farm.Api.V1;
using Farm.Core.Executions;
using Grpc.Core;

namespace Farm.Dashboard.Controller;

/// <summary>The agent fleet through the Admin API (admin tokens only): list, drain, remove.</summary>
public sealed class AgentService(FarmSession session)
{
    private async Task<Admin.AdminClient> ClientAsync() => new(await session.InvokerAsync());

    public async Task<IReadOnlyList<AgentInfo>> ListAsync(CancellationToken cancellation = default) =>
        (await (await ClientAsync()).ListAgentsAsync(new ListAgentsRequest(), cancellationToken: cancellation)).Agents;

    public async Task<AgentInfo> DrainAsync(string agentId, string reason) =>
        await (await ClientAsync()).DrainAgentAsync(new DrainAgentRequest { AgentId = agentId, Reason = reason });

    /// <summary>Revokes the agent's credential: it is removed from the fleet and can never enroll again under that id.</summary>
    public async Task<AgentInfo> RemoveAsync(string agentId, string reason) =>
        await (await ClientAsync()).RevokeAgentAsync(new RevokeAgentRequest { AgentId = agentId, Reason = reason });

    /// <summary>
    /// What each running attempt is: its execution, stage and action, found by reading the executions
    /// the attempt ids name (<c>execution.n</c>). An attempt whose execution cannot be read is left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, RunningAction>> RunningActionsAsync(IEnumerable<string> attemptIds, CancellationToken cancellation = default)
    {
        var executions = new Executions.ExecutionsClient(await session.InvokerAsync());
        var found = new Dictionary<string, RunningAction>(StringComparer.Ordinal);
        foreach (var group in attemptIds.GroupBy(ExecutionOf))
        {
            Execution execution;
            try
            {
                execution = await executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = group.Key }, cancellationToken: cancellation);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                continue;
            }

            foreach (var stage in execution.Stages)
            {
                foreach (var action in stage.Actions.Where(a => group.Contains(a.AttemptId)))
                {
                    found[action.AttemptId] = new RunningAction(execution.Id, stage.Name, action.Name);
                }
            }
        }

        return found;
    }

    private static string ExecutionOf(string attemptId) => AttemptIds.ExecutionOf(attemptId) ?? attemptId;
}
