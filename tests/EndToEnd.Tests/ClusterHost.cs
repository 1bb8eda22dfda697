using System.Diagnostics;
using System.Security.Cryptography;
using Farm.Api.Client;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// Three controller processes forming one Orleans cluster through Redis (FARM_TEST_REDIS), on one
/// PostgreSQL database made for the fixture (on FARM_TEST_POSTGRES's server) and one shared folder
/// for logs and artifacts, and three shell agents that each know every controller, listing a
/// different one first so that their sessions spread over the silos. ./test.sh starts PostgreSQL
/// and Redis. <see cref="Kill"/> kills a controller with SIGKILL; <see cref="StartController"/>
/// starts it again on the same ports and data folder.
/// </summary>
public sealed class ClusterHost : IAsyncLifetime
{
    public const int Controllers = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process?[] _controllers = new Process?[Controllers];
    private readonly List<string>[] _output = [.. Enumerable.Range(0, Controllers).Select(_ => new List<string>())];
    private readonly List<Process> _agents = [];
    private readonly (int Grpc, int Silo, int Gateway, int Webhook)[] _ports =
        [.. Enumerable.Range(0, Controllers).Select(_ => (FarmHost.FreePort(), FarmHost.FreePort(), FarmHost.FreePort(), FarmHost.FreePort()))];

    private readonly string _clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _secretsKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private string _store = null!;

    public string Root { get; } = Directory.CreateTempSubdirectory("farm-cluster-").FullName;

    public string SharedDir => Path.Combine(Root, "shared");

    public string Address(int controller) => $"http://127.0.0.1:{_ports[controller].Grpc}";

    /// <summary>Every controller's address, comma-separated, as agents and the CLI take them.</summary>
    public string AllAddresses(int first = 0) =>
        string.Join(",", Enumerable.Range(0, Controllers).Select(i => Address((first + i) % Controllers)));

    public string AdminToken { get; private set; } = null!;

    /// <summary>Calls with the admin token to whichever controller answers (pick-first over all three).</summary>
    public CallInvoker Invoker { get; private set; } = null!;

    public Executions.ExecutionsClient Executions => new(Invoker);

    public Api.V1.Pipelines.PipelinesClient Pipelines => new(Invoker);

    /// <summary>Calls with the admin token to controller <paramref name="controller"/> only.</summary>
    public CallInvoker InvokerOf(int controller) =>
        GrpcChannel.ForAddress(Address(controller)).Intercept(WithToken);

