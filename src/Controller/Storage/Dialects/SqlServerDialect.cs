using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace Farm.Controller.Storage.Dialects;

/// <summary>
/// SQL Server through Microsoft.Data.SqlClient. It has no ON CONFLICT and no RETURNING, so upserts
/// are MERGE statements (HOLDLOCK, so two inserts of one key cannot both pass the match) and
/// UPDATE ... RETURNING is UPDATE ... OUTPUT. Migrations take an application lock (sp_getapplock)
/// owned by their transaction. Not tested on these machines (no SQL Server runs here); the store
/// tests run against it where FARM_TEST_SQLSERVER names one.
/// </summary>
public sealed class SqlServerDialect : SqlDialect
{
    private readonly string _connectionString;

    public SqlServerDialect(string connectionString)
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        _connectionString = builder.ConnectionString;
        Location = $"sqlserver://{builder.DataSource}/{builder.InitialCatalog}";
    }

    public override string Name => "sqlserver";

    public override string Location { get; }

    public override IReadOnlyList<Migration> Migrations => SqlServerMigrations.All;

    public override string CreateMigrationsTable => """
        IF OBJECT_ID(N'schema_migrations', N'U') IS NULL
            CREATE TABLE schema_migrations (version INT PRIMARY KEY, applied_at NVARCHAR(64) NOT NULL);
        """;

    public override string MigrationLock =>
        "EXEC sp_getapplock @Resource = N'farm-migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000;";

    public override string NowText => "CONVERT(NVARCHAR(64), SYSUTCDATETIME(), 127)";

    public override DbConnection CreateConnection() => new SqlConnection(_connectionString);

    public override string Upsert(string table, string[] keys, string[] columns, string? set, string? when = null)
    {
        var source = string.Join(", ", columns.Select(c => $"{Parameter(c)} AS {c}"));
        var match = string.Join(" AND ", keys.Select(k => $"{table}.{k} = excluded.{k}"));
        var update = set is null ? "" : $" WHEN MATCHED{(when is null ? "" : " AND " + when)} THEN UPDATE SET {set}";
        return $"MERGE INTO {table} WITH (HOLDLOCK) USING (SELECT {source}) AS excluded ON {match}{update}" +
               $" WHEN NOT MATCHED THEN INSERT ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "excluded." + c))});";
    }

    public override string UpdateReturning(string table, string set, string where, string[] returning) =>
        $"UPDATE {table} SET {set} OUTPUT {string.Join(", ", returning.Select(c => "inserted." + c))} WHERE {where};";

    public override string SelectLimited(string rest, string limitParameter) => $"SELECT TOP ({limitParameter}) {rest};";
}
