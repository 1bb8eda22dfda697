using Farm.Controller.Executions;
using Farm.Controller.Hosting;
using Farm.Controller.Storage;
using Farm.Controller.Storage.Dialects;

namespace Farm.Controller.Tests.Storage;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Controllers_migrating_one_store_at_once_apply_each_migration_once(string store)
    {
        var dialect = TestStores.Dialect(store);

        // Three controllers of a cluster starting together.
        var databases = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => new FarmDatabase(dialect))));
        var applied = await AppliedAsync(databases[0]);

        Assert.Equal(dialect.Migrations.Select(m => m.Version), applied);
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Printed_script_applied_by_hand_leaves_the_controller_nothing_to_do(string store)
    {
        var dialect = TestStores.Dialect(store);
        var output = new StringWriter();
        var exit = MigrationsCommand.TryRun(["migrations", "print", "--store", store], output, TextWriter.Null);
        await using (var connection = dialect.CreateConnection())
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = output.ToString();
            await command.ExecuteNonQueryAsync();
        }

        // Would fail on the first CREATE TABLE had the script not recorded what it applied.
        var database = new FarmDatabase(dialect);
        var history = new ExecutionHistory(database);
        await history.UpsertAsync(new Farm.Core.Executions.ExecutionRun
        {
            Id = "p-1", Pipeline = "p", PipelineVersion = 1, StartedAt = DateTimeOffset.UnixEpoch,
            Variables = new Dictionary<string, string>(), Stages = [], Trigger = "manual",
        }, 1);

        Assert.Equal(0, exit);
        Assert.Equal(dialect.Migrations.Select(m => m.Version), await AppliedAsync(database));
        Assert.Equal(["p-1"], (await history.ListAsync("p", 5)).Select(e => e.Id));
    }

    [Theory]
    [MemberData(nameof(TestStores.All), MemberType = typeof(TestStores))]
    public async Task Execution_row_written_before_migration_6_lists_as_unknown_until_its_execution_writes_it_again(string store)
    {
        var dialect = TestStores.Dialect(store);
        await MigrateByHandAsync(dialect, upTo: 5, """
            INSERT INTO executions (id, pipeline, number, pipeline_version, status, started_at, finished_at, message, "trigger")
            VALUES ('p-1', 'p', 1, 1, 'InProgress', '2026-11-01T08:00:00.0000000+00:00', NULL, NULL, 'manual');
            """);

        var history = new ExecutionHistory(new FarmDatabase(dialect));
        var old = Assert.Single(await history.ListAsync("p", 5));
        var listed = old.ToProto();
        await history.UpsertAsync(new Farm.Core.Executions.ExecutionRun
        {
            Id = "p-1", Pipeline = "p", PipelineVersion = 1, StartedAt = old.StartedAt, Trigger = "manual", TriggeredBy = "alice",
            Variables = new Dictionary<string, string> { ["region"] = "eu" }, Stages = [],
        }, 1);
        var healed = Assert.Single(await history.ListAsync("p", 5));

        Assert.Equal(("p-1", "manual"), (old.Id, old.Trigger));
        Assert.Equal((null, null, null, null), (old.TriggeredBy, old.RollbackOf, old.WaitingForStage, old.WaitingReason));
        Assert.Null(old.Variables);
        Assert.Null(old.Sources);
        Assert.Equal(["stages", "revision", "triggered_by", "rollback_of", "waiting_for_stage", "waiting_reason", "variables", "sources"], listed.LeftOut.Paths);
        Assert.Equal(("alice", ""), (healed.TriggeredBy, healed.RollbackOf));
        Assert.Equal(new Dictionary<string, string> { ["region"] = "eu" }, healed.Variables);
        Assert.Empty(healed.Sources!);
        Assert.Equal(["stages", "revision"], healed.ToProto().LeftOut.Paths);
    }

    [Fact]
    public void Every_dialect_has_the_same_numbered_migrations()
    {
        var versions = StoreSelection.Names.Select(name => StoreSelection.ForPrinting(name).Migrations.Select(m => m.Version).ToArray()).ToList();

        Assert.All(versions, v => Assert.Equal(versions[0], v));
        Assert.Equal(Enumerable.Range(1, versions[0].Length), versions[0]);
    }

    [Theory]
    [InlineData(new[] { "migrations" }, "usage: farm-controller migrations print --store")]
    [InlineData(new[] { "migrations", "print", "--store", "oracle" }, "--store is 'oracle'; it must be one of sqlite, postgres, sqlserver.")]
    public void Migrations_command_with_bad_arguments_says_what_is_wrong(string[] args, string expected)
    {
        var error = new StringWriter();

        var exit = MigrationsCommand.TryRun(args, TextWriter.Null, error);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error.ToString());
    }

    [Fact]
    public void Sql_server_script_uses_its_own_types_and_transactions()
    {
        var output = new StringWriter();

        MigrationsCommand.TryRun(["migrations", "print", "--store", "sqlserver"], output, TextWriter.Null);

        Assert.Contains("BEGIN TRANSACTION;", output.ToString());
        Assert.Contains("id     BIGINT IDENTITY(1, 1) PRIMARY KEY", output.ToString());
        Assert.DoesNotContain("BYTEA", output.ToString());
    }

    [SqlServerFact]
    public async Task Sql_server_store_migrates_where_a_server_is_given()
    {
        var database = TestStores.Create(StoreSelection.SqlServer);

        var applied = await AppliedAsync(database);

        Assert.Equal(new SqlServerDialect("Server=x").Migrations.Select(m => m.Version), applied);
    }

    /// <summary>Brings <paramref name="dialect"/>'s store to migration <paramref name="upTo"/> as a controller of that release did, then runs <paramref name="sql"/>.</summary>
    private static async Task MigrateByHandAsync(SqlDialect dialect, int upTo, string sql)
    {
        await using var connection = dialect.CreateConnection();
        await connection.OpenAsync();
        foreach (var step in (string[])[dialect.CreateMigrationsTable, .. dialect.Migrations.Where(m => m.Version <= upTo).Select(m =>
                     $"{m.Sql}\nINSERT INTO schema_migrations (version, applied_at) VALUES ({m.Version}, {dialect.NowText});"), sql])
        {
            await using var command = connection.CreateCommand();
            command.CommandText = step;
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<List<int>> AppliedAsync(FarmDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version;";
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0)));
        }

        return versions;
    }
}
