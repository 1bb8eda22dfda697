using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;

namespace Farm.Controller.Storage;

/// <summary>
/// Orleans grain storage on the embedded SQLite store. State is kept as JSON so an operator can read
/// it with the sqlite3 shell; the ETag is a counter, and a write whose ETag no longer matches throws
/// <see cref="InconsistentStateException"/>, so two activations can never both write.
/// </summary>
public sealed class SqliteGrainStorage(SqliteDatabase database) : IGrainStorage
{
    public const string Name = "farm";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, data FROM grain_state WHERE grain_id = $id AND state_name = $name;";
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$name", stateName);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.ETag = reader.GetInt64(0).ToString();
        grainState.State = JsonSerializer.Deserialize<T>(reader.GetString(1), StateJson.Options)
            ?? throw new InvalidOperationException($"Stored state '{stateName}' of {grainId} is empty.");
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = JsonSerializer.Serialize(grainState.State, StateJson.Options);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$name", stateName);
        command.Parameters.AddWithValue("$data", data);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
        long next;
        if (grainState.ETag is null)
        {
            next = 1;
            command.CommandText = """
                INSERT INTO grain_state (grain_id, state_name, etag, data, updated_at) VALUES ($id, $name, 1, $data, $at)
                ON CONFLICT DO NOTHING;
                """;
        }
        else
        {
            var current = long.Parse(grainState.ETag);
            next = current + 1;
            command.CommandText = """
                UPDATE grain_state SET etag = $next, data = $data, updated_at = $at
                WHERE grain_id = $id AND state_name = $name AND etag = $etag;
                """;
            command.Parameters.AddWithValue("$etag", current);
            command.Parameters.AddWithValue("$next", next);
        }

        if (await command.ExecuteNonQueryAsync() != 1)
        {
            throw new InconsistentStateException(
                $"State '{stateName}' of {grainId} was changed by someone else (expected version {grainState.ETag ?? "none"}).");
        }

        grainState.ETag = next.ToString();
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM grain_state WHERE grain_id = $id AND state_name = $name;";
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$name", stateName);
        await command.ExecuteNonQueryAsync();
        grainState.ETag = null;
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }
}
