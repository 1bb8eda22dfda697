using System.Security.Cryptography;
using System.Text;
using Farm.Controller.Security;
using Farm.Controller.Tests.Storage;

namespace Farm.Controller.Tests.Security;

public sealed class TokenStoreTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Created_token_is_found_by_its_value_and_only_its_hash_is_stored(string kind)
    {
        var database = SecurityDatabase.Create(kind);
        var store = new TokenStore(database);

        var (token, info) = (await store.CreateAsync("ci-bot", Role.Operator, "admin", Now))!.Value;
        var found = await store.FindAsync(token);

        Assert.Equal(43, token.Length); // 32 bytes, base64url without padding
        Assert.Equal(info, found);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash, name, role, created_by, created_at FROM api_tokens;";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), (byte[])reader[0]);
        Assert.DoesNotContain(token, string.Concat(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Revoked_token_is_not_found_and_keeps_its_name(string kind)
    {
        var store = new TokenStore(SecurityDatabase.Create(kind));
        var (token, _) = (await store.CreateAsync("ci-bot", Role.Viewer, "admin", Now))!.Value;

        var revoked = await store.RevokeAsync("ci-bot", Now.AddMinutes(1));
        var again = await store.RevokeAsync("ci-bot", Now.AddMinutes(2));
        var reused = await store.CreateAsync("ci-bot", Role.Admin, "admin", Now);

        Assert.True(revoked);
        Assert.False(again);
        Assert.Null(await store.FindAsync(token));
        Assert.Null(reused);
        Assert.Equal(Now.AddMinutes(1), (await store.GetAsync("ci-bot"))!.RevokedAt);
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Unknown_value_is_not_found(string kind)
    {
        var store = new TokenStore(SecurityDatabase.Create(kind));
        await store.CreateAsync("ci-bot", Role.Admin, "admin", Now);

        Assert.Null(await store.FindAsync(SecretTokens.New()));
    }

    [Theory]
    [InlineData("ci-bot", true)]
    [InlineData("alice@example.com", true)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("has space", false)]
    public void Token_names_are_checked(string name, bool valid) => Assert.Equal(valid, TokenStore.IsValidName(name));
}
