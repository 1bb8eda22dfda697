using Npgsql;

namespace Farm.Tests.Shared;

/// <summary>Fresh databases on a PostgreSQL server, one per fixture or run, so nothing is shared between them.</summary>
public static class PostgresDatabases
{
    /// <summary>Creates a database of a fresh name (<paramref name="prefix"/> + random) on <paramref name="server"/>'s server; returns a connection string to it.</summary>
    public static string Create(string server, string prefix)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        var name = prefix + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name};";
            command.ExecuteNonQuery();
        }

        builder.Database = name;
        return builder.ConnectionString;
    }
}
