using System.Net;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Cli.Tests;

/// <summary>The <c>farm-user</c> header: its value, and that every call carries it beside the bearer token.</summary>
public sealed class ControllerConnectionUserTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void User_is_user_at_host_by_default()
    {
        Assert.Equal("alice@build-box", ControllerConnection.ResolveUser(Environment(), "alice", "build-box"));
    }

    [Fact]
    public void Farm_user_overrides_user_and_host()
    {
        var user = ControllerConnection.ResolveUser(Environment(("FARM_USER", "  release-bot ")), "alice", "build-box");

        Assert.Equal("release-bot", user);
    }

    [Fact]
    public void Blank_farm_user_falls_back_to_user_and_host()
    {
        Assert.Equal("alice@build-box", ControllerConnection.ResolveUser(Environment(("FARM_USER", " ")), "alice", "build-box"));
    }

    [Fact]
    public void Characters_a_header_cannot_carry_become_question_marks()
    {
        Assert.Equal("jos?@build-box", ControllerConnection.ResolveUser(Environment(), "josé", "build-box"));
        Assert.Equal("a?b", ControllerConnection.ResolveUser(Environment(("FARM_USER", "a\nb")), "alice", "build-box"));
    }

    [Fact]
    public async Task Every_call_sends_the_user_and_the_bearer_token()
    {
        // Arrange
        var handler = new RecordingHandler();
        var environment = Environment(("FARM_USER", "alice@laptop"), ("FARM_TOKEN", "t0ken"));
        using var connection = ControllerConnection.Open("http://controller.test:7070", environment, handler);

        // Act
        await Assert.ThrowsAsync<RpcException>(() =>
            connection.Executions.DecideApprovalAsync(new DecideApprovalRequest { ExecutionId = "gated-4" }).ResponseAsync);

        // Assert
        var request = Assert.Single(handler.Requests);
        Assert.Equal(["alice@laptop"], request.Headers.GetValues("farm-user"));
        Assert.Equal(["Bearer t0ken"], request.Headers.GetValues("authorization"));
        Assert.Equal("/farm.v1.Executions/DecideApproval", request.RequestUri?.AbsolutePath);
    }

    [Fact]
    public async Task Call_without_a_token_still_sends_the_user()
    {
        var handler = new RecordingHandler();
        using var connection = ControllerConnection.Open("http://controller.test:7070", Environment(("FARM_USER", "bob@desk")), handler);

        await Assert.ThrowsAsync<RpcException>(() => connection.Pipelines.ListPipelinesAsync(new ListPipelinesRequest()).ResponseAsync);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(["bob@desk"], request.Headers.GetValues("farm-user"));
        Assert.False(request.Headers.Contains("authorization"));
    }

    /// <summary>Records each request and answers 503, which the client turns into an RpcException.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Version = HttpVersion.Version20 });
        }
    }
}
