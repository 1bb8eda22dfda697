using System.Text.Json;
using Orleans.Runtime;
using Orleans.Storage;

namespace Farm.Controller.Storage;

/// <summary>
/// Orleans grain storage on Farm's relational store (SQLite, PostgreSQL or SQL Server). State is kept
/// as JSON so an operator can read it with the database's own shell; the ETag is a counter, and a
/// write whose ETag no longer matches throws <see cref="InconsistentStateException"/>, so two
/// activations (on two silos of a cluster too) can never both write.
/// </summary>
public sealed class RelationalGrainStorage(FarmDatabase database) : IGrainStorage
{
    public const string Name = "farm";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, data FROM grain_state WHERE grain_id = @id AND state_name = @name;";
        command.Add("@id", grainId.ToString());
        command.Add("@name", stateName);
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
        command.Add("@grain_id", grainId.ToString());
        command.Add("@state_name", stateName);
        command.Add("@data", data);
        command.Add("@updated_at", DateTimeOffset.UtcNow.ToString("O"));
        long next;
        if (grainState.ETag is null)
        {
            next = 1;
            command.Add("@etag", next);
            command.CommandText = database.Dialect.Upsert(
                "grain_state", ["grain_id", "state_name"], ["grain_id", "state_name", "etag", "data", "updated_at"], set: null);
        }
        else
        {
            var current = long.Parse(grainState.ETag);
            next = current + 1;
            command.CommandText = """
                UPDATE grain_state SET etag = @next, data = @data, updated_at = @updated_at
                WHERE grain_id = @grain_id AND state_name = @state_name AND etag = @etag;
                """;
            command.Add("@etag", current);
            command.Add("@next", next);
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
        command.CommandText = "DELETE FROM grain_state WHERE grain_id = @id AND state_name = @name;";
        command.Add("@id", grainId.ToString());
        command.Add("@name", stateName);
        await command.ExecuteNonQueryAsync();
        grainState.ETag = null;
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }
}
