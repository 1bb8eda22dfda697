using System.Data.Common;
using System.Text.RegularExpressions;
using Farm.Controller.Storage;

namespace Farm.Controller.Security;

/// <summary>
/// API tokens: a unique name, a role, and the SHA-256 of the value, which is returned once at creation
/// and never stored. A revoked token keeps its row (and its name) so the audit log stays unambiguous.
/// Thread-safe: every call opens its own connection; a lookup reads the database, so a revocation
/// holds from the next call on.
/// </summary>
public sealed partial class TokenStore(FarmDatabase database)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
    private static partial Regex NamePattern();

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Makes a token; null when the name is taken (by a revoked token too).</summary>
    public async Task<(string Token, ApiToken Info)?> CreateAsync(string name, Role role, string createdBy, DateTimeOffset now)
    {
        var token = SecretTokens.New();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.Upsert("api_tokens", ["name"], ["name", "hash", "role", "created_by", "created_at"], set: null);
        command.Add("@name", name);
        command.Add("@hash", SecretTokens.Hash(token));
        command.Add("@role", Roles.Name(role));
        command.Add("@created_by", createdBy);
        command.Add("@created_at", StoreText.Time(now));
        return await command.ExecuteNonQueryAsync() == 1 ? (token, new ApiToken(name, role, createdBy, now, null)) : null;
    }

    /// <summary>The working token with this value; null for an unknown or revoked one.</summary>
    public async Task<ApiToken?> FindAsync(string token)
    {
        var found = await QueryAsync("WHERE hash = @h", ("@h", SecretTokens.Hash(token)));
        return found is [{ RevokedAt: null } working] ? working : null;
    }

    public async Task<ApiToken?> GetAsync(string name) =>
        (await QueryAsync("WHERE name = @n", ("@n", name))).SingleOrDefault();

    public Task<IReadOnlyList<ApiToken>> ListAsync() => QueryAsync("ORDER BY name");

    /// <summary>Revokes a working token; false when there is none of that name that works.</summary>
    public async Task<bool> RevokeAsync(string name, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_tokens SET revoked_at = @at WHERE name = @n AND revoked_at IS NULL;";
        command.Add("@n", name);
        command.Add("@at", StoreText.Time(now));
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<bool> HasWorkingAdminAsync() =>
        (await QueryAsync("WHERE role = 'admin' AND revoked_at IS NULL")).Count > 0;

    private async Task<IReadOnlyList<ApiToken>> QueryAsync(string where, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, role, created_by, created_at, revoked_at FROM api_tokens {where};";
        foreach (var (name, value) in parameters)
        {
            command.Add(name, value);
        }

        var list = new List<ApiToken>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static ApiToken Read(DbDataReader reader) => new(
        reader.GetString(0),
        Roles.Parse(reader.GetString(1)) ?? Role.Viewer,
        reader.GetString(2),
        StoreText.Time(reader, 3)!.Value,
        StoreText.Time(reader, 4));
}
