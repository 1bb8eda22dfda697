using Farm.Controller.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Storage;

/// <summary>
/// The embedded store: one SQLite file in the data folder, in WAL mode so readers never wait for the
/// writer. Opens pooled connections; <see cref="Migrate"/> brings the schema up to date at start.
/// Thread-safe: every caller opens its own connection.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    public SqliteDatabase(IOptions<ControllerOptions> options)
    {
        var dataDir = Path.GetFullPath(options.Value.DataDir);
        Directory.CreateDirectory(dataDir);
        FilePath = Path.Combine(dataDir, "farm.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Pooling = true,
            // A busy database is retried for this long before a command fails.
            DefaultTimeout = 30,
        }.ToString();
        Migrate();
    }

    public string FilePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Applies every migration not yet applied, each in its own transaction, in order.</summary>
    private void Migrate()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);");

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        var applied = Convert.ToInt32(read.ExecuteScalar());

        foreach (var (version, sql) in SqliteMigrations.All.Where(m => m.Version > applied))
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, sql, transaction);
            using var mark = connection.CreateCommand();
            mark.Transaction = transaction;
            mark.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($v, $at);";
            mark.Parameters.AddWithValue("$v", version);
            mark.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            mark.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
