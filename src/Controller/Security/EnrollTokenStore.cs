using System.Data.Common;
using System.Security.Cryptography;
using Farm.Controller.Storage;

namespace Farm.Controller.Security;

/// <summary>
/// Enrollment tokens: made by an admin with an expiry and a number of uses, stored as SHA-256 hashes,
/// revocable. <see cref="ConsumeAsync"/> takes one use in a single statement, so two agents racing for
/// the last use cannot both get it, and a revocation holds from the next call on. Thread-safe.
/// </summary>
public sealed class EnrollTokenStore(FarmDatabase database)
{
    private const string Columns = "id, created_by, created_at, expires_at, uses_left, revoked_at, agent_id";

    /// <summary>
    /// Makes a token for <paramref name="uses"/> new agents, or, with <paramref name="agentId"/>, one that
    /// re-enrolls that agent only (replacing its credential).
    /// </summary>
    public async Task<(string Token, EnrollToken Info)> CreateAsync(
        string createdBy, DateTimeOffset expiresAt, int uses, DateTimeOffset now, string? agentId = null)
    {
        var token = SecretTokens.New();
        var info = new EnrollToken(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), createdBy, now, expiresAt, uses, null, agentId);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO enroll_tokens (id, hash, created_by, created_at, expires_at, uses_left, agent_id) VALUES (@id, @h, @by, @at, @exp, @uses, @agent);
            """;
        command.Add("@id", info.Id);
        command.Add("@h", SecretTokens.Hash(token));
        command.Add("@by", createdBy);
        command.Add("@at", StoreText.Time(now));
        command.Add("@exp", StoreText.Time(expiresAt));
        command.Add("@uses", uses);
        command.Add("@agent", StoreText.OrNull(agentId));
        await command.ExecuteNonQueryAsync();
        return (token, info);
    }

    /// <summary>The token's record, whether or not it still works; null for an unknown token.</summary>
    public async Task<EnrollToken?> FindAsync(string token) =>
        (await QueryAsync("WHERE hash = @h", ("@h", SecretTokens.Hash(token)))).SingleOrDefault();

    /// <summary>The record of the token with this id; null for an unknown id.</summary>
    public async Task<EnrollToken?> GetAsync(string id) =>
        (await QueryAsync("WHERE id = @id", ("@id", id))).SingleOrDefault();

    /// <summary>Every token, working or not, newest first.</summary>
    public Task<IReadOnlyList<EnrollToken>> ListAsync() => QueryAsync("ORDER BY created_at DESC, id");

    /// <summary>Revokes a token by its id; false when it is unknown or revoked already.</summary>
    public async Task<bool> RevokeAsync(string id, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE enroll_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;";
        command.Add("@id", id);
        command.Add("@at", StoreText.Time(now));
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>Why <paramref name="token"/> cannot enroll an agent at <paramref name="now"/>, or null when it can.</summary>
    public static string? Refusal(EnrollToken? token, DateTimeOffset now) => token?.StateAt(now) switch
    {
        null => "The enrollment token is not known to this controller.",
        EnrollTokenState.Revoked => $"The enrollment token {token.Id} was revoked at {token.RevokedAt:u}; ask an admin for a new one (farm enroll-token create).",
        EnrollTokenState.Expired => $"The enrollment token {token.Id} expired at {token.ExpiresAt:u}; ask an admin for a new one (farm enroll-token create).",
        EnrollTokenState.UsedUp => $"The enrollment token {token.Id} has been used up; ask an admin for a new one (farm enroll-token create).",
        _ => null,
    };

    /// <summary>Takes one use of a working token; the token's record, or null when it does not work (unknown, revoked, expired, used up).</summary>
    public async Task<EnrollToken?> ConsumeAsync(string token, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.UpdateReturning(
            "enroll_tokens", "uses_left = uses_left - 1", "hash = @h AND uses_left > 0 AND expires_at > @now AND revoked_at IS NULL",
            Columns.Split(", "));
        command.Add("@h", SecretTokens.Hash(token));
        command.Add("@now", StoreText.Time(now));
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    private async Task<IReadOnlyList<EnrollToken>> QueryAsync(string where, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM enroll_tokens {where};";
        foreach (var (name, value) in parameters)
        {
            command.Add(name, value);
        }

        var list = new List<EnrollToken>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static EnrollToken Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        StoreText.Time(reader, 2)!.Value,
        StoreText.Time(reader, 3)!.Value,
        reader.GetInt32(4),
        StoreText.Time(reader, 5),
        reader.IsDBNull(6) ? null : reader.GetString(6));
}
