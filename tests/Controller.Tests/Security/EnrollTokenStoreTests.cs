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
}
