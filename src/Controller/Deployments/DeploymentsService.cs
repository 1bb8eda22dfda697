using Farm.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.Controller.Deployments;

/// <summary>The Deployments API: an adapter over <see cref="IDeploymentsGrain"/>.</summary>
public sealed class DeploymentsService(IGrainFactory grains) : Api.V1.Deployments.DeploymentsBase
{
    public const int DefaultLimit = 50;

    private IDeploymentsGrain Ledger => grains.GetGrain<IDeploymentsGrain>(0);

    public override async Task<ListEnvironmentsResponse> ListEnvironments(ListEnvironmentsRequest request, ServerCallContext context)
    {
        var response = new ListEnvironmentsResponse();
        response.Current.Add((await Ledger.Current()).Select(Map));
        return response;
    }

    public override async Task<ListDeploymentsResponse> ListDeployments(ListDeploymentsRequest request, ServerCallContext context)
    {
        if (request.Limit < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"limit {request.Limit} is below 0; give a positive number, or 0 for {DefaultLimit}."));
        }

        var service = request.Service.Length == 0 ? null : request.Service;
        var found = await Ledger.History(request.Environment, service, request.Limit == 0 ? DefaultLimit : request.Limit);
        if (found.Length == 0)
        {
            var known = (await Ledger.Current()).Select(d => d.Environment).Distinct().ToList();
            var what = service is null ? $"environment '{request.Environment}'" : $"service '{service}' of environment '{request.Environment}'";
            var hint = known.Count == 0 ? "nothing has been deployed yet" : $"environments with deploys: {string.Join(", ", known)}";
            throw new RpcException(new Status(StatusCode.NotFound, $"Nothing was ever deployed to {what}; {hint}."));
        }

        var response = new ListDeploymentsResponse();
        response.Deployments.Add(found.Select(Map));
        return response;
    }

    private static Deployment Map(DeploymentRecord d) => new()
    {
        Environment = d.Environment,
        Service = d.Service,
        Agent = d.Agent,
        Image = d.Image,
        Digest = d.Digest,
        Pipeline = d.Pipeline,
        ExecutionId = d.ExecutionId,
        Stage = d.Stage,
        Action = d.Action,
        DeployedAt = Timestamp.FromDateTimeOffset(d.DeployedAt),
        Container = d.Container,
    };
}
