using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Farm.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// A controller and two agents (labels linux plus first or second, 2 slots each) started as processes from their build
/// output, on free loopback ports and a fresh data folder, against the Docker engine named by
/// DOCKER_HOST. <see cref="RestartControllerAsync"/> kills the controller outright and starts it
/// again on the same folder and ports, as a crash and a restart would.
/// </summary>
public sealed class FarmHost : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string? _token;
    private readonly List<string> _controllerOutput = [];
    private Process? _controller;
    private Process? _agent;
    private Process? _secondAgent;
    private int _grpcPort;
    private int _siloPort;
    private int _gatewayPort;
    private int _webhookPort;

    public FarmHost()
        : this(token: null)
    {
    }

    /// <summary>A farm whose controller requires <paramref name="token"/> and whose agent presents it.</summary>
    internal FarmHost(string? token)
    {
        _token = token;
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("farm-e2e-").FullName;

    public string Address => $"http://127.0.0.1:{_grpcPort}";

    /// <summary>Where the controller takes Git hosts' webhook pushes.</summary>
    public string WebhookAddress => $"http://127.0.0.1:{_webhookPort}";

    /// <summary>Receives the controller's notifications, and answers http actions.</summary>
    public NotificationSink Sink { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public Api.V1.Pipelines.PipelinesClient Pipelines => new(Channel);

    public Executions.ExecutionsClient Executions => new(Channel);

    public AgentSessions.AgentSessionsClient AgentSessions => new(Channel);

    /// <summary>The image every container action of the tests uses; made locally by ./test.sh.</summary>
    public static string Image => Environment.GetEnvironmentVariable("FARM_TEST_IMAGE") is { Length: > 0 } image ? image : "farm/busybox:latest";

    public async Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            throw new InvalidOperationException(
                "These tests need a Docker engine: run ./test.sh, which starts one, or set DOCKER_HOST to a running engine " +
                "that has the image farm/busybox:latest (see scripts/lib.sh, farm_make_images).");
        }

        (_grpcPort, _siloPort, _gatewayPort, _webhookPort) = (FreePort(), FreePort(), FreePort(), FreePort());
        Sink = new NotificationSink(FreePort());
        Channel = GrpcChannel.ForAddress(Address);
        await StartControllerAsync();
        _agent = StartAgent("e2e-agent", "first");
        _secondAgent = StartAgent("e2e-agent-2", "second");
    }

    /// <summary>An agent labelled linux and <paramref name="label"/>, with 2 slots.</summary>
    private Process StartAgent(string id, string label) => Start(Locate("Agent", "farm-agent.dll"), new()
    {
        ["Farm__Agent__Controller"] = Address,
        ["Farm__Agent__AgentId"] = id,
        ["Farm__Agent__Labels__0"] = "linux",
        ["Farm__Agent__Labels__1"] = label,
        ["Farm__Agent__Slots"] = "2",
        ["Farm__Agent__WorkDir"] = Path.Combine(Root, id),
        ["Farm__Agent__DefaultNetwork"] = "none",
        ["Farm__Agent__MaxReconnectDelay"] = "00:00:01",
        ["Farm__Agent__Token"] = _token ?? "",
    }, null);

    public async Task RestartControllerAsync()
    {
        _controller!.Kill(entireProcessTree: true);
        await _controller.WaitForExitAsync();
        _controller.Dispose();
        await StartControllerAsync();
    }

    /// <summary>The controller's output so far, for failure messages.</summary>
    public string ControllerOutput()
    {
        lock (_controllerOutput)
        {
            return string.Join("\n", _controllerOutput.TakeLast(80));
        }
    }

    private async Task StartControllerAsync()
    {
        _controller = Start(Locate("Controller", "farm-controller.dll"), new()
        {
            ["Farm__Controller__DataDir"] = Path.Combine(Root, "data"),
            ["Farm__Controller__Listen"] = Address,
            ["Farm__Controller__SiloPort"] = _siloPort.ToString(),
            ["Farm__Controller__GatewayPort"] = _gatewayPort.ToString(),
            ["Farm__Controller__HeartbeatInterval"] = "00:00:01",
            ["Farm__Controller__Token"] = _token ?? "",
            ["Farm__Controller__StopGrace"] = "00:00:02",
            ["Farm__Controller__WebhookListen"] = WebhookAddress,
            ["Farm__Controller__NotifyUrl"] = Sink.Url + "notify",
            ["Farm__Controller__NotifySecret"] = NotificationSink.Secret,
        }, _controllerOutput);

        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            try
            {
                await Pipelines.ListPipelinesAsync(new ListPipelinesRequest(), cancellationToken: timeout.Token);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && _token is not null)
            {
                // Answering at all, even with a refusal, means it is up.
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !timeout.IsCancellationRequested)
            {
                if (_controller.HasExited)
                {
                    throw new InvalidOperationException($"The controller exited with {_controller.ExitCode}:\n{ControllerOutput()}");
                }

                await Task.Delay(100, timeout.Token);
            }
        }
    }

    private static Process Start(string dll, Dictionary<string, string> environment, List<string>? output)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        void Keep(object _, DataReceivedEventArgs e)
        {
            if (output is not null && e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The checkout: the folder above the tests that holds Farm.sln.</summary>
    public static string RepoRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Farm.sln")))
            {
                root = root.Parent;
            }

            return root?.FullName ?? throw new InvalidOperationException("Farm.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A project's built assembly, of the same configuration as these tests.</summary>
    public static string Locate(string project, string dll)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var path = Path.Combine(RepoRoot, "src", project, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { _agent, _secondAgent, _controller })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }

        Channel?.Dispose();
        Sink?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Container-owned files may linger a moment; the temp folder is the system's to clean.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FarmCollection : ICollectionFixture<FarmHost>
{
    public const string Name = "farm";
}
