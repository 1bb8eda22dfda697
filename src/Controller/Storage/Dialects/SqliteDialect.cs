using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// The embedded store: one SQLite file (<c>farm.db</c> in the data folder), in WAL mode so readers
/// never wait for the writer. For one controller only: SQLite's locks do not reach across machines.
/// Commits are synced to disk per <see cref="Synchronous"/>: <c>normal</c> (the default) syncs the
/// WAL at checkpoints, so a commit survives the controller being killed but the last ones may be lost
/// with the machine's power; <c>full</c> syncs every commit, at several times the cost per action
/// (docs/benchmarks.md).
/// </summary>
public sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public const string Normal = "normal";
    public const string Full = "full";

    public SqliteDialect(string filePath, string synchronous = Normal)
    {
        FilePath = filePath;
        Synchronous = synchronous == Full ? Full : Normal;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Pooling = true,
            // A busy database is retried for this long before a command fails.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary><see cref="Normal"/> or <see cref="Full"/>: SQLite's <c>synchronous</c> setting.</summary>
    public string Synchronous { get; }

    public override string Name => "sqlite";

    public override string Location => FilePath;

    public override IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    public override string CreateMigrationsTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";

    public override string BeforeMigrations => "PRAGMA journal_mode=WAL;";

    // busy_timeout: a writer that finds the database locked waits inside SQLite, which retries within
    // a millisecond or two, rather than failing to Microsoft.Data.Sqlite, which sleeps 150 ms a try.
    public override string OnOpen => $"PRAGMA synchronous={Synchronous.ToUpperInvariant()}; PRAGMA busy_timeout=30000;";

    public override string NowText => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    public override DbConnection CreateConnection() => new SqliteConnection(_connectionString);
}
