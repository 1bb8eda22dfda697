using System.Diagnostics;
using Farm.Api.Client;
using Farm.Api.V1;
using Farm.Tests.Shared;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.Bench;

/// <summary>Controllers of one cluster, with no agent: the cluster suite's processes.</summary>
public sealed partial class FarmProcesses
{
    private readonly List<Dictionary<string, string>> _clusterEnvironments = [];

    public string ClusterLog(int controller) => Path.Combine(LogsDir, $"controller-{controller}.log");

    /// <summary>Where controller <paramref name="controller"/> (of a cluster, or the one controller) serves /metrics (its HTTP/1.1 listener).</summary>
    public string MetricsAddress(int controller = 0) =>
        (_clusterEnvironments.Count > 0 ? _clusterEnvironments[controller] : _controllerEnvironment!)["Farm__Controller__WebhookListen"] + "/metrics";

    /// <summary>
    /// Starts <paramref name="controllers"/> controllers on a fresh database of the PostgreSQL server
    /// <paramref name="postgres"/> names and a shared folder under <paramref name="root"/>: one on
    /// localhost clustering, several as one cluster whose membership is in Redis at <paramref name="redis"/>.
    /// </summary>
    public static async Task<FarmProcesses> StartClusterAsync(
        string root, string logsDir, int controllers, string postgres, string redis, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(logsDir);
        var farm = new FarmProcesses(logsDir, [.. Enumerable.Range(0, controllers).Select(_ => FreePort())]);
        try
        {
            var store = PostgresDatabases.Create(postgres, "farm_bench_");
            var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
            var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            for (var i = 0; i < controllers; i++)
            {
                var environment = new Dictionary<string, string>
                {
                    ["Farm__Controller__DataDir"] = Path.Combine(root, $"data-{i}"),
                    ["Farm__Controller__SharedDir"] = Path.Combine(root, "shared"),
                    ["Farm__Controller__Listen"] = farm.Addresses[i],
                    ["Farm__Controller__WebhookListen"] = $"http://127.0.0.1:{FreePort()}",
                    ["Farm__Controller__SiloPort"] = FreePort().ToString(),
                    ["Farm__Controller__GatewayPort"] = FreePort().ToString(),
                    ["Farm__Controller__Store"] = "postgres",
                    ["Farm__Controller__StoreConnection"] = store,
                    ["Farm__Controller__SecretsKey"] = key,
                };
                if (controllers > 1)
                {
                    environment["Farm__Controller__Clustering"] = "redis";
                    environment["Farm__Controller__ClusteringConnection"] = redis;
                    environment["Farm__Controller__ClusterId"] = clusterId;
                    // Shorter than Orleans' 5 s, as an operator who wants quick failover sets it.
                    environment["Farm__Controller__SiloProbeTimeout"] = "00:00:01";
                }

                farm._clusterEnvironments.Add(environment);
            }

            // The first migrates the store and makes the admin token; then the others join.
            farm.StartController(0);
            await farm.WaitForControllerAsync(0, GrpcChannel.ForAddress(farm.Addresses[0]), cancellationToken);
            for (var i = 1; i < controllers; i++)
            {
                farm.StartController(i);
            }

            for (var i = 1; i < controllers; i++)
            {
                await farm.WaitForControllerAsync(i, GrpcChannel.ForAddress(farm.Addresses[i]), cancellationToken);
            }

            var adminToken = (await File.ReadAllTextAsync(Path.Combine(root, "data-0", "admin.token"), cancellationToken)).Trim();
            farm.Invoker = farm.Channel.Intercept(headers =>
            {
                headers.Add("authorization", "Bearer " + adminToken);
                return headers;
            });
            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    /// <summary>A channel for a group of simulated agents: every controller, the <paramref name="group"/>-th first, so sessions spread over the silos.</summary>
    public GrpcChannel AgentChannel(int group) =>
        ControllerChannel.Create([.. Enumerable.Range(0, Addresses.Count).Select(i => new Uri(Addresses[(group + i) % Addresses.Count]))], null);

    /// <summary>Kills controller <paramref name="i"/> with SIGKILL.</summary>
    public async Task KillControllerAsync(int i)
    {
        var process = _children[i].Process;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts controller <paramref name="i"/> again on its ports and folder, and waits until it answers.</summary>
    public async Task RestartControllerAsync(int i, CancellationToken cancellationToken)
    {
        var (old, log) = _children[i];
        lock (log)
        {
            log.Dispose();
        }

        old.Dispose();
        StartController(i);
        await WaitForControllerAsync(i, GrpcChannel.ForAddress(Addresses[i]), cancellationToken);
    }

    /// <summary>Starts controller <paramref name="i"/> into slot i of the children, appending its log.</summary>
    private void StartController(int i)
    {
        var process = Start(RepoPaths.Controller, ClusterLog(i), _clusterEnvironments[i]);
        var started = _children[^1];
        _children.RemoveAt(_children.Count - 1);
        if (i < _children.Count)
        {
            _children[i] = started;
        }
        else
        {
            _children.Add(started);
        }

        Debug.Assert(ReferenceEquals(_children[i].Process, process));
    }
}
