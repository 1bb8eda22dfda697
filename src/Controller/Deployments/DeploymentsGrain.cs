using Farm.Controller.Storage;

namespace Farm.Controller.Deployments;

/// <summary>One successful deploy of a service on an agent.</summary>
[GenerateSerializer, Immutable]
public sealed record DeploymentRecord(
    [property: Id(0)] string Environment,
    [property: Id(1)] string Service,
    [property: Id(2)] string Agent,
    [property: Id(3)] string Image,
    [property: Id(4)] string Digest,
    [property: Id(5)] string Pipeline,
    [property: Id(6)] string ExecutionId,
    [property: Id(7)] string Stage,
    [property: Id(8)] string Action,
    [property: Id(9)] DateTimeOffset DeployedAt,
    [property: Id(10)] string Container);

/// <summary>The deploy ledger of the whole farm: one activation, key 0.</summary>
public interface IDeploymentsGrain : IGrainWithIntegerKey
{
    /// <summary>Records a deploy; the same execution, action and agent recorded twice is kept once.</summary>
    Task Record(DeploymentRecord deployment);

    /// <summary>The latest deploy of every environment, service and agent.</summary>
    Task<DeploymentRecord[]> Current();

    /// <summary>Deploys to <paramref name="environment"/> (of <paramref name="service"/> when not null), newest first.</summary>
    Task<DeploymentRecord[]> History(string environment, string? service, int limit);
}

public sealed class DeploymentsState
{
    public List<DeploymentRecord> Deployments { get; set; } = [];
}

public sealed class DeploymentsGrain(
    [PersistentState("deployments", RelationalGrainStorage.Name)] IPersistentState<DeploymentsState> state) : Grain, IDeploymentsGrain
{
    /// <summary>Deploys kept per environment and service; the oldest go first.</summary>
    internal const int KeptPerService = 200;

    public async Task Record(DeploymentRecord deployment)
    {
        var all = state.State.Deployments;
        if (all.Any(d => d.ExecutionId == deployment.ExecutionId && d.Stage == deployment.Stage && d.Action == deployment.Action
                && d.Agent == deployment.Agent && d.Container == deployment.Container))
        {
            return;
        }

        all.Add(deployment);
        var same = all.Where(d => d.Environment == deployment.Environment && d.Service == deployment.Service).ToList();
        if (same.Count > KeptPerService)
        {
            var dropped = same.Take(same.Count - KeptPerService).ToHashSet();
            all.RemoveAll(dropped.Contains);
        }

        await state.WriteStateAsync();
    }

    public Task<DeploymentRecord[]> Current() => Task.FromResult(state.State.Deployments
        .GroupBy(d => (d.Environment, d.Service, d.Agent))
        .Select(g => g.MaxBy(d => d.DeployedAt)!)
        .OrderBy(d => d.Environment, StringComparer.Ordinal)
        .ThenBy(d => d.Service, StringComparer.Ordinal)
        .ThenBy(d => d.Agent, StringComparer.Ordinal)
        .ToArray());

    public Task<DeploymentRecord[]> History(string environment, string? service, int limit) => Task.FromResult(state.State.Deployments
        .Where(d => d.Environment == environment && (service is null || d.Service == service))
        .OrderByDescending(d => d.DeployedAt)
        .Take(limit)
        .ToArray());
}
