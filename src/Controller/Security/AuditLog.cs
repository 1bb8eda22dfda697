using Farm.Controller.Storage;

namespace Farm.Controller.Security;

/// <summary>
/// The audit log: every change made through the API and every approval, appended by
/// <see cref="TokenInterceptor"/> after the call succeeded (and by enrollment). Append-only; nothing
/// in Farm deletes from it. Thread-safe.
/// </summary>
public sealed class AuditLog(SqliteDatabase database)
{
    public async Task WriteAsync(AuditRecord record)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($at, $actor, $action, $target, $detail);";
        command.Parameters.AddWithValue("$at", StoreText.Time(record.At));
        command.Parameters.AddWithValue("$actor", record.Actor);
        command.Parameters.AddWithValue("$action", record.Action);
        command.Parameters.AddWithValue("$target", record.Target);
        command.Parameters.AddWithValue("$detail", record.Detail);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", limit);
        var list = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(new AuditRecord(StoreText.Time(reader, 0)!.Value, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return list;
    }
}
