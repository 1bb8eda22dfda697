using System.Data.Common;
using Npgsql;

namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// PostgreSQL through Npgsql: one pooled data source for the process. Every controller of a cluster
/// points at the same database; migrations take a transaction-scoped advisory lock so that
/// controllers starting together apply each one once.
/// </summary>
public sealed class PostgresDialect : SqlDialect, IDisposable
{
    // Any fixed number serves; it names Farm's migration lock among the database's advisory locks.
    private const long MigrationLockKey = 0x4641524d; // "FARM"
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Name => "postgres";

    public override string Location { get; }

    public override IReadOnlyList<Migration> Migrations => PostgresMigrations.All;

    public override string CreateMigrationsTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";

    public override string MigrationLock => $"SELECT pg_advisory_xact_lock({MigrationLockKey});";

    public override string NowText => "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

    public override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public void Dispose() => _dataSource.Dispose();
}
