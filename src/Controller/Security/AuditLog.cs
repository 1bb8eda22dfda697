using Farm.Controller.Storage;

namespace Farm.Controller.Security;

/// <summary>
/// The audit log: every change made through the API and every approval, appended by
/// <see cref="TokenInterceptor"/> after the call succeeded (and by enrollment). Append-only; nothing
/// in Farm deletes from it. Thread-safe.
/// </summary>
public sealed class AuditLog(FarmDatabase database)
{
    public async Task WriteAsync(AuditRecord record)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (@at, @actor, @action, @target, @detail);";
        command.Add("@at", StoreText.Time(record.At));
        command.Add("@actor", record.Actor);
        command.Add("@action", record.Action);
        command.Add("@target", record.Target);
        command.Add("@detail", record.Detail);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(int limit)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.SelectLimited("at, actor, action, target, detail FROM audit_log ORDER BY id DESC", "@limit");
        command.Add("@limit", limit);
        var list = new List<AuditRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(new AuditRecord(StoreText.Time(reader, 0)!.Value, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return list;
    }
}
