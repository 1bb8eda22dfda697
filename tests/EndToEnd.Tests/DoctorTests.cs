using System.Text.Json;
using Farm.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// <c>farm doctor</c> against the real controller and agents: every check passes on a healthy farm,
/// and each failure it checks says what is wrong and how to fix it, with exit code 1.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class DoctorTests(FarmHost farm)
{
    [Fact]
    public async Task Healthy_farm_passes_every_check_and_exits_0()
    {
        await OnlyDefaultAgentsConnectedAsync();

        var (exitCode, stdout, stderr) = await farm.RunCliAsync(["doctor"]);
        var json = await farm.RunCliAsync(["doctor", "--json"]);

        Assert.True(exitCode == 0, stdout + stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"✓ controller: {farm.Address} answers (plain HTTP/2), version ", lines[0]);
        Assert.Equal("✓ token: 'admin' with role admin", lines[1]);
        Assert.Matches(@"^✓ store: sqlite at .+ answers$", lines[2]);
        Assert.Matches(@"^✓ clock: this machine is \d+\.\d s (behind|ahead of) the controller$", lines[3]);
        Assert.Equal("✓ agents: 2 connected (e2e-agent, e2e-agent-2)", lines[4]);
        Assert.StartsWith("✓ agent e2e-agent: Docker engine ", lines[5]);
        Assert.Matches(@"^✓ agent e2e-agent clock: agent e2e-agent is \d+\.\d s (behind|ahead of) the controller$", lines[6]);
        Assert.DoesNotContain(lines, line => line.StartsWith('✗'));
        using var report = JsonDocument.Parse(json.Stdout);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(lines.Length, report.RootElement.GetProperty("checks").GetArrayLength());
    }

    [Fact]
    public async Task Controller_that_does_not_answer_fails_with_the_address_and_the_fix()
    {
        var (exitCode, stdout, _) = await farm.RunCliAsync(["doctor", "--controller", "http://127.0.0.1:1"]);

        Assert.Equal(1, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("✗ controller: http://127.0.0.1:1 does not answer (", lines[0]);
        Assert.Equal("  fix: start it (./run.sh from a checkout), or point --controller or FARM_CONTROLLER at it", lines[1]);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Token_the_controller_refuses_fails_the_token_check_with_how_to_get_one()
    {
        var (exitCode, stdout, _) = await farm.RunCliAsync(["doctor"], ("FARM_TOKEN", "not-a-token"));

        Assert.Equal(1, exitCode);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("✓ controller: ", lines[0]);
        Assert.StartsWith("✗ token: ", lines[1]);
        Assert.StartsWith("  fix: set FARM_TOKEN to a token from `farm token create NAME --role ROLE`", lines[2]);
    }

    [Fact]
    public async Task Viewer_token_passes_without_the_agent_checks_it_may_not_make()
    {
        await OnlyDefaultAgentsConnectedAsync();
        var viewer = (await farm.Admin.CreateTokenAsync(new CreateTokenRequest { Name = "doctor-viewer-" + Guid.NewGuid().ToString("N")[..6], Role = "viewer" })).Token;

        var (exitCode, stdout, stderr) = await farm.RunCliAsync(["doctor"], ("FARM_TOKEN", viewer));

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.EndsWith("- agents: not checked: listing agents needs the admin role, and this token is viewer", stdout.TrimEnd());
    }

    [Fact]
    public async Task Agent_without_an_engine_fails_its_check_with_the_reason()
    {
        var id = "doctor-" + Guid.NewGuid().ToString("N")[..6];
        var missing = Path.Combine(Directory.CreateTempSubdirectory("fdr").FullName, "docker.sock");
        var enroll = await farm.Admin.CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = 1, ExpiresInSeconds = 600 });
        var agent = farm.StartAgentWith(new Dictionary<string, string> { ["Farm__Agent__DockerHost"] = "unix://" + missing }, null, id, enroll.Token, null, id);
        try
        {
            await Eventually.Until(async c => (await farm.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: c)).Agents
                .Any(a => a.AgentId == id && a.Engine is { Available: false }), TimeSpan.FromSeconds(30), () => farm.ControllerOutput());

            var (exitCode, stdout, _) = await farm.RunCliAsync(["doctor"]);

            Assert.Equal(1, exitCode);
            Assert.Contains($"✗ agent {id}: container actions unavailable: no Docker engine socket exists at {missing}: start the engine, " +
                "or set Farm:Agent:DockerHost (or DOCKER_HOST) to the socket it listens on.\n", stdout);
        }
        finally
        {
            await FarmHost.StopAgentAsync(agent);
        }
    }

    [Fact]
    public async Task Agent_whose_clock_is_ten_seconds_behind_fails_its_clock_check()
    {
        // An agent of this test's own, speaking the protocol itself, so it can say what its clock reads.
        var id = "doctor-clock-" + Guid.NewGuid().ToString("N")[..6];
        var credential = await farm.EnrollAsync(id);
        using var session = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = new AgentSessions.AgentSessionsClient(farm.With(credential)).Connect(cancellationToken: session.Token);
        var hello = new Hello { ProtocolVersion = 1, AgentId = id, Slots = 1, Engine = new EngineStatus { Available = true, Version = "test" } };
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello });
        Assert.True(await call.ResponseStream.MoveNext(session.Token));
        await call.RequestStream.WriteAsync(new AgentMessage
        {
            Heartbeat = new Heartbeat { FreeSlots = 1, SentAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-10)) },
        });
        await Eventually.Until(async c => (await farm.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: c)).Agents
            .Any(a => a.AgentId == id && a.ClockOffsetMs < -9000), TimeSpan.FromSeconds(30), () => farm.ControllerOutput());

        var (exitCode, stdout, _) = await farm.RunCliAsync(["doctor"]);
        await call.RequestStream.CompleteAsync();

        Assert.Equal(1, exitCode);
        Assert.Matches($@"✗ agent {id} clock: agent {id} is (9\.\d|10\.\d) s behind the controller \(more than 2 s\)\n  fix: keep both clocks in step with NTP", stdout);
    }

    private Task OnlyDefaultAgentsConnectedAsync() =>
        Eventually.Until(async c => (await farm.Admin.ListAgentsAsync(new ListAgentsRequest(), cancellationToken: c)).Agents
            .Where(a => a.Connected).Select(a => a.AgentId).Order().SequenceEqual(["e2e-agent", "e2e-agent-2"]),
            TimeSpan.FromSeconds(30), () => "agents other than the two default ones are still connected");
}
