using System.Net;
using System.Net.Sockets;
using Farm.Api.V1;
using Farm.Controller.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Farm.Controller.Tests.Pipelines;

/// <summary>
/// The real controller, built as Program.cs builds it (gRPC with the token interceptor and message
/// limits, the Orleans silo, the SQLite store), on free loopback ports and a data folder of its own,
/// in this process, so a crash of the controller is a crash of the test. Calls go with the admin
/// token it writes at its first start, or with tokens made through the Admin API.
/// </summary>
public sealed class ControllerHost : IAsyncLifetime
{
    private WebApplication _app = null!;

    public string DataDir { get; } = Directory.CreateTempSubdirectory("farm-controller-").FullName;

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Calls with the admin token.</summary>
    public CallInvoker Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = DataDir });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Farm:Controller:DataDir"] = Path.Combine(DataDir, "data"),
            ["Farm:Controller:Listen"] = $"http://127.0.0.1:{port}",
            ["Farm:Controller:WebhookListen"] = $"http://127.0.0.1:{FreePort()}",
            ["Farm:Controller:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Farm:Controller:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddFarmController();
        _app = builder.Build();
        _app.MapFarmController();
        using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await _app.StartAsync(started.Token);
        }

        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        Admin = With((await File.ReadAllTextAsync(Path.Combine(DataDir, "data", "admin.token"))).Trim());
    }

    /// <summary>The channel's calls with <paramref name="token"/> as bearer token.</summary>
    public CallInvoker With(string token) => Channel.Intercept(headers =>
    {
        headers.Add("authorization", "Bearer " + token);
        return headers;
    });

    /// <summary>Calls with a new token of <paramref name="role"/>, named <paramref name="name"/>.</summary>
    public async Task<CallInvoker> TokenAsync(string name, string role) =>
        With((await new Api.V1.Admin.AdminClient(Admin).CreateTokenAsync(new CreateTokenRequest { Name = name, Role = role })).Token);

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
