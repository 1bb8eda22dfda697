namespace Farm.Controller.Storage;

/// <summary>One line of the pipeline list.</summary>
public sealed record PipelineListing(
    string Name, int Version, DateTimeOffset UpdatedAt, ExecutionSummary? Latest);

/// <summary>
/// The pipelines table: a projection of pipeline grain state (name and latest version), written by
/// the grain after each apply, so listing pipelines needs no grain activation.
/// </summary>
public sealed class PipelineCatalog(FarmDatabase database, ExecutionHistory history)
{
    public async Task UpsertAsync(string name, int version, DateTimeOffset updatedAt)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.Upsert(
            "pipelines", ["name"], ["name", "version", "updated_at"], "version = excluded.version, updated_at = excluded.updated_at");
        command.Add("@name", name);
        command.Add("@version", version);
        command.Add("@updated_at", updatedAt.ToString("O"));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Whether a pipeline of this name has been applied; one query, no grain, for lookups by names from outside.</summary>
    public async Task<bool> ContainsAsync(string name)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pipelines WHERE name = @name;";
        command.Add("@name", name);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Every pipeline's name, in order; one query, for callers that need no execution details.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync()
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pipelines ORDER BY name;";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task<IReadOnlyList<PipelineListing>> ListAsync()
    {
        var rows = new List<(string Name, int Version, DateTimeOffset At)>();
        await using (var connection = await database.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, version, updated_at FROM pipelines ORDER BY name;";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetInt32(1), DateTimeOffset.Parse(reader.GetString(2))));
            }
        }

        var listings = new List<PipelineListing>(rows.Count);
        foreach (var row in rows)
        {
            var latest = await history.ListAsync(row.Name, 1);
            listings.Add(new PipelineListing(row.Name, row.Version, row.At, latest.FirstOrDefault()));
        }

        return listings;
    }
}
