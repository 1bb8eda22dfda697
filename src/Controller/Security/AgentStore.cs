using System.Data.Common;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Farm.Controller.Storage;

namespace Farm.Controller.Security;

/// <summary>
/// Enrolled agents: the hash of each one's credential, whether it is revoked or drained, its
/// controller-side labels, and what its last hello said. Thread-safe; every call opens its own
/// connection, so a revocation holds from the next call on.
/// </summary>
public sealed partial class AgentStore(FarmDatabase database)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string agentId) => IdPattern().IsMatch(agentId);

    /// <summary>
    /// Stores the credential of an agent id that has never enrolled. False (and nothing changed) when
    /// the id is known already, enrolled or revoked: taking an enrolled id over needs
    /// <see cref="ReplaceCredentialAsync"/>, which only an admin's re-enrollment token reaches.
    /// </summary>
    public async Task<bool> EnrollAsync(string agentId, byte[] credentialHash, string enrolledWith, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.Upsert(
            "agents", ["agent_id"], ["agent_id", "credential_hash", "enrolled_at", "enrolled_with"], set: null);
        command.Add("@agent_id", agentId);
        command.Add("@credential_hash", credentialHash);
        command.Add("@enrolled_at", StoreText.Time(now));
        command.Add("@enrolled_with", enrolledWith);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>
    /// Replaces an enrolled agent's credential (the old one is refused from the next call on) and ends
    /// a drain; its controller-side labels stay. False (and nothing changed) when the agent is unknown
    /// or revoked: a revoked id stays revoked.
    /// </summary>
    public async Task<bool> ReplaceCredentialAsync(string agentId, byte[] credentialHash, string enrolledWith, DateTimeOffset now) =>
        await ExecuteAsync(
            "UPDATE agents SET credential_hash = @h, enrolled_at = @at, enrolled_with = @with, drained_at = NULL WHERE agent_id = @id AND revoked_at IS NULL;",
            ("@id", agentId), ("@h", credentialHash), ("@at", StoreText.Time(now)), ("@with", enrolledWith)) == 1;

    /// <summary>Checks a credential's secret in constant time. The record when it is the agent's current one, else null.</summary>
    public async Task<AgentRecord?> VerifyAsync(string agentId, string secret)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns}, credential_hash FROM agents WHERE agent_id = @id;";
        command.Add("@id", agentId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var stored = (byte[])reader[10];
        var presented = SecretTokens.Hash(SecretTokens.AgentCredential(agentId, secret));
        return CryptographicOperations.FixedTimeEquals(stored, presented) ? Read(reader) : null;
    }

    public async Task<AgentRecord?> GetAsync(string agentId) =>
        (await QueryAsync("WHERE agent_id = @id", ("@id", agentId))).SingleOrDefault();

    public Task<IReadOnlyList<AgentRecord>> ListAsync() => QueryAsync("ORDER BY agent_id");

    /// <summary>Records what the agent's hello said.</summary>
    public Task HelloAsync(string agentId, string[] claimedLabels, int slots, string version, DateTimeOffset now) =>
        ExecuteAsync("UPDATE agents SET claimed_labels = @l, slots = @s, version = @v, last_seen = @at WHERE agent_id = @id;",
            ("@id", agentId), ("@l", StoreText.Labels(claimedLabels)), ("@s", slots), ("@v", version), ("@at", StoreText.Time(now)));

    public Task SeenAsync(string agentId, DateTimeOffset now) =>
        ExecuteAsync("UPDATE agents SET last_seen = @at WHERE agent_id = @id;", ("@id", agentId), ("@at", StoreText.Time(now)));

    /// <summary>Marks a working agent drained; false when it is unknown or revoked.</summary>
    public async Task<bool> DrainAsync(string agentId, DateTimeOffset now) =>
        await ExecuteAsync("UPDATE agents SET drained_at = COALESCE(drained_at, @at) WHERE agent_id = @id AND revoked_at IS NULL;",
            ("@id", agentId), ("@at", StoreText.Time(now))) == 1;

    /// <summary>Revokes a working agent; false when it is unknown or already revoked.</summary>
    public async Task<bool> RevokeAsync(string agentId, DateTimeOffset now) =>
        await ExecuteAsync("UPDATE agents SET revoked_at = @at WHERE agent_id = @id AND revoked_at IS NULL;",
            ("@id", agentId), ("@at", StoreText.Time(now))) == 1;

    /// <summary>Sets (or, with null, removes) the controller-side labels; false for an unknown agent.</summary>
    public async Task<bool> SetLabelsAsync(string agentId, string[]? labels) =>
        await ExecuteAsync("UPDATE agents SET labels = @l WHERE agent_id = @id;",
            ("@id", agentId), ("@l", StoreText.OrNull(labels is null ? null : StoreText.Labels(labels)))) == 1;

    private const string Columns = "agent_id, enrolled_at, enrolled_with, revoked_at, drained_at, labels, claimed_labels, slots, version, last_seen";

    private async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Add(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    private async Task<IReadOnlyList<AgentRecord>> QueryAsync(string where, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM agents {where};";
        foreach (var (name, value) in parameters)
        {
            command.Add(name, value);
        }

        var list = new List<AgentRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static AgentRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        StoreText.Time(reader, 1)!.Value,
        reader.GetString(2),
        StoreText.Time(reader, 3),
        StoreText.Time(reader, 4),
        StoreText.Labels(reader, 5),
        StoreText.Labels(reader, 6) ?? [],
        reader.GetInt32(7),
        reader.GetString(8),
        StoreText.Time(reader, 9));
}
