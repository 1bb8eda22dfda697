using Farm.Controller.Security;
using Farm.Controller.Tests.Storage;

namespace Farm.Controller.Tests.Security;

public sealed class EnrollTokenStoreTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Token_admits_as_many_agents_as_its_uses_and_then_none(string kind)
    {
        var store = new EnrollTokenStore(SecurityDatabase.Create(kind));
        var (token, info) = await store.CreateAsync("admin", Now.AddHours(1), uses: 2, Now);

        var first = await store.ConsumeAsync(token, Now);
        var second = await store.ConsumeAsync(token, Now);
        var third = await store.ConsumeAsync(token, Now);

        Assert.Equal((info.Id, 1), (first!.Id, first.UsesLeft));
        Assert.Equal(0, second!.UsesLeft);
        Assert.Null(third);
        Assert.Contains("used up", EnrollTokenStore.Refusal(await store.FindAsync(token), Now));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Expired_token_admits_nobody(string kind)
    {
        var store = new EnrollTokenStore(SecurityDatabase.Create(kind));
        var (token, info) = await store.CreateAsync("admin", Now.AddMinutes(10), uses: 5, Now);

        var late = await store.ConsumeAsync(token, Now.AddMinutes(10));

        Assert.Null(late);
        Assert.Equal($"The enrollment token {info.Id} expired at 2025-03-01 12:10:00Z; ask an admin for a new one (farm enroll-token create).",
            EnrollTokenStore.Refusal(await store.FindAsync(token), Now.AddMinutes(10)));
        Assert.Null(EnrollTokenStore.Refusal(await store.FindAsync(token), Now.AddMinutes(9)));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Unknown_token_admits_nobody(string kind)
    {
        var store = new EnrollTokenStore(SecurityDatabase.Create(kind));

        Assert.Null(await store.ConsumeAsync(SecretTokens.New(), Now));
        Assert.Equal("The enrollment token is not known to this controller.", EnrollTokenStore.Refusal(null, Now));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Revoked_token_admits_nobody_and_lists_as_revoked_beside_the_others(string kind)
    {
        var store = new EnrollTokenStore(SecurityDatabase.Create(kind));
        var (token, info) = await store.CreateAsync("admin", Now.AddHours(1), uses: 5, Now);
        var (_, spare) = await store.CreateAsync("admin", Now.AddHours(1), uses: 1, Now.AddMinutes(1), agentId: "builder-1");

        var revoked = await store.RevokeAsync(info.Id, Now.AddMinutes(2));
        var twice = await store.RevokeAsync(info.Id, Now.AddMinutes(3));
        var consumed = await store.ConsumeAsync(token, Now.AddMinutes(4));
        var listed = await store.ListAsync();

        Assert.True(revoked);
        Assert.False(twice);
        Assert.Null(consumed);
        Assert.Equal($"The enrollment token {info.Id} was revoked at 2025-03-01 12:02:00Z; ask an admin for a new one (farm enroll-token create).",
            EnrollTokenStore.Refusal(await store.FindAsync(token), Now.AddMinutes(4)));
        Assert.Equal([spare.Id, info.Id], listed.Select(t => t.Id));
        Assert.Equal((EnrollTokenState.Working, "builder-1"), (listed[0].StateAt(Now.AddMinutes(4)), listed[0].AgentId));
        Assert.Equal((EnrollTokenState.Revoked, 5, (string?)null), (listed[1].StateAt(Now.AddMinutes(4)), listed[1].UsesLeft, listed[1].AgentId));
        Assert.False(await store.RevokeAsync("nope", Now));
    }
}
