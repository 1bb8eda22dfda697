using System.Data.Common;
using Farm.Core.Executions;

namespace Farm.Controller.Storage;

/// <summary>One row of the execution history: what listing needs, without stage details.</summary>
public sealed record ExecutionSummary(
    string Id, string Pipeline, int Number, int PipelineVersion, RunStatus Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Message, string Trigger);

/// <summary>Which executions of a pipeline to list; null or empty members do not filter.</summary>
public sealed record HistoryQuery(
    string Pipeline,
    int Limit,
    IReadOnlyCollection<RunStatus>? Statuses = null,
    string? Trigger = null,
    DateTimeOffset? StartedAfter = null,
    DateTimeOffset? StartedBefore = null,
    int? BeforeNumber = null);

/// <summary>
/// The execution history table: a projection of execution grain state, written by the grain after
/// each change of its state, read for listing and to find the executions to resume after a restart.
/// </summary>
public sealed class ExecutionHistory(FarmDatabase database)
{
    public async Task UpsertAsync(ExecutionRun run, int number)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.Upsert(
            "executions", ["id"], ["id", "pipeline", "number", "pipeline_version", "status", "started_at", "finished_at", "message", "\"trigger\""],
            "status = excluded.status, finished_at = excluded.finished_at, message = excluded.message");
        command.Add("@id", run.Id);
        command.Add("@pipeline", run.Pipeline);
        command.Add("@number", number);
        command.Add("@pipeline_version", run.PipelineVersion);
        command.Add("@status", run.Status.ToString());
        command.Add("@started_at", run.StartedAt.ToString("O"));
        command.Add("@finished_at", run.FinishedAt?.ToString("O"));
        command.Add("@message", run.Message);
        command.Add("@trigger", run.Trigger);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A pipeline's executions, newest first.</summary>
    public Task<IReadOnlyList<ExecutionSummary>> ListAsync(string pipeline, int limit) => ListAsync(new HistoryQuery(pipeline, limit));

    /// <summary>A pipeline's executions that match <paramref name="query"/>, newest first.</summary>
    public async Task<IReadOnlyList<ExecutionSummary>> ListAsync(HistoryQuery query)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        var where = new List<string> { "pipeline = @pipeline" };
        command.Add("@pipeline", query.Pipeline);
        if (query.Statuses is { Count: > 0 } statuses)
        {
            var names = statuses.Select((status, i) => (Name: $"@s{i}", Value: status.ToString())).ToList();
            where.Add($"status IN ({string.Join(", ", names.Select(n => n.Name))})");
            names.ForEach(n => command.Add(n.Name, n.Value));
        }

        if (!string.IsNullOrEmpty(query.Trigger))
        {
            where.Add("\"trigger\" = @trigger");
            command.Add("@trigger", query.Trigger);
        }

        // ISO 8601 in UTC sorts as text in time order.
        if (query.StartedAfter is { } after)
        {
            where.Add("started_at >= @after");
            command.Add("@after", after.ToUniversalTime().ToString("O"));
        }

        if (query.StartedBefore is { } before)
        {
            where.Add("started_at < @before");
            command.Add("@before", before.ToUniversalTime().ToString("O"));
        }

        if (query.BeforeNumber is { } number)
        {
            where.Add("number < @number");
            command.Add("@number", number);
        }

        command.CommandText = database.Dialect.SelectLimited($"{Columns} FROM executions WHERE {string.Join(" AND ", where)} ORDER BY number DESC", "@limit");
        command.Add("@limit", query.Limit);
        return await ReadAllAsync(command);
    }

    /// <summary>Every execution that has not finished, oldest first.</summary>
    public async Task<IReadOnlyList<ExecutionSummary>> ListUnfinishedAsync()
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM executions WHERE status IN ('InProgress', 'Stopping', 'Pending') ORDER BY started_at;";
        return await ReadAllAsync(command);
    }

    private const string Columns = "id, pipeline, number, pipeline_version, status, started_at, finished_at, message, \"trigger\"";

    private static async Task<IReadOnlyList<ExecutionSummary>> ReadAllAsync(DbCommand command)
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
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8)));
        }

        return rows;
    }
}
