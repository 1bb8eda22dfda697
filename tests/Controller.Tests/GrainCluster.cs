using Farm.Controller.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Farm.Controller.Tests;

/// <summary>
/// A one-silo Orleans test cluster with the controller's grains on a SQLite store in a data folder
/// of its own. Start a second one on the same folder to see what survives a restart.
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private GrainCluster(InProcessTestCluster cluster, string dataDir)
    {
        _cluster = cluster;
        DataDir = dataDir;
    }

    public string DataDir { get; }

    public IGrainFactory Grains => _cluster.Client;

    public IClusterClient Client => _cluster.Client;

    /// <summary>The silo's own services, for what only the silo side holds (its copier, for one).</summary>
    public IServiceProvider SiloServices => _cluster.Silos[0].ServiceProvider;

    public static async Task<GrainCluster> StartAsync(
        string? dataDir = null, TimeSpan? heartbeat = null, TimeProvider? time = null, TimeSpan? reconnectGrace = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("farm-grains-").FullName;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureHost(host =>
        {
            host.Services.AddOptions<ControllerOptions>().Configure(o =>
            {
                o.DataDir = dataDir;
                o.HeartbeatInterval = heartbeat ?? TimeSpan.FromSeconds(5);
                o.ReconnectGrace = reconnectGrace ?? o.ReconnectGrace;
            });
            if (time is not null)
            {
                host.Services.AddSingleton(time);
            }

            host.Services.AddFarmGrainServices();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainCluster(cluster, dataDir);
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
}
