using System.Data.Common;
using Farm.Controller.Storage;
using Farm.Controller.Storage.Dialects;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace Farm.Controller.Tests.Storage;

/// <summary>
/// A fresh, migrated store of each dialect for the store tests: SQLite in a folder of its own;
/// PostgreSQL as a new database on the server <c>FARM_TEST_POSTGRES</c> names (./test.sh starts
/// one); SQL Server likewise on <c>FARM_TEST_SQLSERVER</c>, only when that is set, since no SQL
/// Server runs on these machines.
/// </summary>
public static class TestStores
{
    public const string PostgresVariable = "FARM_TEST_POSTGRES";
    public const string SqlServerVariable = "FARM_TEST_SQLSERVER";

    /// <summary>The stores every store test runs against.</summary>
    public static TheoryData<string> All
    {
        get
        {
            var stores = new TheoryData<string> { StoreSelection.Sqlite, StoreSelection.Postgres };
            if (SqlServerConnection is not null)
            {
                stores.Add(StoreSelection.SqlServer);
            }

            return stores;
        }
    }

    public static string? SqlServerConnection => Environment.GetEnvironmentVariable(SqlServerVariable) is { Length: > 0 } value ? value : null;

    /// <summary>The server of <see cref="PostgresVariable"/>; fails with what to do when it is not set.</summary>
    public static string PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{PostgresVariable} is not set: run ./test.sh, which starts PostgreSQL and sets it, or set it to a connection string " +
            "(Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres) of a server where that user may create databases.");

    public static FarmDatabase Create(string store) => new(Dialect(store));

    /// <summary>A dialect on an empty database of its own, not yet migrated.</summary>
    public static SqlDialect Dialect(string store) => store switch
    {
        StoreSelection.Sqlite => new SqliteDialect(Path.Combine(Directory.CreateTempSubdirectory("farm-store-").FullName, "farm.db")),
        StoreSelection.Postgres => new PostgresDialect(NewPostgresDatabase()),
        StoreSelection.SqlServer => new SqlServerDialect(NewSqlServerDatabase()),
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "not a store"),
    };

    /// <summary>A connection string to a new, empty PostgreSQL database.</summary>
    public static string NewPostgresDatabase() =>
        NewDatabase(new NpgsqlConnectionStringBuilder(PostgresServer), "Database", c => new NpgsqlConnection(c));

    private static string NewSqlServerDatabase() =>
        NewDatabase(new SqlConnectionStringBuilder(SqlServerConnection), "Initial Catalog", c => new SqlConnection(c));

    /// <summary>Creates a database of a fresh name on <paramref name="server"/>'s server and returns a connection string to it.</summary>
    private static string NewDatabase(DbConnectionStringBuilder server, string databaseKey, Func<string, DbConnection> connect)
    {
        var name = "farm_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = connect(server.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name};";
            command.ExecuteNonQuery();
        }

        server[databaseKey] = name;
        return server.ConnectionString;
    }
}
