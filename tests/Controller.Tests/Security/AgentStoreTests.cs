using Farm.Controller.Security;
using Farm.Controller.Tests.Storage;

namespace Farm.Controller.Tests.Security;

public sealed class AgentStoreTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Credential_is_verified_by_its_secret_and_replaced_by_a_new_enrollment(string kind)
    {
        var store = new AgentStore(SecurityDatabase.Create(kind));
        var (old, current) = (SecretTokens.New(), SecretTokens.New());
        await store.EnrollAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", old)), "e1", Now);
        await store.EnrollAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", current)), "e2", Now);

        Assert.Null(await store.VerifyAsync("builder-1", old));
        Assert.Equal("e2", (await store.VerifyAsync("builder-1", current))!.EnrolledWith);
        Assert.Null(await store.VerifyAsync("builder-2", current));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Revoked_agent_stays_revoked_and_cannot_enroll_again(string kind)
    {
        var store = new AgentStore(SecurityDatabase.Create(kind));
        var secret = SecretTokens.New();
        await store.EnrollAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", secret)), "e1", Now);

        var revoked = await store.RevokeAsync("builder-1", Now);
        var again = await store.EnrollAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", SecretTokens.New())), "e2", Now);

        Assert.True(revoked);
        Assert.False(again);
        Assert.Equal(Now, (await store.VerifyAsync("builder-1", secret))!.RevokedAt);
        Assert.False(await store.DrainAsync("builder-1", Now));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Controller_labels_replace_the_claimed_ones_until_removed(string kind)
    {
        var store = new AgentStore(SecurityDatabase.Create(kind));
        await store.EnrollAsync("builder-1", SecretTokens.Hash("x"), "e1", Now);
        await store.HelloAsync("builder-1", ["linux", "gpu"], 4, "1.0", Now);

        await store.SetLabelsAsync("builder-1", ["linux", "zone=eu"]);
        var set = await store.GetAsync("builder-1");
        await store.SetLabelsAsync("builder-1", null);
        var removed = await store.GetAsync("builder-1");

        Assert.Equal(["linux", "zone=eu"], set!.EffectiveLabels);
        Assert.Equal(["linux", "gpu"], removed!.EffectiveLabels);
    }

    [Fact]
    public void Agent_credentials_split_at_the_last_dot()
    {
        Assert.True(SecretTokens.TryParseAgentCredential("agent.host.example.com.s3cr-t_", out var id, out var secret));
        Assert.Equal(("host.example.com", "s3cr-t_"), (id, secret));
        Assert.False(SecretTokens.TryParseAgentCredential("agent.nodot", out _, out _));
        Assert.False(SecretTokens.TryParseAgentCredential("plain-token", out _, out _));
    }
}
