using Farm.Controller.Hosting;
using Farm.Controller.Storage.Dialects;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace Farm.Controller.Storage;

/// <summary>
/// Turns <see cref="ControllerOptions.Store"/> and <see cref="ControllerOptions.StoreConnection"/>
/// into a dialect, and says what is wrong with them in words that name the setting.
/// </summary>
public static class StoreSelection
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string SqlServer = "sqlserver";
    public static readonly IReadOnlyList<string> Names = [Sqlite, Postgres, SqlServer];

    private static readonly string StoreSetting = $"{ControllerOptions.Section}:Store";
    private static readonly string ConnectionSetting = $"{ControllerOptions.Section}:StoreConnection";

    /// <summary>Every problem of the store settings; empty when there is none.</summary>
    public static IReadOnlyList<string> Problems(ControllerOptions options)
    {
        var store = options.Store;
        if (!Names.Contains(store))
        {
            return [$"{StoreSetting} is '{store}'; it must be one of {string.Join(", ", Names)}."];
        }

        if (store == Sqlite)
        {
            List<string> problems = [];
            if (!string.IsNullOrWhiteSpace(options.StoreConnection))
            {
                problems.Add($"{ConnectionSetting} is set, but {StoreSetting} is sqlite, which keeps farm.db in DataDir and takes no connection string; remove it or set {StoreSetting}.");
            }

            if (options.SqliteSync is not (SqliteDialect.Normal or SqliteDialect.Full))
            {
                problems.Add($"{ControllerOptions.Section}:SqliteSync is '{options.SqliteSync}'; it must be {SqliteDialect.Normal} or {SqliteDialect.Full}.");
            }

            return problems;
        }

        if (string.IsNullOrWhiteSpace(options.StoreConnection))
        {
            return [$"{StoreSetting} is {store}, which needs {ConnectionSetting} (e.g. {Example(store)})."];
        }

        try
        {
            _ = store == Postgres
                ? new NpgsqlConnectionStringBuilder(options.StoreConnection).ConnectionString
                : new SqlConnectionStringBuilder(options.StoreConnection).ConnectionString;
            return [];
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return [$"{ConnectionSetting} is not a valid {store} connection string: {e.Message} (e.g. {Example(store)})."];
        }
    }

    /// <summary>The dialect the options name; throws with <see cref="Problems"/> when they are wrong.</summary>
    public static SqlDialect Dialect(ControllerOptions options)
    {
        var problems = Problems(options);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        return options.Store switch
        {
            Postgres => new PostgresDialect(options.StoreConnection!),
            SqlServer => new SqlServerDialect(options.StoreConnection!),
            _ => new SqliteDialect(SqliteFile(options), options.SqliteSync),
        };
    }

    /// <summary>A dialect by name only, for printing its migrations: no connection is made.</summary>
    public static SqlDialect ForPrinting(string store) => store switch
    {
        Sqlite => new SqliteDialect("farm.db"),
        Postgres => new PostgresDialect("Host=localhost"),
        SqlServer => new SqlServerDialect("Server=localhost"),
        _ => throw new ArgumentException($"No store is called '{store}'; the stores are {string.Join(", ", Names)}.", nameof(store)),
    };

    private static string SqliteFile(ControllerOptions options)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        PrivateFiles.CreateFolder(dataDir);
        var file = Path.Combine(dataDir, "farm.db");
        // Made here, empty and owner-only, because SQLite would make it 0644; it gives its journal and
        // WAL files the database file's mode.
        if (!File.Exists(file))
        {
            PrivateFiles.Open(file, FileMode.OpenOrCreate, FileAccess.Write).Dispose();
        }

        return file;
    }

    private static string Example(string store) => store == Postgres
        ? "Host=db.example;Port=5432;Database=farm;Username=farm;Password=..."
        : "Server=db.example;Database=farm;User Id=farm;Password=...;Encrypt=true";
}
