using System.Data.Common;
using System.Text;
using Farm.Controller.Storage.Dialects;

namespace Farm.Controller.Storage;

/// <summary>
/// The relational store of grain state, history, tokens, agents, secrets and the audit log, on the
/// dialect the configuration names (<see cref="StoreSelection"/>). Construction brings the schema up
/// to date (<see cref="Migrate"/>), so a store that cannot be reached or migrated stops the start.
/// Thread-safe: every caller opens its own connection.
/// </summary>
public sealed class FarmDatabase
{
    public FarmDatabase(SqlDialect dialect)
    {
        Dialect = dialect;
        Migrate();
    }

    public SqlDialect Dialect { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Dialect.OnOpen is { } setting)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = setting;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Applies every migration not yet applied, each in its own transaction, in order. The applied
    /// version is read again under the dialect's lock, so controllers starting together each skip
    /// what another has just applied.
    /// </summary>
    private void Migrate()
    {
        using var connection = Dialect.CreateConnection();
        connection.Open();
        if (Dialect.BeforeMigrations is { } before)
        {
            Execute(connection, before);
        }

        // Under the lock too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a concurrent one.
        using (var create = BeginLocked(connection))
        {
            Execute(connection, Dialect.CreateMigrationsTable, create);
            create.Commit();
        }

        foreach (var migration in Dialect.Migrations)
        {
            using var transaction = BeginLocked(connection);

            using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
            if (Convert.ToInt32(read.ExecuteScalar()) >= migration.Version)
            {
                continue;
            }

            Execute(connection, migration.Sql, transaction);
            using var mark = connection.CreateCommand();
            mark.Transaction = transaction;
            mark.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at);";
            mark.Add("@version", migration.Version).Add("@at", DateTimeOffset.UtcNow.ToString("O"));
            mark.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>
    /// The whole schema of <paramref name="dialect"/> as one script, for operators who apply schema
    /// by hand: each migration in its transaction, recorded in <c>schema_migrations</c> as the
    /// controller would, so a controller started afterwards finds nothing left to do.
    /// </summary>
    public static string Script(SqlDialect dialect)
    {
        var script = new StringBuilder();
        script.AppendLine($"-- Farm schema for {dialect.Name}, migrations 1 to {dialect.Migrations[^1].Version}.");
        script.AppendLine("-- The controller applies these itself at start; run them by hand only where it may not change the schema.");
        script.AppendLine(dialect.CreateMigrationsTable.Trim());
        var (begin, commit) = dialect.Name == "sqlserver" ? ("BEGIN TRANSACTION;", "COMMIT;") : ("BEGIN;", "COMMIT;");
        foreach (var migration in dialect.Migrations)
        {
            script.AppendLine();
            script.AppendLine($"-- Migration {migration.Version}");
            script.AppendLine(begin);
            script.AppendLine(migration.Sql.Trim());
            script.AppendLine($"INSERT INTO schema_migrations (version, applied_at) VALUES ({migration.Version}, {dialect.NowText});");
            script.AppendLine(commit);
        }

        return script.ToString();
    }

    private DbTransaction BeginLocked(DbConnection connection)
    {
        var transaction = connection.BeginTransaction();
        if (Dialect.MigrationLock is { } take)
        {
            Execute(connection, take, transaction);
        }

        return transaction;
    }

    private static void Execute(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
