using Farm.Controller.Security;
using Farm.Controller.Tests.Storage;

namespace Farm.Controller.Tests.Security;

public sealed class AgentStoreTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Enrolled_id_is_not_enrolled_again_and_only_a_replacement_changes_its_credential(string kind)
    {
        var store = new AgentStore(SecurityDatabase.Create(kind));
        var (old, intruder, current) = (SecretTokens.New(), SecretTokens.New(), SecretTokens.New());
        var first = await store.EnrollAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", old)), "e1", Now);
        await store.SetLabelsAsync("builder-1", ["zone=eu"]);

        var second = await store.EnrollAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", intruder)), "e2", Now);
        var afterSecond = await store.VerifyAsync("builder-1", old);
        var replaced = await store.ReplaceCredentialAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", current)), "e3", Now);
        var unknown = await store.ReplaceCredentialAsync("builder-2", SecretTokens.Hash("x"), "e4", Now);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal("e1", afterSecond!.EnrolledWith);
        Assert.Null(await store.VerifyAsync("builder-1", intruder));
        Assert.True(replaced);
        Assert.False(unknown);
        Assert.Null(await store.VerifyAsync("builder-1", old));
        var now = await store.VerifyAsync("builder-1", current);
        Assert.Equal("e3", now!.EnrolledWith);
        Assert.Equal(["zone=eu"], now.EffectiveLabels);
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
        var replaced = await store.ReplaceCredentialAsync("builder-1", SecretTokens.Hash(SecretTokens.AgentCredential("builder-1", SecretTokens.New())), "e3", Now);

        Assert.True(revoked);
        Assert.False(again);
        Assert.False(replaced);
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
