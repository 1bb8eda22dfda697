using Farm.Core.Executions;
using Microsoft.Data.Sqlite;

namespace Farm.Controller.Storage;

/// <summary>One row of the execution history: what listing needs, without stage details.</summary>
public sealed record ExecutionSummary(
    string Id, string Pipeline, int Number, int PipelineVersion, RunStatus Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Message);

/// <summary>
/// The execution history table: a projection of execution grain state, written by the grain after
/// each change of its state, read for listing and to find the executions to resume after a restart.
/// </summary>
public sealed class ExecutionHistory(SqliteDatabase database)
{
    public async Task UpsertAsync(ExecutionRun run, int number)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO executions (id, pipeline, number, pipeline_version, status, started_at, finished_at, message)
            VALUES ($id, $pipeline, $number, $version, $status, $started, $finished, $message)
            ON CONFLICT (id) DO UPDATE SET status = $status, finished_at = $finished, message = $message;
            """;
        command.Parameters.AddWithValue("$id", run.Id);
        command.Parameters.AddWithValue("$pipeline", run.Pipeline);
        command.Parameters.AddWithValue("$number", number);
        command.Parameters.AddWithValue("$version", run.PipelineVersion);
        command.Parameters.AddWithValue("$status", run.Status.ToString());
        command.Parameters.AddWithValue("$started", run.StartedAt.ToString("O"));
        command.Parameters.AddWithValue("$finished", (object?)run.FinishedAt?.ToString("O") ?? DBNull.Value);
        command.Parameters.AddWithValue("$message", (object?)run.Message ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A pipeline's executions, newest first.</summary>
    public async Task<IReadOnlyList<ExecutionSummary>> ListAsync(string pipeline, int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM executions WHERE pipeline = $pipeline ORDER BY number DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$pipeline", pipeline);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAllAsync(command);
    }

    /// <summary>Every execution that has not finished, oldest first.</summary>
    public async Task<IReadOnlyList<ExecutionSummary>> ListUnfinishedAsync()
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM executions WHERE status NOT IN ('Succeeded', 'Failed') ORDER BY started_at;";
        return await ReadAllAsync(command);
    }

    private const string Columns = "id, pipeline, number, pipeline_version, status, started_at, finished_at, message";

    private static async Task<IReadOnlyList<ExecutionSummary>> ReadAllAsync(SqliteCommand command)
    {
        var rows = new List<ExecutionSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new ExecutionSummary(
                reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                Enum.Parse<RunStatus>(reader.GetString(4)),
                DateTimeOffset.Parse(reader.GetString(5)),
                reader.IsDBNull(6) ? null : DateTimeOffset.Parse(reader.GetString(6)),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return rows;
    }
}
