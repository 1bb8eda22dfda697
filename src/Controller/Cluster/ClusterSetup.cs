using System.Net;
using Farm.Controller.Hosting;
using Microsoft.Data.SqlClient;
using Npgsql;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Farm.Controller.Cluster;

/// <summary>
/// How this silo finds the others (<see cref="ControllerOptions.Clustering"/>), and the checks that
/// make a cluster safe to start: a store every silo shares, a folder for logs and artifacts every
/// silo reads, and membership settings that parse.
/// </summary>
public static class ClusterSetup
{
    public const string Localhost = "localhost";
    public const string Redis = "redis";
    public const string AdoNet = "adonet";
    public static readonly IReadOnlyList<string> Names = [Localhost, Redis, AdoNet];

    public const string NpgsqlInvariant = "Npgsql";
    public const string SqlClientInvariant = "Microsoft.Data.SqlClient";

    private static readonly string Setting = $"{ControllerOptions.Section}:Clustering";
    private static readonly string ConnectionSetting = $"{ControllerOptions.Section}:ClusteringConnection";

    /// <summary>Every problem of the clustering settings; empty when there is none.</summary>
    public static IReadOnlyList<string> Problems(ControllerOptions options)
    {
        if (!Names.Contains(options.Clustering))
        {
            return [$"{Setting} is '{options.Clustering}'; it must be one of {string.Join(", ", Names)}."];
        }

        var problems = new List<string>();
        if (!IPAddress.TryParse(options.SiloAddress, out _))
        {
            problems.Add($"{ControllerOptions.Section}:SiloAddress is '{options.SiloAddress}'; it must be an IP address other silos reach this one at (e.g. 10.0.0.11).");
        }

        if (options.Clustering == Localhost)
        {
            return problems;
        }

        if (options.Store == Storage.StoreSelection.Sqlite)
        {
            problems.Add($"{Setting} is {options.Clustering}, but {ControllerOptions.Section}:Store is sqlite, a file only one controller can use; set Store to postgres or sqlserver, shared by every controller.");
        }

        if (string.IsNullOrWhiteSpace(options.SharedDir))
        {
            problems.Add($"{Setting} is {options.Clustering}, which needs {ControllerOptions.Section}:SharedDir: a folder every controller mounts at the same path, for log bodies and artifacts.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusteringConnection))
        {
            problems.Add($"{Setting} is {options.Clustering}, which needs {ConnectionSetting} (e.g. {Example(options)}).");
            return problems;
        }

        try
        {
            if (options.Clustering == Redis)
            {
                ConfigurationOptions.Parse(options.ClusteringConnection);
            }
            else if (options.ClusteringInvariant == NpgsqlInvariant)
            {
                _ = new NpgsqlConnectionStringBuilder(options.ClusteringConnection).ConnectionString;
            }
            else if (options.ClusteringInvariant == SqlClientInvariant)
            {
                _ = new SqlConnectionStringBuilder(options.ClusteringConnection).ConnectionString;
            }
            else
            {
                problems.Add($"{ControllerOptions.Section}:ClusteringInvariant is '{options.ClusteringInvariant}'; it must be {NpgsqlInvariant} or {SqlClientInvariant}.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            problems.Add($"{ConnectionSetting} is not a valid {options.Clustering} connection: {e.Message} (e.g. {Example(options)}).");
        }

        return problems;
    }

    /// <summary>Membership for the silo: the provider, this silo's endpoints, and the cluster's id.</summary>
    public static ISiloBuilder UseFarmClustering(this ISiloBuilder silo, ControllerOptions options)
    {
        // Checked here as well as at start, since the provider is configured from these values now.
        var problems = Storage.StoreSelection.Problems(options).Concat(Problems(options)).ToList();
        if (problems.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(ControllerOptions.Section, typeof(ControllerOptions), problems);
        }

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            // The service id keys stored state in Orleans' own providers; Farm's state is its own, so one name serves.
            o.ServiceId = "farm";
        });
        switch (options.Clustering)
        {
            case Redis:
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(options.ClusteringConnection!));
                break;
            case AdoNet:
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = options.ClusteringInvariant;
                    o.ConnectionString = options.ClusteringConnection;
                });
                break;
            default:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
                return silo;
        }

        silo.ConfigureEndpoints(IPAddress.Parse(options.SiloAddress), options.SiloPort, options.GatewayPort);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // A killed silo is declared dead after this many missed probes of ProbeTimeout each;
            // survivors then take over its grains. Orleans' defaults (3 x 5 s) suit a fleet;
            // SiloProbeTimeout shortens them where failover must be quick.
            o.ProbeTimeout = options.SiloProbeTimeout;
        });
        return silo;
    }

    private static string Example(ControllerOptions options) => options.Clustering == Redis
        ? "redis1.example:6379"
        : options.ClusteringInvariant == SqlClientInvariant
            ? "Server=db.example;Database=orleans;User Id=farm;Password=..."
            : "Host=db.example;Database=orleans;Username=farm;Password=...";
}
