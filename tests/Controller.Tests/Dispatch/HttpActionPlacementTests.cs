using System.Net;
using System.Net.Sockets;
using Farm.Controller.Pipelines;
using Farm.Core.Pipelines;

namespace Farm.Controller.Tests.Dispatch;

/// <summary>
/// Where an http action's request is made: on an agent, never in the controller process, so a
/// pipeline cannot make the controller call its own loopback ports (metrics, the gRPC API) or
/// link-local addresses for it.
/// </summary>
public sealed class HttpActionPlacementTests
{
    [Fact(Timeout = 60_000)]
    public async Task Http_action_to_the_controllers_loopback_is_offered_to_an_agent_and_never_requested_by_the_controller()
    {
        using var controllerPort = new TcpListener(IPAddress.Loopback, 0);
        controllerPort.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)controllerPort.LocalEndpoint).Port}/metrics";
        await using var cluster = await GrainCluster.StartAsync();
        var agent = new FakeAgent();
        await agent.ConnectAsync(cluster, "a1", ["linux"]);
        var pipeline = cluster.Grains.GetGrain<IPipelineGrain>("calls-home");
        await pipeline.Apply($$"""
            name: calls-home
            stages:
              - name: Call
                actions:
                  - { name: scrape, type: http, runsOn: [ linux ], url: '{{url}}' }
            """);

        await pipeline.StartManually([]);
        var offer = await agent.NextOfferAsync();

        Assert.Equal((ActionType.Http, url), (offer.Action.Type, offer.Action.Http!.Url));
        Assert.False(controllerPort.Pending(), "the controller connected to the action's URL itself");
    }
}
