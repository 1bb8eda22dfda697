using Farm.Controller.Cluster;
using Farm.Controller.Hosting;
using Farm.Controller.Storage;
using Farm.Controller.Storage.Dialects;

namespace Farm.Controller.Tests.Storage;

public sealed class StoreSelectionTests
{
    [Theory]
    [InlineData("mysql", null, "Farm:Controller:Store is 'mysql'; it must be one of sqlite, postgres, sqlserver.")]
    [InlineData("postgres", null, "Farm:Controller:Store is postgres, which needs Farm:Controller:StoreConnection")]
    [InlineData("postgres", "Host=db;Colour=blue", "Farm:Controller:StoreConnection is not a valid postgres connection string")]
    [InlineData("sqlserver", "Server=db;Bogus Key=1", "Farm:Controller:StoreConnection is not a valid sqlserver connection string")]
    [InlineData("sqlite", "Data Source=x.db", "Farm:Controller:StoreConnection is set, but Farm:Controller:Store is sqlite")]
    public void Bad_store_settings_name_the_setting_and_the_fix(string store, string? connection, string expected)
    {
        var options = new ControllerOptions { Store = store, StoreConnection = connection };

        var problems = StoreSelection.Problems(options);

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => StoreSelection.Dialect(options));
    }

    [Fact]
    public async Task Sqlite_sync_is_normal_unless_full_is_asked_for_and_nothing_else_is_taken()
    {
        var dir = Directory.CreateTempSubdirectory("farm-store-").FullName;
        try
        {
            var normal = (SqliteDialect)StoreSelection.Dialect(new ControllerOptions { DataDir = dir });
            var full = (SqliteDialect)StoreSelection.Dialect(new ControllerOptions { DataDir = dir, SqliteSync = "full" });
            var problems = StoreSelection.Problems(new ControllerOptions { DataDir = dir, SqliteSync = "off" });

            Assert.Equal("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;", normal.OnOpen);
            Assert.Equal("PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;", full.OnOpen);
            Assert.Equal(["Farm:Controller:SqliteSync is 'off'; it must be normal or full."], problems);
            // SQLite's own answer on a connection the store opens: 1 is NORMAL, 2 is FULL.
            Assert.Equal(1L, await PragmaAsync(new FarmDatabase(normal), "synchronous"));
            Assert.Equal(2L, await PragmaAsync(new FarmDatabase(full), "synchronous"));
            Assert.Equal(30000L, await PragmaAsync(new FarmDatabase(normal), "busy_timeout"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<long> PragmaAsync(FarmDatabase database, string pragma)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Default_settings_are_one_controller_on_sqlite()
    {
        var options = new ControllerOptions();

        Assert.Empty(StoreSelection.Problems(options).Concat(ClusterSetup.Problems(options)));
        Assert.False(options.IsCluster);
        Assert.Equal(Path.GetFullPath(".farm"), options.FilesDir);
    }

    [Theory]
    [InlineData("zookeeper", "sqlite", null, null, "Farm:Controller:Clustering is 'zookeeper'; it must be one of localhost, redis, adonet.")]
    [InlineData("redis", "sqlite", "/shared", "127.0.0.1:6379", "Farm:Controller:Clustering is redis, but Farm:Controller:Store is sqlite")]
    [InlineData("redis", "postgres", null, "127.0.0.1:6379", "Farm:Controller:Clustering is redis, which needs Farm:Controller:SharedDir")]
    [InlineData("redis", "postgres", "/shared", null, "Farm:Controller:Clustering is redis, which needs Farm:Controller:ClusteringConnection")]
    [InlineData("redis", "postgres", "/shared", "127.0.0.1:6379,nonsense=1", "Farm:Controller:ClusteringConnection is not a valid redis connection")]
    [InlineData("adonet", "postgres", "/shared", "Host=db;Colour=blue", "Farm:Controller:ClusteringConnection is not a valid adonet connection")]
    public void Bad_cluster_settings_name_the_setting_and_the_fix(string clustering, string store, string? shared, string? connection, string expected)
    {
        var options = new ControllerOptions
        {
            Clustering = clustering,
            Store = store,
            StoreConnection = store == "postgres" ? "Host=db;Database=farm" : null,
            SharedDir = shared,
            ClusteringConnection = connection,
        };

        var problems = ClusterSetup.Problems(options);

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Cluster_keeps_logs_and_artifacts_in_the_shared_folder()
    {
        var options = new ControllerOptions
        {
            Clustering = "redis", ClusteringConnection = "127.0.0.1:6379", Store = "postgres",
            StoreConnection = "Host=db;Database=farm", SharedDir = "/mnt/farm", DataDir = "/var/lib/farm",
        };

        Assert.Empty(ClusterSetup.Problems(options));
        Assert.True(options.IsCluster);
        Assert.Equal("/mnt/farm", options.FilesDir);
    }
}
