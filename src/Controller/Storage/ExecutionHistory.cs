using System.Data.Common;
using System.Text.Json;
using Farm.Core.Executions;

namespace Farm.Controller.Storage;

/// <summary>
/// One row of the execution history: what listing needs, without stage details. The members after
/// <see cref="Trigger"/> are null in a row written before migration 6, which did not store them: the
/// history does not know them (the execution's grain state does). Known, "none" is empty.
/// </summary>
/// <param name="TriggeredBy">The person, webhook delivery, schedule or parent execution that started it; empty when none was recorded.</param>
/// <param name="RollbackOf">For a rollback, the execution whose artifacts and variables it reuses; empty otherwise.</param>
/// <param name="WaitingForStage">The stage it waits to enter; empty when it does not wait.</param>
/// <param name="WaitingReason">Why it waits there; empty when it does not wait.</param>
/// <param name="Variables">The resolved variables.</param>
/// <param name="Sources">The source revisions it builds, with what each git action reported so far.</param>
public sealed record ExecutionSummary(
    string Id, string Pipeline, int Number, int PipelineVersion, RunStatus Status,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Message, string Trigger,
    string? TriggeredBy = null, string? RollbackOf = null, string? WaitingForStage = null, string? WaitingReason = null,
    IReadOnlyDictionary<string, string>? Variables = null, IReadOnlyList<SourceSummary>? Sources = null);

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
    /// <summary>
    /// Whether <paramref name="run"/> changes what the history row written for <paramref name="previous"/>
    /// holds. Most transitions (an action queued, started, done) change none of it, so the grain skips
    /// the write; those that do: the status, the end, the message, where it waits, and a git action
    /// reporting its commit's author and message.
    /// </summary>
    public static bool ChangesRow(ExecutionRun? previous, ExecutionRun run) =>
        previous is null
        || previous.Status != run.Status || previous.FinishedAt != run.FinishedAt || previous.Message != run.Message
        || previous.WaitingForStage != run.WaitingForStage || previous.WaitingReason != run.WaitingReason
        || previous.TriggeredBy != run.TriggeredBy || previous.Inherited?.ExecutionId != run.Inherited?.ExecutionId
        || !ReferenceEquals(previous.Variables, run.Variables)
        || !SourceSummary.Of(previous).SequenceEqual(SourceSummary.Of(run));

    /// <summary>The stage <paramref name="run"/> waits to enter, by name; empty when it does not wait.</summary>
    public static string WaitingStageName(ExecutionRun run) => run.WaitingForStage is { } stage ? run.Stages[stage].Name : "";

    /// <summary>
    /// Writes the row of <paramref name="run"/>. Its number, version, start and trigger are kept from
    /// the first write; everything else is replaced, which also fills in a row written before
    /// migration 6 once its execution changes again (or resumes after a restart).
    /// </summary>
    public async Task UpsertAsync(ExecutionRun run, int number)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.Upsert(
            "executions", ["id"], ["id", "pipeline", "number", "pipeline_version", "status", "started_at", "finished_at", "message", "\"trigger\"", .. Replaced],
            string.Join(", ", ((string[])["status", "finished_at", "message", .. Replaced]).Select(c => $"{c} = excluded.{c}")));
        command.Add("@id", run.Id);
        command.Add("@pipeline", run.Pipeline);
        command.Add("@number", number);
        command.Add("@pipeline_version", run.PipelineVersion);
        command.Add("@status", run.Status.ToString());
        command.Add("@started_at", run.StartedAt.ToString("O"));
        command.Add("@finished_at", run.FinishedAt?.ToString("O"));
        command.Add("@message", run.Message);
        command.Add("@trigger", run.Trigger);
        command.Add("@triggered_by", run.TriggeredBy ?? "");
        command.Add("@rollback_of", run.Inherited?.ExecutionId ?? "");
        command.Add("@waiting_for_stage", WaitingStageName(run));
        command.Add("@waiting_reason", run.WaitingReason ?? "");
        command.Add("@variables", JsonSerializer.Serialize(run.Variables, StateJson.Options));
        command.Add("@sources", JsonSerializer.Serialize(SourceSummary.Of(run), StateJson.Options));
        await command.ExecuteNonQueryAsync();
    }

    // The columns of migration 6, NULL in older rows until they are written again.
    private static readonly string[] Replaced = ["triggered_by", "rollback_of", "waiting_for_stage", "waiting_reason", "variables", "sources"];

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

    private const string Columns =
        "id, pipeline, number, pipeline_version, status, started_at, finished_at, message, \"trigger\", " +
        "triggered_by, rollback_of, waiting_for_stage, waiting_reason, variables, sources";

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
                reader.GetString(8),
                Text(reader, 9), Text(reader, 10), Text(reader, 11), Text(reader, 12),
                Text(reader, 13) is { } variables ? JsonSerializer.Deserialize<Dictionary<string, string>>(variables, StateJson.Options) : null,
                Text(reader, 14) is { } sources ? JsonSerializer.Deserialize<List<SourceSummary>>(sources, StateJson.Options) : null));
        }

        return rows;
    }

    private static string? Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