    public async Task InitializeAsync()
    {
        foreach (var (variable, what) in new[] { ("DOCKER_HOST", "a Docker engine"), ("FARM_TEST_POSTGRES", "PostgreSQL"), ("FARM_TEST_REDIS", "Redis") })
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                throw new InvalidOperationException($"The cluster tests need {what}: run ./test.sh, which starts it and sets {variable}.");
            }
        }

        _store = PostgresDatabases.Create(Environment.GetEnvironmentVariable("FARM_TEST_POSTGRES")!, "farm_e2e_");
        Directory.CreateDirectory(SharedDir);
        // The first controller migrates the store and makes the admin token; the others join it.
        StartController(0);
        await WaitUntilAnswersAsync(0);
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataDir(0), "admin.token"))).Trim();
        for (var i = 1; i < Controllers; i++)
        {
            StartController(i);
        }

        for (var i = 1; i < Controllers; i++)
        {
            await WaitUntilAnswersAsync(i);
        }

        Invoker = ControllerChannel.Create(ControllerChannel.ParseAddresses(AllAddresses(), "cluster", Address(0)), null).Intercept(WithToken);
        var enroll = await new Admin.AdminClient(Invoker).CreateEnrollTokenAsync(new CreateEnrollTokenRequest { Uses = Controllers, ExpiresInSeconds = 600 });
        for (var i = 0; i < Controllers; i++)
        {
            StartAgent($"cluster-agent-{i}", enroll.Token, first: i);
        }

        await Eventually.Until(async _ =>
            (await new Admin.AdminClient(Invoker).ListAgentsAsync(new ListAgentsRequest())).Agents.Count(a => a.Connected) == Controllers,
            StartTimeout, () => "the agents did not all connect:\n" + Output());
    }

    public string DataDir(int controller) => Path.Combine(Root, $"controller-{controller}");

    public void StartController(int i)
    {
        var environment = new Dictionary<string, string>
        {
            ["Farm__Controller__DataDir"] = DataDir(i),
            ["Farm__Controller__SharedDir"] = SharedDir,
            ["Farm__Controller__Listen"] = Address(i),
            ["Farm__Controller__WebhookListen"] = $"http://127.0.0.1:{_ports[i].Webhook}",
            ["Farm__Controller__SiloPort"] = _ports[i].Silo.ToString(),
            ["Farm__Controller__GatewayPort"] = _ports[i].Gateway.ToString(),
            ["Farm__Controller__Store"] = "postgres",
            ["Farm__Controller__StoreConnection"] = _store,
            ["Farm__Controller__Clustering"] = "redis",
            ["Farm__Controller__ClusteringConnection"] = Environment.GetEnvironmentVariable("FARM_TEST_REDIS")!,
            ["Farm__Controller__ClusterId"] = _clusterId,
            ["Farm__Controller__SiloProbeTimeout"] = "00:00:01",
            ["Farm__Controller__HeartbeatInterval"] = "00:00:01",
            ["Farm__Controller__SecretsKey"] = _secretsKey,
        };
        lock (_output[i])
        {
            _output[i].Add($"---- controller {i} starts");
        }

        _controllers[i] = FarmHost.Start(FarmHost.Locate("Controller", "farm-controller.dll"), environment, _output[i]);
    }

    /// <summary>
    /// The controller that hosts the dispatcher grain: the only one whose /metrics reports the
    /// dispatcher's gauges (farm_agents_online).
    /// </summary>
    public async Task<int> DispatcherHostAsync()
    {
        using var http = new HttpClient();
        var host = -1;
        await Eventually.Until(async cancellation =>
        {
            for (var i = 0; i < Controllers; i++)
            {
                var metrics = await http.GetStringAsync($"http://127.0.0.1:{_ports[i].Webhook}/metrics", cancellation);
                if (metrics.Split('\n').Any(line => line.StartsWith("farm_agents_online", StringComparison.Ordinal)))
                {
                    host = i;
                    return true;
                }
            }

            return false;
        }, StartTimeout, () => "no controller reports the dispatcher's gauges:\n" + Output());
        return host;
    }

    /// <summary>Kills controller <paramref name="i"/> with SIGKILL, as a crash of its machine would.</summary>
    public async Task Kill(int i)
    {
        var process = _controllers[i]!;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        _controllers[i] = null;
    }

    public async Task WaitUntilAnswersAsync(int i) =>
        await Eventually.Until(async cancellation =>
        {
            try
            {
                await new Api.V1.Pipelines.PipelinesClient(GrpcChannel.ForAddress(Address(i))).ListPipelinesAsync(new ListPipelinesRequest(), cancellationToken: cancellation);
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return _controllers[i] is { HasExited: true } exited
                    ? throw new InvalidOperationException($"Controller {i} exited with {exited.ExitCode}:\n{Output()}")
                    : false;
            }
        }, StartTimeout, () => $"controller {i} does not answer:\n{Output()}");

    private void StartAgent(string id, string enrollToken, int first)
    {
        var environment = new Dictionary<string, string>
        {
            ["Farm__Agent__Controller"] = AllAddresses(first),
            ["Farm__Agent__AgentId"] = id,
            ["Farm__Agent__Slots"] = "2",
            ["Farm__Agent__WorkDir"] = Path.Combine(Root, id),
            ["Farm__Agent__DefaultNetwork"] = "none",
            ["Farm__Agent__MaxReconnectDelay"] = "00:00:01",
            ["Farm__Agent__EnrollToken"] = enrollToken,
            ["Farm__Agent__Labels__0"] = "cluster",
            ["Farm__Agent__AllowShell"] = "true",
        };
        _agents.Add(FarmHost.Start(FarmHost.Locate("Agent", "farm-agent.dll"), environment, null));
    }

    /// <summary>Runs the built farm CLI with FARM_CONTROLLER set to <paramref name="controllers"/> and the admin token.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(string controllers, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [FarmHost.Locate("Cli", "farm.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FARM_CONTROLLER"] = controllers;
        start.Environment["FARM_TOKEN"] = AdminToken;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Every controller's last lines, for failure messages.</summary>
    public string Output() => string.Join("\n", _output.Select((lines, i) =>
    {
        lock (lines)
        {
            return $"== controller {i}\n" + string.Join("\n", lines.TakeLast(40));
        }
    }));

    private Metadata WithToken(Metadata headers)
    {
        headers.Add("authorization", "Bearer " + AdminToken);
        return headers;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _agents.Concat(_controllers.OfType<Process>()))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Files an agent still held a moment ago; the temp folder is the system's to clean.
        }
    }
}
