using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// The embedded store: one SQLite file (<c>farm.db</c> in the data folder), in WAL mode so readers
/// never wait for the writer. For one controller only: SQLite's locks do not reach across machines.
/// </summary>
public sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqliteDialect(string filePath)
    {
        FilePath = filePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Pooling = true,
            // A busy database is retried for this long before a command fails.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    public override string Name => "sqlite";

    public override string Location => FilePath;

    public override IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    public override string CreateMigrationsTable =>
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";

    public override string BeforeMigrations => "PRAGMA journal_mode=WAL;";

    public override string NowText => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    public override DbConnection CreateConnection() => new SqliteConnection(_connectionString);
}
