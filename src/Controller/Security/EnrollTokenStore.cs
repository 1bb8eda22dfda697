using System.Security.Cryptography;
using Farm.Controller.Storage;

namespace Farm.Controller.Security;

/// <summary>
/// Enrollment tokens: made by an admin with an expiry and a number of uses, stored as SHA-256 hashes.
/// <see cref="ConsumeAsync"/> takes one use in a single statement, so two agents racing for the last
/// use cannot both get it. Thread-safe.
/// </summary>
public sealed class EnrollTokenStore(FarmDatabase database)
{
    public async Task<(string Token, EnrollToken Info)> CreateAsync(string createdBy, DateTimeOffset expiresAt, int uses, DateTimeOffset now)
    {
        var token = SecretTokens.New();
        var info = new EnrollToken(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), createdBy, now, expiresAt, uses);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO enroll_tokens (id, hash, created_by, created_at, expires_at, uses_left) VALUES (@id, @h, @by, @at, @exp, @uses);
            """;
        command.Add("@id", info.Id);
        command.Add("@h", SecretTokens.Hash(token));
        command.Add("@by", createdBy);
        command.Add("@at", StoreText.Time(now));
        command.Add("@exp", StoreText.Time(expiresAt));
        command.Add("@uses", uses);
        await command.ExecuteNonQueryAsync();
        return (token, info);
    }

    /// <summary>The token's record, whether or not it still works; null for an unknown token.</summary>
    public async Task<EnrollToken?> FindAsync(string token)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, created_by, created_at, expires_at, uses_left FROM enroll_tokens WHERE hash = @h;";
        command.Add("@h", SecretTokens.Hash(token));
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new EnrollToken(reader.GetString(0), reader.GetString(1), StoreText.Time(reader, 2)!.Value, StoreText.Time(reader, 3)!.Value, reader.GetInt32(4))
            : null;
    }

    /// <summary>Why <paramref name="token"/> cannot enroll an agent at <paramref name="now"/>, or null when it can.</summary>
    public static string? Refusal(EnrollToken? token, DateTimeOffset now) =>
        token is null ? "The enrollment token is not known to this controller."
        : token.ExpiresAt <= now ? $"The enrollment token {token.Id} expired at {token.ExpiresAt:u}; ask an admin for a new one (farm enroll-token create)."
        : token.UsesLeft <= 0 ? $"The enrollment token {token.Id} has been used up; ask an admin for a new one (farm enroll-token create)."
        : null;

    /// <summary>Takes one use of a working token; the token's record, or null when it does not work (unknown, expired, used up).</summary>
    public async Task<EnrollToken?> ConsumeAsync(string token, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.UpdateReturning(
            "enroll_tokens", "uses_left = uses_left - 1", "hash = @h AND uses_left > 0 AND expires_at > @now",
            ["id", "created_by", "created_at", "expires_at", "uses_left"]);
        command.Add("@h", SecretTokens.Hash(token));
        command.Add("@now", StoreText.Time(now));
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new EnrollToken(reader.GetString(0), reader.GetString(1), StoreText.Time(reader, 2)!.Value, StoreText.Time(reader, 3)!.Value, reader.GetInt32(4))
            : null;
    }
}
