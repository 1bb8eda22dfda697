using Farm.Controller.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Farm.Controller.Tests.Security;

/// <summary>Enrollment against a real store and dispatcher grain: who may take an agent id, and who may not.</summary>
public sealed class AgentEnrollmentTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly EnrollTokenStore _enrollTokens;
    private readonly AgentStore _agents;
    private GrainCluster _cluster = null!;
    private AgentEnrollment _enrollment = null!;

    public AgentEnrollmentTests()
    {
        var database = SecurityDatabase.Create();
        (_enrollTokens, _agents) = (new(database), new(database));
    }

    public async Task InitializeAsync()
    {
        _cluster = await GrainCluster.StartAsync();
        _enrollment = new AgentEnrollment(_enrollTokens, _agents, _cluster.Grains, _time, NullLogger<AgentEnrollment>.Instance);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<string> TokenAsync(int uses = 1, string? replace = null) =>
        (await _enrollTokens.CreateAsync("root", _time.GetUtcNow().AddHours(1), uses, _time.GetUtcNow(), replace)).Token;

    private static string Secret(string credential) => credential[(credential.LastIndexOf('.') + 1)..];

    [Fact(Timeout = 60_000)]
    public async Task Enrolled_id_is_refused_to_a_token_for_new_agents_and_keeps_its_credential_and_labels()
    {
        var fleet = await TokenAsync(uses: 3);
        var credential = await _enrollment.EnrollAsync(fleet, "builder-1");
        await _agents.SetLabelsAsync("builder-1", ["deploy=prod"]);

        var takeover = await Assert.ThrowsAsync<RpcException>(() => _enrollment.EnrollAsync(fleet, "builder-1"));

        Assert.Equal(StatusCode.PermissionDenied, takeover.StatusCode);
        Assert.StartsWith("Agent id 'builder-1' is enrolled already (since 2025-03-01 12:00:00Z)", takeover.Status.Detail);
        Assert.Contains("`farm enroll-token create --replace builder-1`", takeover.Status.Detail);
        var record = await _agents.VerifyAsync("builder-1", Secret(credential));
        Assert.Equal(["deploy=prod"], record!.EffectiveLabels);
        // The refusal took no use: two new agents may still enroll with the token.
        Assert.Equal(2, (await _enrollTokens.FindAsync(fleet))!.UsesLeft);
    }

    [Fact(Timeout = 60_000)]
    public async Task Replacement_token_re_enrolls_its_agent_once_and_no_other_keeping_the_controller_labels()
    {
        var old = await _enrollment.EnrollAsync(await TokenAsync(), "builder-1");
        await _agents.SetLabelsAsync("builder-1", ["deploy=prod"]);
        await _enrollment.EnrollAsync(await TokenAsync(), "builder-2");
        var replacement = await TokenAsync(replace: "builder-1");

        var other = await Assert.ThrowsAsync<RpcException>(() => _enrollment.EnrollAsync(replacement, "builder-2"));
        var renewed = await _enrollment.EnrollAsync(replacement, "builder-1");
        var again = await Assert.ThrowsAsync<RpcException>(() => _enrollment.EnrollAsync(replacement, "builder-1"));

        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Contains("re-enrolls agent 'builder-1' only, not 'builder-2'", other.Status.Detail);
        Assert.Null(await _agents.VerifyAsync("builder-1", Secret(old)));
        var record = await _agents.VerifyAsync("builder-1", Secret(renewed));
        Assert.Equal(["deploy=prod"], record!.EffectiveLabels);
        Assert.Equal(StatusCode.Unauthenticated, again.StatusCode);
        Assert.Contains("used up", again.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task Revoked_enrollment_token_is_unauthenticated_with_when()
    {
        var (token, info) = await _enrollTokens.CreateAsync("root", _time.GetUtcNow().AddHours(1), 5, _time.GetUtcNow());
        await _enrollTokens.RevokeAsync(info.Id, _time.GetUtcNow());

        var refused = await Assert.ThrowsAsync<RpcException>(() => _enrollment.EnrollAsync(token, "builder-7"));

        Assert.Equal((StatusCode.Unauthenticated, $"The enrollment token {info.Id} was revoked at 2025-03-01 12:00:00Z; ask an admin for a new one (farm enroll-token create)."),
            (refused.StatusCode, refused.Status.Detail));
        Assert.Null(await _agents.GetAsync("builder-7"));
    }
}
